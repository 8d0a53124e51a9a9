"""Check-ins on the web (issue 14) through the Flask client, as a browser without JavaScript
would post them: the cookie and its flags, keyed storage only, shared-computer mode, bad posts,
the per-catalog page cache never holding a person, and the listener's own view."""

from __future__ import annotations

import html as html_module
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from voice_app import create_app
from voice_app.keys import listener_key
from voice_app.store import now, preferences, sessions

SITE = "https://compassion.example.test"
SAME = {"Origin": SITE}
COOKIE = "cb_listener"
PRACTICE = "loving-kindness"  # 1 and 5 minutes in the fixture library


def rows(app) -> list[dict]:  # type: ignore[no-untyped-def]
    store = app.extensions["store"]
    return store._run(lambda conn: [dict(r) for r in conn.execute(
        sa.select(sessions).order_by(sessions.c.id)).mappings()])


def prefs(app) -> list[dict]:  # type: ignore[no-untyped-def]
    store = app.extensions["store"]
    return store._run(lambda conn: [dict(r) for r in conn.execute(
        sa.select(preferences)).mappings()])


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, (response.status_code, response.data[:300])
    return html_module.unescape(response.get_data(as_text=True))


def before(client, answer="4", minutes="5", practice=PRACTICE, prefix="", **extra):  # type: ignore
    data = {"practice_id": practice, "minutes": minutes, "answer": answer, **extra}
    return client.post(f"{prefix}/checkins/before", data=data, headers=SAME)


def answer_before(client, answer="4", **extra) -> int:  # type: ignore[no-untyped-def]
    response = before(client, answer, **extra)
    assert response.status_code == 303, response.data[:300]
    return int(re.search(r"/checkins/practice/(\d+)", response.headers["Location"]).group(1))


def answer_after(client, session_id: int, answer="2"):  # type: ignore[no-untyped-def]
    return client.post("/checkins/after", data={"session_id": str(session_id),
                                                "answer": answer}, headers=SAME)


def buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" name="answer" value="(\d)"', html)


def test_browsing_sets_no_cookie_and_stores_nothing(app, client):
    for url in ("/", "/practices/loving-kindness", "/es/", "/es/practices/the-pause",
                "/checkins", "/es/checkins", "/feed.xml"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
    assert rows(app) == [] and prefs(app) == []


def test_a_before_answer_without_javascript_sets_a_safe_cookie_and_keeps_only_its_key(
        app, client, app_config):
    html = text(client.get("/practices/loving-kindness"))
    assert buttons(html) == ["1", "2", "3", "4", "5"]  # the 5-minute card; never for 1 minute
    for n, label in enumerate(["not at all", "a little", "moderately", "quite a bit",
                               "extremely"], start=1):
        assert f'value="{n}" class="answer"><span class="n">{n}</span> {label}</button>' in html
    assert '<legend>Before you listen, how stressed do you feel right now?</legend>' in html

    response = before(client, "4")
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # test settings; production below
    raw = client.get_cookie(COOKIE).value
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", raw)
    [row] = rows(app)
    assert row["listener_key"] == listener_key(app_config["SECRET_KEY"], "web", raw)
    assert (row["channel"], row["practice_id"], row["minutes"], row["language"]) == (
        "web", PRACTICE, 5, "en")
    assert row["before"] == 4 and row["asked"] and row["after"] is None
    database = Path(app_config["DATABASE_URL"].removeprefix("sqlite:///")).read_bytes()
    assert raw.encode() not in database  # the id itself is never stored


def test_the_card_asks_after_and_an_answer_counts_once(app, client):
    session_id = answer_before(client, "4")
    card = client.get(f"/checkins/practice/{session_id}?said=1")
    assert card.headers["Cache-Control"] == "no-store" and "Cookie" in card.headers["Vary"]
    for page in (card, client.get("/checkins")):  # the personal pages are not framed, ...
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Content-Type-Options"] == "nosniff"
    html = text(card)
    assert "Before: quite a bit. Thank you." in html
    assert f'name="session_id" value="{session_id}"' in html and len(buttons(html)) == 5
    assert 'id="player-loving-kindness-5"' in html
    assert answer_after(client, session_id, "2").status_code == 303
    assert rows(app)[0]["after"] == 2 and rows(app)[0]["finished_at"] is not None
    done = text(client.get(f"/checkins/practice/{session_id}"))
    assert "Before: quite a bit. After: a little." in done and buttons(done) == []
    answer_after(client, session_id, "5")  # never twice
    assert rows(app)[0]["after"] == 2


def test_days_later_the_after_question_is_closed_and_an_answer_does_not_count(app, client):
    """The web cannot see a practice end: past its length and the window, the card no longer
    asks, and a forged late answer is stored as late (delay kept), never counted."""
    session_id = answer_before(client, "4")
    store = app.extensions["store"]
    with store.engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.id == session_id).values(
            started_at=now() - timedelta(days=3)))
    assert buttons(text(client.get(f"/checkins/practice/{session_id}"))) == []
    answer_after(client, session_id, "1")
    row = rows(app)[0]
    assert row["after"] is None and row["after_delay_s"] > 2 * 24 * 3600


