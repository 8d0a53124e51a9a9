"""Audio files, the catalog and health: `/audio/<file>`, `/catalog.json`, `/healthz`.

Audio names carry their content hash, so they are served as immutable with Range support;
only files the current catalog names can be fetched.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from .files import build_file_or_404

blueprint = Blueprint("audio", __name__)

MIME = {"mp3": "audio/mpeg", "wav": "audio/wav"}


@blueprint.get("/audio/<path:name>")
def audio(name: str):  # type: ignore[no-untyped-def]
    catalog = current_app.extensions["catalog"].get()
    if name not in catalog.files():
        abort(404)
    path = build_file_or_404(current_app.extensions["settings"].build_dir, name)
    mimetype = MIME.get(path.suffix.lstrip("."), "application/octet-stream")
    try:
        response = send_file(path, mimetype=mimetype, conditional=True, etag=True,
                             max_age=31_536_000)
    except RequestedRangeNotSatisfiable:
        # Answered here: the JSON error handler would drop the Content-Range players need.
        return Response(status=416, headers={"Content-Range": f"bytes */{path.stat().st_size}",
                                             "Accept-Ranges": "bytes"})
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Accept-Ranges"] = "bytes"
    return response


@blueprint.get("/catalog.json")
def catalog_json():  # type: ignore[no-untyped-def]
    settings = current_app.extensions["settings"]
    path = settings.build_dir / "catalog.json"
    if not path.is_file():
        abort(404)
    return send_file(path.resolve(), mimetype="application/json", conditional=True, max_age=60)


@blueprint.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    source = current_app.extensions["catalog"]
    database = current_app.extensions["store"].ping()
    catalog = source.loaded
    ready = database and catalog
    body = {"status": "ok" if ready else "not ready", "database": database, "catalog": catalog,
            "practices": len(source.get().practices)}
    return jsonify(body), 200 if ready else 503
