"""The served app in a real browser: `streamlit run app.py` on loopback, Debian's headless chromium.

Checks what a person sees: the rendered DOM has the app's name, its navigation and the backend
line; an interview opened by its URL (`?session=...`) shows the transcript and the live panel; and
a 1280x900 screenshot of that page is a real picture with the coverage chart drawn. Screenshots go
to artifacts/browser/ (gitignored); docs/screenshot.png is a copy of a good one.

History is checked with Playwright driving the same chromium (it waits for the app's websocket
and for the chart itself): one graded session, then three, each screenshotted to artifacts/browser/.

Without `chromium` the tests skip, unless MLSD_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlsd.storage.throwaway import free_port

from .served import find_chromium, streamlit_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
STRONG = ROOT / "tests" / "data" / "transcripts" / "bank_fraud_detection_strong.json"
WINDOW = (1280, 900)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--virtual-time-budget=15000",
                  f"--window-size={WINDOW[0]},{WINDOW[1]}"]
# --virtual-time-budget does not wait for the app's websocket, so a page can be captured before the
# script has drawn it (always on a cold server). Each attempt is a fresh browser; retry until rendered.
RENDER_DEADLINE_S = 150
COVERAGE_COLORS = [(0xF5, 0x9E, 0x0B), (0x3B, 0x82, 0xF6), (0x16, 0xA3, 0x4A)]  # thin, solid, deep bars


def make_interview(home: Path, mode: str = "practice") -> str:
    """An interview in progress (four strong answers, 20 simulated minutes) to open by its URL."""
    from mlsd.interview.interviewer import Interviewer
    from mlsd.interview.sessions import SessionStore

    store = SessionStore(home / "mlsd.db")
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", time_budget_min=45, mode=mode)
    t0 = time.time() - 20 * 60
    iv.state.started_at = t0
    answers = [t["content"] for t in json.loads(STRONG.read_text())["turns"] if t["role"] == "candidate"]
    for minute, text in zip((3, 8, 13, 18), answers[:4]):
        iv.respond(text, now=t0 + minute * 60)
    store.close()
    return iv.session_id


@dataclass
class Served:
    url: str
    chromium: str
    session_id: str  # a practice interview: its panel shows coverage
    mock_session_id: str
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    chromium = find_chromium()
    home = tmp_path_factory.mktemp("browser-home")
    session_id, mock_id = make_interview(home), make_interview(home, mode="mock")
    with streamlit_app(home, free_port()) as (url, log):
        yield Served(url=url, chromium=chromium, session_id=session_id, mock_session_id=mock_id, log=log)


def run_chromium(served: Served, url: str, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="mlsd-chromium-") as profile:
        return subprocess.run([served.chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, timeout=120)


def visible_text(dom: str) -> str:
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def rendered(served: Served, url: str, markers: list[str]) -> tuple[str, str]:
    """(DOM, visible text) once every marker is on the page."""
    deadline, text = time.time() + RENDER_DEADLINE_S, ""
    while time.time() < deadline:
        dom = run_chromium(served, url, "--dump-dom").stdout.decode("utf-8", "replace")
        text = visible_text(dom)
        if all(m in text for m in markers):
            return dom, text
        time.sleep(1)
    missing = [m for m in markers if m not in text]
    pytest.fail(f"{url} never showed {missing} in {RENDER_DEADLINE_S} s; last text: {text[-1500:]}\n"
                f"server log: {served.log.read_text()[-2000:]}")


def coverage_pixels(png: Path) -> int:
    """How many pixels have a coverage bar's colour: proof the chart was drawn, not just its frame."""
    from PIL import Image

    with Image.open(png) as im:
        counts = im.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(n for n, rgb in counts if any(all(abs(a - b) <= 6 for a, b in zip(rgb, c)) for c in COVERAGE_COLORS))


def screenshot(served: Served, url: str, out: Path) -> Path:
    """A screenshot of `url` with the coverage chart drawn (retried like `rendered`)."""
    from PIL import Image

    out.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + RENDER_DEADLINE_S
    while time.time() < deadline:
        out.unlink(missing_ok=True)
        run_chromium(served, url, f"--screenshot={out}")
        if out.is_file() and out.stat().st_size > 30_000 and coverage_pixels(out) > 500:
            with Image.open(out) as im:
                assert im.size == WINDOW and im.format == "PNG"
            return out
        time.sleep(1)
    pytest.fail(f"no screenshot of {url} with the coverage chart drawn in {RENDER_DEADLINE_S} s")


def test_the_served_app_renders_title_navigation_and_backend(served):
    dom, text = rendered(served, served.url + "/", ["Backend: offline", "Start interview"])
    assert "<title>" in dom and "mlsd" in text
    for page in ("Interview", "Ask", "Grade", "History"):
        assert page in text
    assert "Mock interview" in text and "no endpoint or key configured" in text
    # the index is being built in the background from the first start (or already is)
    assert "Knowledge index" in text and ("Building in the background" in text or "Built:" in text)
    assert "Traceback" not in text and "This app has encountered an error" not in text


