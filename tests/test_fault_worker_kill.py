"""SIGKILL a gunicorn worker in the middle of load: only the requests it held may fail, the
master replaces it, and no acknowledged progress is lost."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest
from alexa_helpers import postgres_schema
from serving_helpers import check_progress, run_loadgen, server_errors, serving

from voice_app.store import Store

pytestmark = pytest.mark.serving

DURATION_S = 9
KILL_AT_S = 4
MIX = (12, 10, 8)


def test_killing_a_worker_fails_only_its_requests(built_library, tmp_path, postgres_url):
    with postgres_schema(postgres_url) as database_url, \
            serving(built_library, database_url, tmp_path) as server:
        victims: list[int] = []
        killed_at: list[float] = []

        def kill_one() -> None:
            time.sleep(KILL_AT_S)
            pid = server.worker_pids()[0]
            victims.append(pid)
            killed_at.append(time.monotonic())
            os.kill(pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_one)
        killer.start()
        result = run_loadgen({
            "port": server.port, "mode": "closed", "mode_users": "mix", "mix": list(MIX),
            "duration_s": DURATION_S, "catalog": str(built_library / "catalog.json"),
            "key": str(tmp_path / "leaf-key.pem"), "keep_users": True, "tag": "kill"},
            tmp_path, "kill")
        loader_done = time.monotonic()
        killer.join()
        workers_after = server.worker_pids()
        store = Store(database_url)
        try:
            checked, problems = check_progress(store, result["users"])
        finally:
            store.dispose()
        errors = server_errors(server)
    kinds = result["kinds"]
    failures = sorted(t for k in kinds.values() for t in k["failed_at_s"])
    print(json.dumps({"failed_at_s": failures, "answered": {k: v["answered"]
                                                            for k, v in kinds.items()}}))
    assert victims and victims[0] not in workers_after and len(workers_after) == 2
    for kind in kinds.values():
        assert not [s for s in kind["statuses"] if s.startswith("5")], kind
    # Each client has at most one request in flight, so at most one failure per client, and
    # only around the kill. The kill on the loader's clock: the loader's run ended a moment
    # before it returned (so this errs slightly late, well inside the window); the check of the
    # saved progress and the server's shutdown come after and are not counted.
    assert len(failures) <= sum(MIX)
    kill_s = killed_at[0] - (loader_done - result["elapsed_s"])
    assert all(kill_s - 2 <= t <= kill_s + 3 for t in failures), (kill_s, failures)
    assert not problems, problems[:10]
    assert checked == MIX[0] + MIX[1]
    # The dead worker is reported by the master; nothing else is an error.
    assert all("Worker" in str(e.get("message", "")) for e in errors), errors[:5]
