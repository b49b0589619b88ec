"""The whiteboard in a real browser: Playwright driving Debian's chromium against `streamlit run app.py`.

Every request that is not to the app on loopback is aborted (`page.route`), so a preview that draws
proves the renderer needs no CDN and no render service. Then: a broken line is named while the last
good SVG stays, and a reload (a new Streamlit session) brings the diagram back from the database.
Without `chromium` the test skips, unless MLSD_REQUIRE_BROWSER=1, where that is a failure.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from mlsd.storage.throwaway import free_port

from .served import find_chromium, streamlit_app

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WAIT_MS = 150_000  # a cold server loads the embedding model before the first interview page draws
SERVING = ("flowchart LR\n  req[Card authorization request] --> fs[(Feature store)]\n"
           "  fs -->|velocity features| ms[Model server]\n  ms --> cache[Score cache]")
BROKEN = SERVING + "\n  ms --> mon[Monitoring"
CHANGED = SERVING + "\n  ms -.-> mon[Drift monitoring]"


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    chromium = find_chromium()
    home = tmp_path_factory.mktemp("whiteboard-home")
    from mlsd.interview.interviewer import Interviewer
    from mlsd.interview.sessions import SessionStore

    store = SessionStore(home / "mlsd.db")
    sid = Interviewer.start(store, problem_id="bank_fraud_detection").session_id
    store.close()
    with streamlit_app(home, free_port()) as (url, log):
        yield url, chromium, sid, log


def svg_text(page) -> str:
    return " ".join(page.locator("[data-testid='stGraphVizChart'] svg").evaluate_all("ss => ss.map(s => s.textContent)"))


def wait_for_svg_with(page, text: str) -> None:
    page.wait_for_function(
        "t => [...document.querySelectorAll(\"[data-testid='stGraphVizChart'] svg\")]"
        ".some(s => s.textContent.includes(t))", arg=text, timeout=WAIT_MS)


def draw(page, sid: str, source: str) -> None:
    editor = page.locator(f".st-key-whiteboard_text_{sid} textarea")
    editor.fill(source)
    editor.press("Control+Enter")  # how a Streamlit text area sends its value


def test_the_whiteboard_draws_svg_offline_names_a_bad_line_and_survives_a_reload(board):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the [dev] extra)")
    url, chromium, sid, log = board
    blocked: list[str] = []

    def loopback_only(route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", loopback_only)
            page.goto(f"{url}/?session={sid}", wait_until="domcontentloaded")
            page.locator(f".st-key-whiteboard_text_{sid} textarea").wait_for(timeout=WAIT_MS)

            draw(page, sid, SERVING)
            wait_for_svg_with(page, "Model server")
            assert page.locator("[data-testid='stGraphVizChart'] svg g.node").count() == 4
            page.get_by_role("button", name="Submit diagram").scroll_into_view_if_needed()
            page.screenshot(path=str(_artifact("whiteboard-offline.png")), full_page=True)

            draw(page, sid, BROKEN)
            page.get_by_text("Line 5:").first.wait_for(timeout=WAIT_MS)
            # The last good preview is still drawn: after the error text, the chart below it is a new
            # element whose SVG the browser lays out a moment later, so wait for it rather than read once.
            wait_for_svg_with(page, "Score cache")
            assert "Monitoring" not in svg_text(page)  # the broken line is not in the preview
            assert page.get_by_role("button", name="Submit diagram").is_disabled()
            page.get_by_role("button", name="Submit diagram").scroll_into_view_if_needed()
            page.screenshot(path=str(_artifact("whiteboard-error.png")), full_page=True)

            draw(page, sid, CHANGED)
            wait_for_svg_with(page, "Drift monitoring")
            page.reload(wait_until="domcontentloaded")
            editor = page.locator(f".st-key-whiteboard_text_{sid} textarea")
            editor.wait_for(timeout=WAIT_MS)
            wait_for_svg_with(page, "Drift monitoring")  # drawn again from the saved draft
            assert editor.input_value() == CHANGED
            body = page.inner_text("body")
            assert "Traceback" not in body and "This app has encountered an error" not in body
        finally:
            browser.close()
    print("requests refused (not loopback):", blocked)


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