def test_an_interview_reopens_from_its_url_with_the_live_panel(served):
    url = f"{served.url}/?session={served.session_id}"
    _, text = rendered(served, url, ["Phase coverage", "End and grade"])
    assert "Real-time card fraud detection for a retail bank" in text
    assert "binary classification per authorization request" in text  # the candidate's own words
    assert f"session {served.session_id}" in text and "backend: offline" in text
    assert re.search(r"Time \d+:\d\d of 45:00 min", text)
    assert "This app has encountered an error" not in text

    png = screenshot(served, url, ARTIFACTS / "interview.png")
    assert png.stat().st_size > 30_000


# -- History in a real browser (Playwright) ---------------------------------------------------------------
PLAYWRIGHT_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync"]
TRANSCRIPTS = STRONG.parent


def keep_graded(home: Path, name: str) -> float:
    """Grade one of our test transcripts offline and keep it as an upload, as the Grade page does."""
    from mlsd.core.config import Settings
    from mlsd.grading.service import parse_and_grade
    from mlsd.interview.sessions import SessionStore

    transcript, report = parse_and_grade((TRANSCRIPTS / f"{name}.json").read_text(), source=f"{name}.json",
                                         settings=Settings(home=home, llm="offline"))
    assert report.status == "graded", report.reason
    store = SessionStore(Settings(home=home).db_path)
    store.save_upload(problem_id=report.problem, problem_text=None, transcript=transcript,
                      report=report.model_dump(), source=f"{name}.json")
    store.close()
    time.sleep(0.01)  # distinct creation times: the trend is ordered by them
    return report.overall


def coloured_pixels(png: bytes) -> int:
    """Pixels with a clear hue (not white, grey or black): what the chart's marks are drawn in."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        counts = im.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(n for n, (r, g, b) in counts if max(r, g, b) - min(r, g, b) > 60)


def open_history(page, url: str, captions: list[str]):
    page.goto(f"{url}/history", wait_until="domcontentloaded")
    for text in captions:
        page.get_by_text(text).first.wait_for(timeout=RENDER_DEADLINE_S * 1000)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.locator("canvas, svg").first.wait_for(timeout=RENDER_DEADLINE_S * 1000)
    page.wait_for_timeout(1500)  # Vega draws after the element appears
    return chart


def test_history_with_one_and_with_three_graded_sessions(served):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the [dev] extra)")
    home = Path(served.log).parent
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first = keep_graded(home, "bank_fraud_detection_handwavy")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=served.chromium, args=PLAYWRIGHT_ARGS)
        try:
            page = browser.new_page(viewport={"width": WINDOW[0], "height": WINDOW[1]})
            chart = open_history(page, served.url, ["One graded session so far"])
            text = page.inner_text("body")
            assert "labelled with its value" in text and "the black diamond is the overall score" in text
            assert "upload" in text and "Practise next:" in text and "Focus on " in text
            assert "This app has encountered an error" not in text and "Traceback" not in text
            one = chart.screenshot()
            assert coloured_pixels(one) > 200, "no points drawn"
            page.screenshot(path=str(ARTIFACTS / "history-1-graded.png"), full_page=True)

            overalls = [first, keep_graded(home, "predictive_maintenance_strong"),
                        keep_graded(home, "bank_fraud_detection_strong")]
            chart = open_history(page, served.url, ["3 graded sessions"])
            text = page.inner_text("body")
            assert "Each coloured line is one of the" in text and "dashed black line is the overall score" in text
            assert "One graded session so far" not in text
            three = chart.screenshot()
            assert coloured_pixels(three) > 2 * coloured_pixels(one), "lines should draw far more than points"
            page.screenshot(path=str(ARTIFACTS / "history-3-graded.png"), full_page=True)
            assert len(set(overalls)) == 3
        finally:
            browser.close()


def test_a_mock_interview_pins_the_statement_hides_coverage_and_closes_the_chat_at_the_end(served):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the [dev] extra)")
    statement_start = "Real-time card fraud detection"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=served.chromium, args=PLAYWRIGHT_ARGS)
        try:
            page = browser.new_page(viewport={"width": WINDOW[0], "height": WINDOW[1]})
            page.goto(f"{served.url}/?session={served.mock_session_id}", wait_until="domcontentloaded")
            box = page.locator(".st-key-interview_problem_statement")
            box.wait_for(timeout=RENDER_DEADLINE_S * 1000)
            page.get_by_text("coverage stays hidden until your report").wait_for(timeout=30_000)
            # pinned: after scrolling to the end of the transcript the statement is still on screen
            page.mouse.wheel(0, 20_000)
            page.wait_for_timeout(800)
            top = box.bounding_box()
            assert top is not None and 0 <= top["y"] < WINDOW[1], top
            panel = page.locator(".st-key-interview_panel")
            assert "Phase coverage" not in panel.inner_text()
            assert panel.locator("[data-testid='stVegaLiteChart']").count() == 0
            chat = page.locator("[data-testid='stChatInputTextArea']")
            assert chat.is_enabled()
            chat.fill("Let's stop here, please grade it.")
            chat.press("Enter")
            page.wait_for_function(
                "() => { const t = document.querySelector(\"[data-testid='stChatInputTextArea']\");"
                " return t && t.disabled; }", timeout=90_000)
            page.get_by_text("stopped, the interview has ended").first.wait_for(timeout=60_000)  # the clock stopped
            page.screenshot(path=str(ARTIFACTS / "interview-mock-ended.png"), full_page=False)
            text = page.inner_text("body")
            assert statement_start in text and "This app has encountered an error" not in text
        finally:
            browser.close()
