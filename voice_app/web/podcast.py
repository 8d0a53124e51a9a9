"""Podcast routes: `/feed.xml`, `/chapters/<id>-<minutes>.json` and the `/cover.png` artwork."""

from __future__ import annotations

from flask import Blueprint, jsonify

from . import artwork, language, site
from .feed import CHAPTERS_TYPE, build_feed, chapters_json
from .offline import png_response

blueprint = Blueprint("podcast", __name__)


@language.route(blueprint, "/feed.xml", methods=["GET"])
def feed(lang: str):  # type: ignore[no-untyped-def]
    return site.cached_page(("feed",), lambda: build_feed(site.catalog(), site.links(),
                                                          language.words()),
                            mimetype="application/rss+xml", cache_control="public, max-age=300")


@language.route(blueprint, "/chapters/<practice_id>-<int:minutes>.json", methods=["GET"])
def chapters(lang: str, practice_id: str, minutes: int):  # type: ignore[no-untyped-def]
    practice, variant = site.variant_or_404(practice_id, minutes)
    response = jsonify(chapters_json(practice, variant))
    response.mimetype = CHAPTERS_TYPE
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.get("/cover.png")
def cover():  # type: ignore[no-untyped-def]
    return png_response(artwork.image_png(artwork.COVER_PX))