def test_skipping_the_after_question_closes_it(app, client):
    session_id = answer_before(client, "3")
    response = client.post("/checkins/after", data={"session_id": str(session_id),
                                                    "skip": "1"}, headers=SAME)
    assert response.status_code == 303
    assert rows(app)[0]["after_declined"] and rows(app)[0]["after"] is None
    answer_after(client, session_id, "2")
    assert rows(app)[0]["after"] is None
    assert buttons(text(client.get(f"/checkins/practice/{session_id}"))) == []


def test_pressing_twice_starts_one_practice(app, client):
    first, second = answer_before(client, "4"), answer_before(client, "3")
    assert first == second and len(rows(app)) == 1 and rows(app)[0]["before"] == 4


def test_a_five_is_met_with_care_once(app_config):
    app = create_app({**app_config, "SUPPORT_LINE": "+1 555 010 0199"})
    client = app.test_client()
    session_id = answer_before(client, "5")
    first = text(client.get(f"/checkins/practice/{session_id}?said=1"))
    assert 'staff support line is <a href="tel:+15550100199">+1 555 010 0199</a>' in first
    assert '<a href="tel:988">988</a>, the Suicide and Crisis Lifeline' in first
    assert 'class="support"' in first and 'role="alert"' not in first
    assert "The practice is here for you now." in first
    again = text(client.get(f"/checkins/practice/{session_id}"))
    assert 'class="support"' not in again
    answer_after(client, session_id, "5")
    after = text(client.get(f"/checkins/practice/{session_id}?said=1"))
    assert 'class="support"' not in after  # once per practice
    skipper = app.test_client()
    skipped = answer_before(skipper, "5", practice="end-of-shift", minutes="3")
    skipper.post("/checkins/after", data={"session_id": str(skipped), "skip": "1"},
                 headers=SAME)
    assert 'class="support"' not in text(skipper.get(f"/checkins/practice/{skipped}?said=1"))
    worse = app.test_client()  # a 5 after a lower answer is met too
    later = answer_before(worse, "3", practice="end-of-shift", minutes="3")
    assert 'class="support"' not in text(worse.get(f"/checkins/practice/{later}?said=1"))
    answer_after(worse, later, "5")
    met = text(worse.get(f"/checkins/practice/{later}?said=1"))
    assert 'class="support"' in met and "practice is here for you" not in met  # it is over


