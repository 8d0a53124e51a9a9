"""The web catalog in real headless Chromium (Debian's `chromium`, driven by Playwright).

Skips, saying why, only where no Chromium can be found. The screenshot of the home page at
phone width is written to var/test-output/home.png.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
from test_web_ranges import serving

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "var" / "test-output"
PHONE = {"width": 390, "height": 844}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium found: install Debian's chromium (apt-get install "
                             "chromium) or set CHROMIUM=/path/to/chromium")


@pytest.fixture(scope="module")
def config(built_library: Path, tmp_path_factory) -> dict[str, object]:
    return {"APP_ENV": "test", "BUILD_DIR": str(built_library), "SECRET_KEY": "test",
            "HOTLINE_NUMBER": "+1 555 010 0100", "CRISIS_LINE": "988",
            "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'browser.sqlite3'}"}


@pytest.fixture(scope="module")
def origin(config) -> Iterator[str]:
    with serving(config) as served:
        yield served


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def wait_until(page, expression: str, timeout_s: float = 15.0) -> None:  # type: ignore
    """Poll a JavaScript expression (page.evaluate, which the pages' CSP allows, unlike
    wait_for_function's in-page eval) until it is truthy."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.1)


class Watch:
    """Console errors, page errors and every request URL a browser context makes."""

    def __init__(self, context, page) -> None:  # type: ignore[no-untyped-def]
        self.errors: list[str] = []
        self.urls: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))
        page.on("console", lambda message: message.type == "error"
                and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def foreign(self, origin: str) -> list[str]:
        return [url for url in self.urls
                if not url.startswith((origin + "/", "data:", "blob:"))]


def test_pages_load_cleanly_and_stay_on_this_site(browser, origin):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    watch = Watch(context, page)
    page.goto(origin + "/")
    wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
    assert page.get_by_role("heading", name="Between patients", exact=True).is_visible()
    assert page.locator("audio[preload=none]").count() == 11
    assert "Not a crisis service" in page.locator("footer").inner_text()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "home.png"), full_page=True)
    page.screenshot(path=str(OUTPUT / "home-first-screen.png"))
    page.keyboard.press("Tab")  # keyboard users land on the skip link first, and can see it
    assert page.evaluate("document.activeElement.textContent") == "Skip to the practices"
    assert page.locator(".skip").bounding_box()["x"] >= 0
    page.get_by_role("link", name="Loving-Kindness", exact=True).click()
    page.wait_for_url("**/practices/loving-kindness")
    assert page.get_by_role("heading", name="Transcript").is_visible()
    page.screenshot(path=str(OUTPUT / "practice.png"), full_page=True)
    context.close()
    assert watch.errors == []
    assert watch.foreign(origin) == []


def test_a_practice_plays_and_step_links_seek(browser, origin):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    watch = Watch(context, page)
    page.goto(origin + "/practices/loving-kindness")
    player = "document.getElementById('player-loving-kindness-5')"
    page.evaluate(f"{player}.play()")
    wait_until(page, f"{player}.currentTime > 0.5", 15.0)
    step = page.locator("[data-player='player-loving-kindness-5']").nth(1)
    target = float(step.get_attribute("data-seek"))
    step.click()
    wait_until(page, f"Math.abs({player}.currentTime - {target}) < 3", 10.0)
    context.close()
    assert watch.errors == []


def test_the_length_filter_works_without_javascript(browser, origin):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(origin + "/")
    page.get_by_role("link", name="3 min", exact=True).click()
    page.wait_for_url("**/?minutes=3*")
    lengths = page.locator(".length .minutes").all_inner_texts()
    assert lengths and set(lengths) == {"3 min"}
    titles = page.locator("article.practice h3").all_inner_texts()
    assert titles == ["Grounding When Overwhelmed", "Reconnecting When Numb", "End of Shift"]
    assert page.locator("[aria-current=page]").inner_text() == "3 min"
    assert not page.locator("[data-save]").first.is_visible()  # saving needs JavaScript
    context.close()


