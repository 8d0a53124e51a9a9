"""The program view in real headless Chromium at phone width: signing in with the keyboard, the
page axe-clean (sign-in and view), nothing fetched from another site, no sideways scrolling of
the page, the charts as named images. Screenshots go to var/test-output/program*.png."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from test_browser import ARGS, CHROMIUM, OUTPUT, PHONE, Watch
from test_program_figures import AT, insert, seed_rows
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from voice_app import create_app

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found")
PASSWORD = "a long program password"


@contextmanager
def serving(config: dict[str, object]) -> Iterator[str]:
    app = create_app(config)
    insert(app.extensions["store"], seed_rows())
    app.extensions["program"].clock = lambda: AT
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture(scope="module")
def origin(built_library, tmp_path_factory) -> Iterator[str]:
    config = {"APP_ENV": "test", "BUILD_DIR": str(built_library), "SECRET_KEY": "test",
              "PROGRAM_PASSWORD_HASH": generate_password_hash(PASSWORD),
              "PROGRAM_TIMEZONE": "America/Chicago",
              "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'program.sqlite3'}"}
    with serving(config) as served:
        yield served


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


def test_the_program_view_on_a_phone_is_axe_clean_and_self_contained(origin):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        watch = Watch(context, page)
        page.goto(origin + "/program")
        page.wait_for_url("**/program/sign-in")
        assert violations(page) == []
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "password"
        page.keyboard.type("not the password")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.get_by_role("alert").inner_text() == "That password is not right."
        assert violations(page) == []
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/program")
        assert page.get_by_role("heading", name="Program view", level=1).is_visible()
        for name in ("Weekly use: sessions and people active",
                     "Weekly mean stress before and after a practice"):
            assert page.get_by_role("img", name=name).count() == 1
        assert page.get_by_role("img", name="Stress answers before and after").count() == 1
        assert page.get_by_role("table").count() == 12
        found = violations(page)
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / "program.png"), full_page=True)
        page.screenshot(path=str(OUTPUT / "program-first-screen.png"))
        # the page itself never scrolls sideways: wide tables scroll in their own regions
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        context.close()
        browser.close()
    assert found == []
    # the one console error is the wrong password's own 401
    assert [e for e in watch.errors if "401" not in e] == []
    assert watch.foreign(origin) == []
