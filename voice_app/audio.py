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
    """Ready when the database answers with a schema this code can use (its own revision, or a
    newer one: migrations stay backward compatible) and a catalog is loaded; 503 with the
    reason otherwise, so a load balancer keeps traffic away from a host that would fail."""
    from .schema import status
    from .store import StoreUnavailable

    source = current_app.extensions["catalog"]
    try:
        schema = status(current_app.extensions["store"].schema_revisions())
        database = True
    except StoreUnavailable:
        schema, database = None, False
    catalog = source.loaded
    reasons = []
    if not database:
        reasons.append("the database is not reachable")
    elif not schema.ready:
        reasons.append(schema.reason)
    if not catalog:
        reasons.append("no catalog is loaded")
    body = {"status": "not ready" if reasons else "ok", "database": database, "catalog": catalog,
            "practices": len(source.get().practices),
            "languages": {code: len(source.get().in_language(code).practices)
                          for code in source.get().languages},
            "schema": None if schema is None else {
                "current": schema.current, "expected": schema.head, "state": schema.state}}
    if reasons:
        body["reason"] = "; ".join(reasons)
    return jsonify(body), 503 if reasons else 200
