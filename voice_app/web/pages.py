"""The pages people read: the catalog (`/`, with `?minutes=` as a no-JavaScript time filter),
one practice (`/practices/<id>`: lengths, steps that seek the player, transcript, sources), and
the privacy notice and terms of use (`/privacy`, `/terms`). Each in every language of the
library, under its path (`/es/`, `/es/practices/<id>`): see `language`.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from . import checkin, language, legal, listing, site

blueprint = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/assets")


PAGE_CACHE = "no-cache"
"""Pages may be kept but are checked each time (a cheap 304), so a rebuild shows at once."""


@language.route(blueprint, "/", methods=["GET"])
def home(lang: str):  # type: ignore[no-untyped-def]
    chosen = listing.time_filter(request.args.get("minutes"))

    def render() -> str:
        catalog = site.catalog()
        total = sum(v.bytes for p in catalog.practices for v in p.variants)
        sections = listing.sections(catalog, chosen, listing.others(language.words()))
        return render_template("home.html", sections=sections,
                               chosen=chosen, filters=listing.TIME_FILTERS, total_bytes=total,
                               example=_example(catalog), **common())
    return site.cached_page(("home", chosen.key if chosen else None), render, mimetype="text/html",
                            cache_control=PAGE_CACHE)


@language.route(blueprint, "/practices/<practice_id>", methods=["GET"])
def practice(lang: str, practice_id: str):  # type: ignore[no-untyped-def]
    """One render per language and per set of lengths whose card asks the check-in question:
    what differs between listeners is only which of the generic renders they get."""
    found = site.practice_or_404(practice_id)
    asked = checkin.asked_lengths(found)

    def render() -> str:
        need = listing.heading_of(site.catalog(), found)
        return render_template("practice.html", practice=found, need=need, asked=asked,
                               labels=language.language().checkin.labels,
                               build=site.catalog().build, **common())
    response = site.cached_page(("practice", found.practice_id, asked), render,
                                mimetype="text/html", cache_control=PAGE_CACHE)
    response.vary.add("Cookie")
    if checkin.cookie_id() is not None:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


@language.route(blueprint, "/privacy", methods=["GET"])
def privacy(lang: str):  # type: ignore[no-untyped-def]
    """The privacy notice: what is kept, for how long, how to delete it."""
    def render() -> str:
        return render_template("privacy.html", retention=legal.retention(site.settings()),
                               **common())
    return site.cached_page(("privacy",), render, mimetype="text/html",
                            cache_control=PAGE_CACHE)


@language.route(blueprint, "/terms", methods=["GET"])
def terms(lang: str):  # type: ignore[no-untyped-def]
    def render() -> str:
        return render_template("terms.html", **common())
    return site.cached_page(("terms",), render, mimetype="text/html", cache_control=PAGE_CACHE)


@blueprint.after_request
def security_headers(response):  # type: ignore[no-untyped-def]
    """Pages load nothing from other sites; the audio host is the one allowed exception."""
    audio = _origin(site.links().audio)
    media = "'self'" if not audio else f"'self' {audio}"
    response.headers.setdefault("Content-Security-Policy", "; ".join([
        "default-src 'self'", f"media-src {media}", f"connect-src {media}",
        "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
        "frame-ancestors 'none'", "form-action 'self'"]))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def common() -> dict[str, object]:
    """What every page's template reads: its language and words, links, lines to call."""
    current = site.settings()
    code = language.current()
    spoken = language.language(code)
    words = language.words(code)
    return {"links": site.links(), "hotline": current.HOTLINE_NUMBER,
            "hotline_tel": re.sub(r"[^\d+]", "", current.HOTLINE_NUMBER),
            "hotline_link": language.tel(current.HOTLINE_NUMBER),
            "crisis_line": current.CRISIS_LINE, "listing": listing,
            "crisis_link": language.crisis_line(spoken, current.CRISIS_LINE,
                                                language.own_crisis_line(current, code)),
            "lang": code, "w": language.Texts(words), "switches": language.switches(),
            "script_words": {k: v for k, v in words.texts.items() if k.startswith("js_")},
            "checkins_on": current.CHECKIN != "off",
            "content_licence": site.catalog().build.get("content_licence", "CC BY-SA 4.0")}


def _example(catalog) -> str:  # type: ignore[no-untyped-def]
    """A practice title for the Alexa phrase: the library's first practice."""
    chosen = catalog.get(catalog.library.first) or (catalog.practices[0] if catalog.practices
                                                    else None)
    return chosen.title.lower() if chosen else ""


def _origin(url: str) -> str:
    match = re.match(r"^(https?://[^/]+)", url)
    return match.group(1) if match else ""
