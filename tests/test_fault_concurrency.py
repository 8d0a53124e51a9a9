"""One listener, 100 interleaved PlaybackStarted and PlaybackStopped events sent at once from
four processes to two gunicorn workers: the newest event's position is the one stored, on
PostgreSQL and on SQLite."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import random
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from alexa_helpers import postgres_schema
from serving_helpers import send_all, serving

from bench.traffic import SECRET_KEY, AlexaListener, alexa_envelope, practices_of
from voice_app.keys import listener_key
from voice_app.store import Store

pytestmark = pytest.mark.serving

EVENTS = 100
PROCESSES = 4
USER = "amzn1.ask.account.CONCURRENT-LISTENER"


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_newest_of_100_interleaved_events_wins(backend, built_library, tmp_path, request):
    from cryptography.hazmat.primitives import serialization

    practice = practices_of(json.loads((built_library / "catalog.json").read_text()))[0]
    rng = random.Random(5)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(
            postgres_schema(request.getfixturevalue("postgres_url"))) if backend == "postgresql" \
            else f"sqlite:///{tmp_path / 'store.sqlite3'}"
        server = stack.enter_context(serving(built_library, url, tmp_path))
        key = serialization.load_pem_private_key((tmp_path / "leaf-key.pem").read_bytes(),
                                                 password=None)
        signer = AlexaListener(rng, USER, [practice], key)
        base_ms = int(time.time() * 1000) - 5_000
        events = []
        for number in range(EVENTS):
            kind = rng.choice(("PlaybackStarted", "PlaybackStopped"))
            request = {"type": f"AudioPlayer.{kind}", "token": practice.token,
                       "offsetInMilliseconds": 1_000 + number * 500}
            envelope = alexa_envelope(request, USER, False, when_ms=base_ms + number * 10)
            body = json.dumps(envelope).encode()
            signed = signer.sign_body(body)
            events.append((number, kind, body, signed))
        order = events[:]
        rng.shuffle(order)
        batches = [[(body, headers) for _, _, body, headers in order[i::PROCESSES]]
                   for i in range(PROCESSES)]
        start_at = time.time() + 1.0
        with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("spawn")) \
                as pool:
            statuses = [s for batch in pool.map(send_all, [server.port] * PROCESSES, batches,
                                                [start_at] * PROCESSES) for s in batch]
        store = Store(url)
        try:
            stored = store.get_position(listener_key(SECRET_KEY, "alexa", USER))
        finally:
            store.dispose()
    assert statuses == [200] * EVENTS
    newest_number, newest_kind = events[-1][0], events[-1][1]
    assert stored is not None
    assert stored.offset_ms == 1_000 + newest_number * 500
    assert stored.status == ("playing" if newest_kind == "PlaybackStarted" else "paused")
    assert stored.event_ms == base_ms + newest_number * 10
