"""The program view's routes: sign-in, the page, the CSV, sign-out."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, redirect, render_template, request
from werkzeug.security import check_password_hash

from ..settings import Settings
from ..store import Store, StoreUnavailable, now
from . import charts
from .auth import COOKIE, PATH, SIGNED_IN_FOR, Cookies, Throttle, Visit, same_token
from .figures import View, build
from .periods import short_week
from .rollup import roll_up_due

logger = logging.getLogger(__name__)
blueprint = Blueprint("program", __name__, template_folder="templates")

NOT_CONFIGURED = ("The program view is off: no password is set. Run `python -m voice_app "
                  "program-password` and set PROGRAM_PASSWORD_HASH to what it prints.")


class Program:
    """Everything the routes share: settings, the store, the cookie signer, the throttle."""

    def __init__(self, settings: Settings, store: Store,
                 clock: Callable[[], datetime] = now) -> None:
        self.settings, self.store, self.clock = settings, store, clock
        self.zone = ZoneInfo(settings.PROGRAM_TIMEZONE)
        self.cookies = Cookies(settings.SECRET_KEY, settings.PROGRAM_PASSWORD_HASH)
        self.throttle = Throttle()

    @property
    def configured(self) -> bool:
        return bool(self.settings.PROGRAM_PASSWORD_HASH)

    def view(self) -> View:
        roll_up_due(self.store, self.zone, self.clock())
        return build(self.store, self.settings.MIN_GROUP, practice_titles())


def practice_titles() -> dict[str, str]:
    """English titles from the catalog being served; ids alone while none is loaded."""
    source = current_app.extensions["catalog"]
    if not source.loaded:
        return {}
    return {p.practice_id: p.title for p in source.get().practices}


def checkin_question() -> str:
    """The question as this deployment words it (the prompts data, English)."""
    source = current_app.extensions["catalog"]
    if source.loaded:
        texts = source.get().library.language("en").checkin.texts
        if texts.get("question"):
            return texts["question"]
    return "Right now, how stressed do you feel? (1 not at all … 5 extremely)"


def program() -> Program:
    return current_app.extensions["program"]


def visit() -> Visit | None:
    return program().cookies.read(request.cookies.get(COOKIE))


def with_cookie(response: Response, signed_in: bool) -> tuple[Response, Visit]:
    value, made = program().cookies.make(signed_in)
    response.set_cookie(COOKIE, value, max_age=SIGNED_IN_FOR, path=PATH, httponly=True,
                        samesite="Strict", secure=program().settings.is_production)
    return response, made


@blueprint.before_request
def refuse_unless_configured():  # type: ignore[no-untyped-def]
    if not program().configured:
        return Response(render_template("program/unavailable.html", message=NOT_CONFIGURED),
                        503, mimetype="text/html")
    return None


@blueprint.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.get("/program")
def page():  # type: ignore[no-untyped-def]
    current = visit()
    if current is None or not current.signed_in:
        return redirect("/program/sign-in", 303)
    try:
        shown = program().view()
    except StoreUnavailable:
        return Response(render_template("program/unavailable.html",
                                        message="The database is not answering. Try again in "
                                                "a minute."), 503, mimetype="text/html")
    return render_template("program/view.html", view=shown, csrf=current.csrf,
                           charts=chart_svgs(shown), zone=program().settings.PROGRAM_TIMEZONE,
                           question=checkin_question())


@blueprint.get("/program/export.csv")
def export():  # type: ignore[no-untyped-def]
    current = visit()
    if current is None or not current.signed_in:
        return Response("Sign in at /program first.\n", 401, mimetype="text/plain")
    try:
        shown = program().view()
    except StoreUnavailable:
        return Response("The database is not answering. Try again in a minute.\n", 503,
                        mimetype="text/plain")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("table", "row", "column", "value"))
    for table in shown.tables.values():
        for heading, cells in table.rows:
            for column, cell in zip(table.columns, cells, strict=True):
                writer.writerow((table.id, heading, column, cell))
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=program-view.csv"})


@blueprint.get("/program/sign-in")
def sign_in_form():  # type: ignore[no-untyped-def]
    current = visit()
    if current is not None and current.signed_in:
        return redirect("/program", 303)
    response = Response(mimetype="text/html")
    response, made = with_cookie(response, signed_in=False)
    response.set_data(render_template("program/sign_in.html", csrf=made.csrf, error=None))
    return response


@blueprint.post("/program/sign-in")
def sign_in():  # type: ignore[no-untyped-def]
    current = visit()
    if not same_token(current, request.form.get("csrf")):
        return Response(render_template("program/unavailable.html", message=(
            "This sign-in form has expired or did not come from this site. Open the sign-in "
            "page again.")), 400, mimetype="text/html")
    address = request.remote_addr or "?"
    wait = program().throttle.retry_after(address)
    if wait:
        return Response(render_template("program/sign_in.html", csrf=current.csrf, error=(
            f"Too many wrong passwords. Try again in {wait // 60 + 1} minutes.")), 429,
            mimetype="text/html", headers={"Retry-After": str(wait)})
    password = request.form.get("password", "")
    if not isinstance(password, str) or not check_password_hash(
            program().settings.PROGRAM_PASSWORD_HASH, password):
        program().throttle.failed(address)
        logger.warning("program view: wrong password")
        return Response(render_template("program/sign_in.html", csrf=current.csrf,
                                        error="That password is not right."), 401,
                        mimetype="text/html")
    program().throttle.succeeded(address)
    response, _ = with_cookie(redirect("/program", 303), signed_in=True)
    return response


@blueprint.post("/program/sign-out")
def sign_out():  # type: ignore[no-untyped-def]
    if not same_token(visit(), request.form.get("csrf")):
        return Response("This form has expired: reload the page.\n", 400,
                        mimetype="text/plain")
    response = redirect("/program/sign-in", 303)
    response.delete_cookie(COOKIE, path=PATH)
    return response


def chart_svgs(shown: View) -> dict[str, str]:
    labels = tuple(short_week(w) for w in shown.weeks)
    found = {}
    if shown.weeks:
        s = shown.series
        found["trend"] = charts.trend(labels, tuple(s["people"]), tuple(s["sessions"]))
        found["stress"] = charts.stress(labels, tuple(s["before"]), tuple(s["after"]))
    table = shown.tables["distribution"]
    if table.rows:
        before, after = (tuple(None if v == "hidden" else float(v.rstrip("%"))
                               for v in cells) for _, cells in table.rows)
        found["distribution"] = charts.distribution(table.caption, before, after)
    return found
