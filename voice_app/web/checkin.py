"""Check-ins on the web (issue 14): the stress question before and after a practice as five
labelled buttons in plain forms (no JavaScript needed), and the listener's own view
(`/checkins`: a plot of their last 20 before/after pairs, the on/off switch, forget).

Identity: a random id in a first-party cookie (`cb_listener`: HttpOnly, SameSite=Lax, Secure in
production), set only when the listener answers or makes a choice, never for browsing; only its
HMAC (`keys.listener_key(SECRET_KEY, "web", id)`) is stored. "Shared computer" answers set no
cookie and store nothing: the answer is shown back and forgotten.

The practice page stays one cached render per language and per set of lengths asked about (no
person in it); everything personal is a page of its own, `no-store`. Every form posts only from
this site: the browser's Origin (or Sec-Fetch-Site) must say so, else 403, and the cookie is
SameSite=Lax, so another site cannot post with it. Rules are `voice_app.checkins`'.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, make_response, redirect, request, url_for
from flask import render_template as render
from markupsafe import Markup, escape

from ..checkins import Checkins, Session, after_open
from ..keys import listener_key
from ..store import StoreUnavailable, now
from . import chart, language, pages, site

blueprint = Blueprint("checkin", __name__)
blueprint.after_request(pages.security_headers)  # the personal pages most of all

COOKIE = "cb_listener"
_ID = re.compile(r"[A-Za-z0-9_-]{43}")
"""secrets.token_urlsafe(32): 256 random bits."""
COOKIE_DAYS = 400
"""Browsers keep a cookie at most 400 days; the answers expire sooner (docs/checkin.md)."""
DOUBLE_SUBMIT = timedelta(minutes=2)
PERSONAL = "no-store"


# -- who is asking -----------------------------------------------------------------------------

def cookie_id() -> str | None:
    raw = request.cookies.get(COOKIE, "")
    return raw if _ID.fullmatch(raw) else None


def key_of(raw: str) -> str:
    return listener_key(site.settings().SECRET_KEY, "web", raw)


def service() -> Checkins:
    return current_app.extensions["checkins"]


def asked_lengths(practice) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """The practice's lengths whose card shows the question: `should_ask` for the cookie's
    listener; for a visitor without one, what a first practice is offered (every length but
    1 minute). Nothing of the person is in the answer but these few numbers."""
    if site.settings().CHECKIN == "off":
        return ()
    minutes = [variant.minutes for variant in practice.variants]
    raw = cookie_id()
    if raw is None:
        return tuple(m for m in minutes if m > 1)
    key = key_of(raw)
    try:
        short = any(m <= 1 for m in minutes) and service().should_ask(key, 1)
        long = any(m > 1 for m in minutes) and service().should_ask(key, 5)
    except StoreUnavailable:
        return ()
    return tuple(m for m in minutes if (short if m <= 1 else long))


def from_this_site() -> None:
    """403 unless the browser says the form came from this site (Origin, or Sec-Fetch-Site
    from browsers that send no Origin)."""
    origin = request.headers.get("Origin")
    own = {request.host_url.rstrip("/"), site.settings().PUBLIC_BASE_URL.rstrip("/")}
    if origin is not None:
        if origin not in own:
            abort(403)
        return
    if request.headers.get("Sec-Fetch-Site") != "same-origin":
        abort(403)


def personal(response: Response, new_id: str | None = None) -> Response:
    response.headers["Cache-Control"] = PERSONAL
    response.headers["Vary"] = "Cookie"
    if new_id is not None:
        response.set_cookie(COOKIE, new_id, max_age=COOKIE_DAYS * 86400, path="/",
                            httponly=True, samesite="Lax",
                            secure=site.settings().is_production)
    return response


def _answer(name: str = "answer") -> int:
    raw = request.form.get(name, "")
    if raw not in ("1", "2", "3", "4", "5"):
        abort(400)
    return int(raw)


def _enabled() -> None:
    if site.settings().CHECKIN == "off":
        abort(404)


def _variant():  # type: ignore[no-untyped-def]
    minutes = request.form.get("minutes", "")
    if not minutes.isdigit():
        abort(400)
    return site.variant_or_404(request.form.get("practice_id", ""), int(minutes))


# -- before and after --------------------------------------------------------------------------

@language.route(blueprint, "/checkins/before", methods=["POST"])
def before(lang: str):  # type: ignore[no-untyped-def]
    _enabled()
    from_this_site()
    practice, variant = _variant()
    shared = request.form.get("shared") == "1"
    raw = cookie_id()
    new_id = None if raw or shared else secrets.token_urlsafe(32)
    if request.form.get("stop") == "1":
        if not shared:  # a shared computer's "don't ask me" keeps nothing either
            service().set_choice(key_of(raw or new_id), False)  # type: ignore[arg-type]
        back = url_for("web.practice", practice_id=practice.practice_id)
        return personal(redirect(back, 303), new_id)
    value = _answer()
    if shared:
        return personal(make_response(_card(practice, variant, before=value, shared=True)))
    key = key_of(raw or new_id)  # type: ignore[arg-type]
    latest = service().latest(key)
    if latest is not None and _same_practice(latest, practice, variant):
        session_id = latest.session_id  # a second press of the same form: never twice
    else:
        session_id = service().begin(key, "web", practice.practice_id, variant.minutes,
                                     practice.language, before=value)
    return personal(redirect(url_for("checkin.session", session_id=session_id, said=1), 303),
                    new_id)


def _same_practice(latest: Session, practice, variant) -> bool:  # type: ignore[no-untyped-def]
    return (latest.practice_id, latest.minutes) == (practice.practice_id, variant.minutes) \
        and latest.after is None and latest.after_delay_s is None \
        and now() - latest.started_at < DOUBLE_SUBMIT


@language.route(blueprint, "/checkins/practice/<int:session_id>", methods=["GET"])
def session(lang: str, session_id: int):  # type: ignore[no-untyped-def]
    """The listener's own card for the practice they checked in to: the player, what they
    answered, the after question."""
    found = _own_session(session_id)
    practice, variant = site.variant_or_404(found.practice_id, found.minutes)
    said = request.args.get("said") == "1"
    return personal(make_response(_card(practice, variant, session=found, said=said)))


@language.route(blueprint, "/checkins/after", methods=["POST"])
def after(lang: str):  # type: ignore[no-untyped-def]
    _enabled()
    from_this_site()
    if request.form.get("shared") == "1":
        practice, variant = _variant()
        first = _answer("before")
        value = None if request.form.get("skip") == "1" else _answer()
        return personal(make_response(_card(practice, variant, before=first, after=value,
                                            shared=True, ended=True)))
    raw_id = request.form.get("session_id", "")
    if not raw_id.isdigit():
        abort(400)
    found = _own_session(int(raw_id), missing=403)
    key = key_of(cookie_id())  # type: ignore[arg-type]
    if request.form.get("skip") == "1":
        service().decline_after(found.session_id, listener_key=key)
    else:
        service().record_after(key, found.session_id, _answer())
    return personal(redirect(url_for("checkin.session", session_id=found.session_id, said=1),
                             303))


def _own_session(session_id: int, missing: int = 404) -> Session:
    """The listener's latest practice, if it is this one: a session id alone shows nothing."""
    raw = cookie_id()
    if raw is None:
        abort(missing)
    latest = service().latest(key_of(raw))
    if latest is None or latest.session_id != session_id:
        abort(404)
    return latest


