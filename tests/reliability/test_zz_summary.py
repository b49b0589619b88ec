"""The figures of this run (printed with -s, and always in the terminal summary by conftest)."""

from .helpers import FIGURES


def test_summary_figures():
    lines = [f"{key}: {FIGURES[key]}" for key in sorted(FIGURES)]
    print("\nreliability figures\n  " + "\n  ".join(lines))
    assert FIGURES["turns lost"] == 0
    assert FIGURES["turns duplicated"] == 0
    assert FIGURES["API key leaks"] == 0
    assert FIGURES["score rises (offline)"] == 0
