"""Request size limit: a body declared larger than MAX_CONTENT_LENGTH is refused with 413 before
any route (or signature check) reads a byte of it.

Flask enforces the limit only when a body is read, and a form parser can quietly give up on an
oversized body instead, which the phone's signature check would then refuse as 403. Checking the
declared length first makes every route answer the same 413. Gunicorn then drains at most a
little of the unread body, bounded in time, before reusing the connection, and closes it
otherwise.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request


def install(app: Flask) -> None:
    app.before_request(refuse_oversized)


def refuse_oversized() -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    declared = request.content_length
    if limit is not None and declared is not None and declared > limit:
        abort(413)