def _card(practice, variant, *, session: Session | None = None,  # type: ignore[no-untyped-def]
          before: int | None = None, after: int | None = None, shared: bool = False,
          said: bool = False, ended: bool = False) -> str:
    """The listener's card: the player, their answers, the after question while it is open.
    From a stored `session`, or from a shared computer's form (`before`, `after`, `ended`:
    the after question was answered or skipped)."""
    spoken = language.language()
    first = session.before if session else before
    last = session.after if session else after
    late = session is not None and session.after is None and session.after_delay_s is not None
    closed = ended if session is None else not after_open(session)
    # A 5 is met once, when it is given: the before answer while the after question is open,
    # or the after answer after a lower one.
    five_after = last == 5 and first != 5
    five = (said or shared) and ((first == 5 and not closed) or five_after)
    return render(
        "checkin.html", practice=practice, variant=variant, session=session,
        before=first, after=last, late=late, shared=shared, labels=spoken.checkin.labels,
        ask_after=not closed, support=_support(spoken, after=five_after) if five else "",
        **pages.common())


def _support(spoken, *, after: bool = False) -> Markup:  # type: ignore[no-untyped-def]
    """`CheckinText.support`'s words with each number a link a phone can call."""
    current = site.settings()
    crisis = language.crisis_line(spoken, current.CRISIS_LINE,
                                  language.own_crisis_line(current, spoken.code))
    support = language.tel(current.SUPPORT_LINE) if current.SUPPORT_LINE else ""
    return Markup(spoken.checkin.support(crisis, support, after=after,
                                         wrap=lambda text: Markup(escape(text))))


# -- the listener's own view -------------------------------------------------------------------

@language.route(blueprint, "/checkins", methods=["GET"])
def mine(lang: str):  # type: ignore[no-untyped-def]
    raw = cookie_id()
    pairs, choice = [], None
    if raw is not None:
        key = key_of(raw)
        pairs = service().recent_pairs(key, limit=20)
        choice = service().choice(key)
    titles = {p.practice_id: p.title for p in site.catalog().practices}
    spoken = language.language()
    drawn = chart.dumbbell([(p.before, p.after) for p in pairs])  # type: ignore[misc]
    history = spoken.checkin.history([(p.before, p.after) for p in pairs])  # type: ignore[misc]
    return personal(make_response(render(
        "checkins.html", known=raw is not None, pairs=pairs, choice=choice, chart=drawn,
        history=history, titles=titles, done=request.args.get("done", ""),
        enabled=site.settings().CHECKIN != "off", **pages.common())))


@language.route(blueprint, "/checkins/choice", methods=["POST"])
def choice(lang: str):  # type: ignore[no-untyped-def]
    _enabled()
    from_this_site()
    wanted = request.form.get("checkin")
    if wanted not in ("on", "off"):
        abort(400)
    raw = cookie_id()
    new_id = None if raw else secrets.token_urlsafe(32)
    service().set_choice(key_of(raw or new_id), wanted == "on")  # type: ignore[arg-type]
    return personal(redirect(url_for("checkin.mine", done=wanted), 303), new_id)


@language.route(blueprint, "/checkins/forget", methods=["POST"])
def forget(lang: str):  # type: ignore[no-untyped-def]
    """Every row under this browser's key, at once (`Store.forget`), and the cookie."""
    from_this_site()
    raw = cookie_id()
    if raw is not None:
        current_app.extensions["store"].forget(key_of(raw))
    response = personal(redirect(url_for("checkin.mine", done="forgotten"), 303))
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax",
                           secure=site.settings().is_production)
    return response