def test_shared_computer_mode_keeps_nothing(app, client):
    response = before(client, "5", shared="1")
    html = text(response)
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == \
        "no-store"
    assert "Before: extremely. Thank you." in html and 'class="support"' in html
    assert "nothing was kept" in html and 'name="shared" value="1"' in html
    finish = client.post("/checkins/after", data={
        "shared": "1", "practice_id": PRACTICE, "minutes": "5", "before": "5",
        "answer": "3"}, headers=SAME)
    assert "Before: extremely. After: moderately." in text(finish)
    assert "Set-Cookie" not in finish.headers
    assert client.get_cookie(COOKIE) is None and rows(app) == [] and prefs(app) == []
    skipped = text(client.post("/checkins/after", data={
        "shared": "1", "practice_id": PRACTICE, "minutes": "5", "before": "5", "skip": "1"},
        headers=SAME))
    assert buttons(skipped) == [] and 'class="support"' not in skipped
    assert "Nothing more to answer" in skipped and rows(app) == []
    stop = before(client, "", stop="1", shared="1")
    assert stop.status_code == 303 and "Set-Cookie" not in stop.headers
    assert client.get_cookie(COOKIE) is None and rows(app) == [] and prefs(app) == []


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 403),
    ({"Origin": "https://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Sec-Fetch-Site": "same-origin"}, 303),
])
def test_only_this_site_may_post(app, client, headers, status):
    data = {"practice_id": PRACTICE, "minutes": "5", "answer": "3"}
    response = client.post("/checkins/before", data=data, headers=headers)
    assert response.status_code == status
    assert len(rows(app)) == (1 if status == 303 else 0)
    if status == 403:
        assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("data", [
    {"practice_id": PRACTICE, "minutes": "5", "answer": "6"},
    {"practice_id": PRACTICE, "minutes": "5", "answer": "0"},
    {"practice_id": PRACTICE, "minutes": "5", "answer": ""},
    {"practice_id": PRACTICE, "minutes": "5", "answer": "3.5"},
    {"practice_id": PRACTICE, "minutes": "five", "answer": "3"},
    {"practice_id": PRACTICE, "minutes": "5"},
])
def test_bad_answers_are_400_and_change_nothing(app, client, data):
    response = client.post("/checkins/before", data=data, headers=SAME)
    assert response.status_code == 400
    assert rows(app) == [] and "Set-Cookie" not in response.headers


def test_unknown_practice_or_length_is_404(app, client):
    assert before(client, "3", practice="no-such").status_code == 404
    assert before(client, "3", minutes="7").status_code == 404
    assert rows(app) == []


def test_another_listeners_session_is_out_of_reach(app, app_config):
    alice, mallory = app.test_client(), app.test_client()
    session_id = answer_before(alice, "4")
    assert mallory.get(f"/checkins/practice/{session_id}").status_code == 404
    assert answer_after(mallory, session_id, "1").status_code == 403  # no cookie at all
    answer_before(mallory, "2", practice="the-pause", minutes="1")
    assert answer_after(mallory, session_id, "1").status_code == 404  # not theirs
    assert mallory.get(f"/checkins/practice/{session_id}").status_code == 404
    assert rows(app)[0]["after"] is None
    for bad in ("", "x", "-1"):
        response = mallory.post("/checkins/after", data={"session_id": bad, "answer": "1"},
                                headers=SAME)
        assert response.status_code == 400
    assert rows(app)[0]["after"] is None


def test_the_page_cache_never_holds_a_person(app, client):
    anonymous = client.get("/practices/loving-kindness")
    session_id = answer_before(client, "4")
    answer_after(client, session_id, "2")
    mine = client.get("/checkins")
    assert mine.headers["Cache-Control"] == "no-store" and "Cookie" in mine.headers["Vary"]
    known = client.get("/practices/loving-kindness")
    assert known.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in known.headers["Vary"]
    assert known.data == anonymous.data  # same generic render: nothing of the listener in it
    raw = client.get_cookie(COOKIE).value
    cached = app.extensions["rendered_pages"]
    assert cached
    for key, (_, body, _) in cached.items():
        page = body.decode("utf-8", "replace")
        assert raw not in page and "checkin-card" not in page and "session_id" not in page
        assert "quite a bit. Thank you" not in page, key
        assert all(not isinstance(part, str) or "checkins" not in part for part in key), key


