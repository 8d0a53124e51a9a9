"""The installable offline web app: manifest, service worker and icons (drawn in code).

The service worker is a template so its cache name changes whenever the page's assets or the
catalog change; saved recordings live in a separate cache that survives those updates.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from . import artwork, language, site

blueprint = Blueprint("offline", __name__)

STATIC = Path(__file__).parent / "static"
THEME = "#123a48"
BACKGROUND = "#f7f5f0"


@language.route(blueprint, "/manifest.webmanifest", methods=["GET"])
def manifest(lang: str):  # type: ignore[no-untyped-def]
    """One per language: a Spanish visitor's installed app opens on the Spanish page."""
    icons = [{"src": url_for("offline.icon", size=size), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": purpose}
             for size in (192, 512) for purpose in ("any", "maskable")]
    words = language.words()
    response = jsonify({
        "name": words.text("site_name"), "short_name": "Compassion",
        "description": words.text("manifest_description"),
        "start_url": url_for("web.home"), "scope": "/", "display": "standalone", "lang": lang,
        "background_color": BACKGROUND, "theme_color": THEME, "icons": icons,
    })
    response.mimetype = "application/manifest+json"
    return response


@blueprint.get("/sw.js")
def service_worker():  # type: ignore[no-untyped-def]
    homes = {code: url_for("web.home", lang=code) for code in language.codes()}
    shell = [*homes.values(), url_for("web.static", filename="app.css"),
             url_for("web.static", filename="app.js"),
             *(url_for("offline.manifest", lang=code) for code in homes),
             url_for("offline.icon", size=192), url_for("offline.favicon")]
    version = f"{asset_version()}-{site.catalog().build.get('built_at', '')}"
    body = render_template("sw.js", version=version, shell=shell, homes=homes,
                           audio_prefix=site.links().audio + "/")
    return Response(body, mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@blueprint.get("/icons/<int:size>.png")
def icon(size: int):  # type: ignore[no-untyped-def]
    if size not in artwork.ICON_SIZES:
        abort(404)
    return png_response(artwork.image_png(size))


@blueprint.get("/favicon.ico")
def favicon():  # type: ignore[no-untyped-def]
    return png_response(artwork.image_png(artwork.FAVICON_PX))


def png_response(data: bytes) -> Response:
    response = Response(data, mimetype="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})
    response.add_etag()
    return response.make_conditional(request)


@functools.lru_cache(maxsize=1)
def asset_version() -> str:
    """A short hash of the static files and templates: changes when the shell does."""
    digest = hashlib.sha256()
    for path in sorted([*STATIC.iterdir(), *(STATIC.parent / "templates").iterdir()]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]
