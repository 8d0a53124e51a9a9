"""The web catalog and offline listening: pages, downloads, podcast feed, playlist, ZIP and the
installable offline app. `register(app)` is called by `create_app`; importing does nothing.

Modules: `listing` (how practices are named, grouped and filtered), `pages` (HTML), `downloads`
(MP3 under human names, M3U, streamed ZIP via `zipstream`), `feed` + `podcast` (RSS and chapters),
`offline` (manifest, service worker, the icons in `static/` via `artwork`), `site` (app lookups),
`language` (English at the root, other languages under `/<code>/`, and the pages' words).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import checkin, downloads, language, offline, pages, podcast

    language.install(app)
    for module in (pages, downloads, podcast, offline, checkin):
        app.register_blueprint(module.blueprint)