def test_own_view_shows_only_their_pairs_as_an_accessible_plot(app, client):
    other = app.test_client()
    for first, last in ((5, 3), (4, 2), (3, 3)):
        answer_after(client, answer_before(client, str(first)), str(last))
    answer_after(other, answer_before(other, "1", practice="the-pause", minutes="1"), "1")
    html = text(client.get("/checkins"))
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert "<title id=\"chart-title\">Your stress before and after your last 3 practices" in svg
    assert "was 4 on average before, and 2.7 after" in svg
    assert svg.count('class="before"') == 3 and svg.count('class="after"') == 3
    cells = re.findall(r"<tr><th scope=\"row\">(\d)</th><td>[\d-]+</td><td>([^<]+)</td>"
                       r"<td>(\d)</td><td>(\d)</td></tr>", html)
    assert cells == [("1", "Loving-Kindness", "5", "3"), ("2", "Loving-Kindness", "4", "2"),
                     ("3", "Loving-Kindness", "3", "3")]
    assert "The Pause" not in html  # the other listener's practice
    theirs = text(other.get("/checkins"))
    assert theirs.count('class="before"') == 1 and "Loving-Kindness" not in theirs
    assert "Nothing is kept about you" in text(app.test_client().get("/checkins"))


def test_the_switch_turns_the_question_off_and_on(app, client):
    response = client.post("/checkins/choice", data={"checkin": "off"}, headers=SAME)
    assert response.status_code == 303 and "HttpOnly" in response.headers["Set-Cookie"]
    assert prefs(app)[0]["checkin"] == "off"
    assert buttons(text(client.get("/practices/loving-kindness"))) == []
    assert "Check-ins are off" in text(client.get("/checkins"))
    client.post("/checkins/choice", data={"checkin": "on"}, headers=SAME)
    assert prefs(app)[0]["checkin"] == "on"
    assert len(buttons(text(client.get("/practices/the-pause")))) == 5  # 1 minute, asked
    assert client.post("/checkins/choice", data={"checkin": "maybe"},
                       headers=SAME).status_code == 400
    assert prefs(app)[0]["checkin"] == "on"


def test_dont_ask_me_on_the_card_turns_it_off(app, client):
    response = before(client, "", stop="1")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/practices/loving-kindness")
    assert prefs(app)[0]["checkin"] == "off" and rows(app) == []


def test_forget_deletes_everything_and_the_cookie(app, client):
    answer_after(client, answer_before(client, "4"), "2")
    client.post("/checkins/choice", data={"checkin": "on"}, headers=SAME)
    assert client.post("/checkins/forget", headers={}).status_code == 403
    assert rows(app) and prefs(app)
    response = client.post("/checkins/forget", headers=SAME)
    assert response.status_code == 303
    assert rows(app) == [] and prefs(app) == []
    assert client.get_cookie(COOKIE) is None
    assert "Deleted. Nothing is kept about you" in text(client.get(response.headers["Location"]))


def test_production_cookie_is_secure(app_config, tmp_path):
    from voice_app.schema import upgrade

    upgrade(app_config["DATABASE_URL"])
    app = create_app({**app_config, "APP_ENV": "production", "SECRET_KEY": "a-real-secret"})
    response = before(app.test_client(), "3")
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_checkin_off_shows_no_buttons_and_refuses_answers(app_config):
    app = create_app({**app_config, "CHECKIN": "off"})
    client = app.test_client()
    for url in ("/practices/loving-kindness", "/es/practices/loving-kindness"):
        html = text(client.get(url))
        assert buttons(html) == [] and "/checkins/before" not in html
        assert 'href="/checkins"' not in html and 'href="/es/checkins"' not in html
    assert before(client, "3").status_code == 404
    assert client.post("/checkins/choice", data={"checkin": "on"},
                       headers=SAME).status_code == 404
    assert rows(app) == []


def test_spanish_card_and_view_are_in_spanish(app, client):
    html = text(client.get("/es/practices/loving-kindness"))
    assert 'action="/es/checkins/before"' in html
    assert '<span class="n">4</span> bastante</button>' in html
    response = before(client, "4", prefix="/es")
    assert response.headers["Location"].startswith("/es/checkins/practice/")
    assert rows(app)[0]["language"] == "es"
    card = text(client.get(response.headers["Location"]))
    assert '<html lang="es">' in card and "Antes: bastante. Gracias." in card
    assert 'action="/es/checkins/after"' in card
    assert "Tus check-ins" in text(client.get("/es/checkins"))
