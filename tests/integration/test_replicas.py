"""Two app replicas (two `streamlit run` processes, two MLSD_HOMEs) sharing one PostgreSQL, in a real browser.

Playwright drives Debian's headless /usr/bin/chromium (never a downloaded browser). Users come from
the trusted proxy header, set by a stand-in sign-in proxy on loopback (proxy.py) that also strips
any such header the browser sends (every browser here sends a forged one): an interview started on
replica A is resumed by its URL on replica B and goes on there; another user opening the same URL
is told it does not exist; a browser without the header is refused; with the header untrusted
(MLSD_TRUSTED_USER_HEADER unset) it is ignored.
"""

from __future__ import annotations

import re

import pytest

from mlsd.interview.sessions import SessionStore
from mlsd.storage.throwaway import free_port

from .proxy import SignInProxy
from .served import find_chromium, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

HEADER = "X-Forwarded-Email"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 120_000
FIRST = "What is the latency budget for a decision, and how many transactions per second at peak?"
SECOND = ("I would frame it as binary classification of each card authorization, predicting the probability "
          "of fraud and declining above a threshold tuned for the false-decline rate.")


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    from playwright.sync_api import sync_playwright  # a [dev] dependency: missing is an error, not a skip
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=FLAGS)
        yield b
        b.close()


def open_page(browser):
    # a forged header on every request: the proxy must replace it, and an untrusted app must ignore it
    context = browser.new_context(extra_http_headers={HEADER: "mallory@example.com"},
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def send(page, text: str, replies: int) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")
    page.get_by_test_id("stChatMessage").nth(replies - 1).wait_for()
    page.get_by_text(text[:50]).first.wait_for()


@pytest.fixture
def replicas(tmp_path, postgres_url):
    """Two replicas; `via(replica, user)` is the URL of a sign-in proxy in front of it for that user."""
    # MLSD_INDEX_ON_START=0: two replicas each building an index would only slow this test down
    env = {"MLSD_DATABASE_URL": postgres_url, "MLSD_TRUSTED_USER_HEADER": HEADER, "MLSD_INDEX_ON_START": "0"}
    proxies: list[SignInProxy] = []

    def via(replica: str, user: str | None) -> str:
        proxies.append(SignInProxy(int(replica.rsplit(":", 1)[1]), HEADER, user))
        return proxies[-1].url

    with streamlit_app(tmp_path / "replica-a", free_port(), **env) as (a, _), \
            streamlit_app(tmp_path / "replica-b", free_port(), **env) as (b, _):
        yield a, b, via
    for proxy in proxies:
        proxy.close()


def test_start_on_one_replica_resume_on_the_other_and_only_the_owner_can(browser, replicas, postgres_url):
    a, b, via = replicas
    alice = open_page(browser)
    alice.goto(via(a, "alice@example.com") + "/")
    alice.get_by_role("button", name="Start interview").click()
    alice.get_by_role("button", name="End and grade").wait_for()  # the interview page, in mock mode too (no chart)
    send(alice, FIRST, 3)
    sid = re.search(r"[?&]session=([0-9a-f]{12})", alice.url).group(1)
    alice.get_by_text("alice@example.com").first.wait_for()

    # the same browser on the other replica: the interview is there, and goes on there
    alice.goto(f"{via(b, 'alice@example.com')}/?session={sid}")
    alice.get_by_text(FIRST[:50]).first.wait_for()
    assert alice.get_by_test_id("stChatMessage").count() == 3
    send(alice, SECOND, 5)
    turns = SessionStore(postgres_url, owner="alice@example.com").turns(sid)
    assert [t["role"] for t in turns] == ["interviewer", "candidate", "interviewer", "candidate", "interviewer"]
    assert [t["content"] for t in turns if t["role"] == "candidate"] == [FIRST, SECOND]

    # another user, on either replica: that id does not exist for him
    bob = open_page(browser)
    for replica in (a, b):
        bob.goto(f"{via(replica, 'bob@example.com')}/?session={sid}")
        bob.get_by_text(f"no interview session '{sid}'").wait_for()
        assert FIRST[:50] not in bob.content()
    bob.goto(f"{via(b, 'bob@example.com')}/history")
    bob.get_by_text("Nothing here yet").wait_for()

    # no header: nothing but the refusal
    nobody = open_page(browser)  # signed in nowhere: the proxy strips the forged header and sets none
    nobody.goto(f"{via(a, None)}/?session={sid}")
    nobody.get_by_text("Not signed in").wait_for()
    assert FIRST[:50] not in nobody.content() and nobody.get_by_test_id("stChatInputTextArea").count() == 0


def test_the_header_is_ignored_when_not_trusted(browser, tmp_path):
    with streamlit_app(tmp_path / "single", free_port(), MLSD_INDEX_ON_START="0") as (url, _):
        forger = SignInProxy(int(url.rsplit(":", 1)[1]), HEADER, "mallory@example.com")  # the header does arrive
        try:
            mallory = open_page(browser)
            mallory.goto(forger.url + "/")
            mallory.get_by_role("button", name="Start interview").wait_for()  # the single local user's app
            assert "Signed in as" not in mallory.content() and "mallory" not in mallory.content()
            assert "Not signed in" not in mallory.content()
        finally:
            forger.close()
