"""Mixed traffic from 50 concurrent clients against gunicorn on loopback: ten seconds in
`make test`, sixty in `make bench` (LOAD_DURATION_S).

Alexa listeners (signed requests, verification on against a test CA), phone callers (signed
webhooks) and web visitors (catalog, practice pages, feed, ranged audio) run at once from a
separate load-generator process. No request may get a 5xx or go unanswered, and afterwards every
listener's stored place must be what their last answered request left (every pause resumable).
"""

from __future__ import annotations

import json
import os
import urllib.request

import pytest
from alexa_helpers import postgres_schema
from serving_helpers import check_progress, run_loadgen, server_errors, serving

from voice_app.store import Store

pytestmark = pytest.mark.serving

DURATION_S = int(os.environ.get("LOAD_DURATION_S", "10"))
"""Long enough for every client to start, pause and resume several practices; `make bench`
runs the full minute."""
MIX = (20, 15, 15)  # Alexa listeners, phone callers, web visitors: 50 clients


def test_mixed_traffic_loses_nothing(built_library, tmp_path, postgres_url):
    with postgres_schema(postgres_url) as database_url, \
            serving(built_library, database_url, tmp_path) as server:
        result = run_loadgen({
            "port": server.port, "mode": "closed", "mode_users": "mix", "mix": list(MIX),
            "duration_s": DURATION_S, "catalog": str(built_library / "catalog.json"),
            "key": str(tmp_path / "leaf-key.pem"), "keep_users": True, "tag": "mixed"},
            tmp_path, "mixed")
        metrics = urllib.request.urlopen(server.url + "/metrics", timeout=5).read().decode()
        store = Store(database_url)
        try:
            checked, problems = check_progress(store, result["users"])
        finally:
            store.dispose()
    kinds = result["kinds"]
    print(json.dumps({k: {x: v[x] for x in ("answered", "failed", "statuses", "p50_ms",
                                            "p99_ms")} for k, v in kinds.items()}, indent=1))
    assert result["elapsed_s"] >= DURATION_S
    for kind in ("alexa", "phone", "web"):
        assert kinds[kind]["answered"] > 100, kind
        assert kinds[kind]["failed"] == 0, kind
        assert not [s for s in kinds[kind]["statuses"] if s.startswith("5")], kinds[kind]
    assert set(kinds["alexa"]["statuses"]) == {"200"}
    assert set(kinds["phone"]["statuses"]) <= {"200", "204"}
    assert set(kinds["web"]["statuses"]) <= {"200", "206"}
    assert checked == MIX[0] + MIX[1]
    assert not problems, problems[:10]
    assert 'compassion_practices_started_total{channel="alexa"}' in metrics
    assert 'compassion_practices_finished_total{channel="phone"}' in metrics
    assert server_errors(server) == []