def test_saved_practice_plays_offline_and_space_can_be_freed(browser, config):
    """Network off twice over: the browser is set offline and the server is stopped."""
    server = ExitStack()
    origin = server.enter_context(serving(config))
    with server, closing(browser.new_context(viewport=PHONE)) as context:
        page = context.new_page()
        watch = Watch(context, page)
        page.goto(origin + "/")
        wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now controlled by the service worker
        wait_until(page, "navigator.serviceWorker.controller !== null")
        page.get_by_role("button", name="Save Loving-Kindness (1 min) for offline").click()
        row = page.locator("[data-title='Loving-Kindness (1 min)']")
        row.locator(".saved-badge").wait_for(state="visible")
        assert "1 recording saved" in page.locator("#storage-summary").inner_text()
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.locator("#storage").screenshot(path=str(OUTPUT / "storage-saved.png"))
        row.screenshot(path=str(OUTPUT / "practice-saved.png"))
        remove = row.get_by_role("button", name="Remove Loving-Kindness (1 min) from this phone")
        assert remove.is_visible()

        server.close()  # the server stops; the browser stays
        context.set_offline(True)
        page.reload()
        row.locator(".saved-badge").wait_for(state="visible")
        assert "1 recording saved" in page.locator("#storage-summary").inner_text()
        player = "document.getElementById('player-loving-kindness-1')"
        page.evaluate(f"{player}.play()")
        wait_until(page, f"{player}.currentTime > 0.5", 15.0)

        page.get_by_role("button", name="Remove all saved practices").click()
        wait_until(page, "document.getElementById('storage-summary').textContent"
                         ".startsWith('Nothing saved')")
        assert not row.locator(".saved-badge").is_visible()
    assert watch.errors == []
    assert watch.foreign(origin) == []


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.x A/AA rules and best practices; each violation as rule: nodes."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]]


def test_pages_are_axe_clean_in_english_and_spanish(browser, origin):
    """Every kind of page in both languages, the check-in card and the listener's own plot."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    watch = Watch(context, page)
    found = {}
    for path in ("/", "/practices/loving-kindness", "/privacy", "/es/",
                 "/es/practices/loving-kindness", "/es/terms"):
        page.goto(origin + path)
        found[path] = axe_violations(page)
        assert page.evaluate("document.documentElement.lang") == (
            "es" if path.startswith("/es/") else "en")
    for prefix in ("", "/es"):  # a check-in, then its card and the plot, in each language
        page.goto(origin + prefix + "/practices/loving-kindness")
        page.locator("form.checkin button[name=answer][value='5']").click()
        page.wait_for_url("**/checkins/practice/*")
        found[prefix + " card"] = axe_violations(page)
        assert page.locator(".support").is_visible()
        with page.expect_navigation():
            page.locator("form.checkin button[name=answer][value='2']").click()
        page.goto(origin + prefix + "/checkins")
        assert page.get_by_role("img").count() == 1
        found[prefix + "/checkins"] = axe_violations(page)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "checkins-es.png"), full_page=True)
    context.close()
    assert {path: v for path, v in found.items() if v} == {}
    assert watch.errors == []
    assert watch.foreign(origin) == []


def test_check_in_with_the_keyboard_alone_and_no_javascript(browser, origin):
    """Tab to the answer, press Enter; on the card, Tab to the after answer, press Space. The
    buttons are named by their visible words, as a screen reader says them."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(origin + "/practices/grounding-when-overwhelmed")
    answer = page.get_by_role("button", name="4 quite a bit", exact=True)
    assert answer.count() == 1  # the 3-minute card; the 1-minute one is not asked
    group = page.get_by_role("group", name="Before you listen, how stressed do you feel "
                                           "right now?")
    assert group.count() == 1
    tab_to(page, "4 quite a bit")
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkins/practice/*")
    assert "Before: quite a bit. Thank you." in page.locator("main").inner_text()
    tab_to(page, "2 a little")
    with page.expect_navigation():
        page.keyboard.press(" ")
    assert "Before: quite a bit. After: a little." in page.locator("main").inner_text()
    cookie = next(c for c in context.cookies() if c["name"] == "cb_listener")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    context.close()


def tab_to(page, name: str, most: int = 80) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element's text is `name`."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and " ".join(focused.inner_text().split()) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")
