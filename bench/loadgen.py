"""The load generator: a separate process that drives a server on loopback with virtual users.

    python -m bench.loadgen CONFIG.json RESULT.json

Closed loop (`mode: closed`): one thread per user, each sending its next request as soon as the
last is answered, for `duration_s`; then each user carries on (at most 12 more requests) until it
is at rest (Alexa and phone users just paused), so the test can check every pause. Open loop
(`mode: open`): requests are due at a fixed `rate` per second and handed to idle users; latency
counts from when a request was due, so a slow server cannot hide its queue (no coordinated
omission). `mode: fixed` is the open or closed loop against one fixed GET (the minimal app).
Only loopback hosts are accepted, and every loop is bounded in time and count.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import queue
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from .traffic import Mix, Request, User, practices_of

SETTLE_REQUESTS = 12
MAX_REQUESTS = 2_000_000


@dataclass
class Tally:
    """Latencies (ms), statuses and failures of one kind of request."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: list[float] = field(default_factory=list)
    """Seconds since the start at which a request got no HTTP answer at all."""


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kinds: dict[str, Tally] = defaultdict(Tally)
        self.started = time.monotonic()
        self.count = 0

    def add(self, kind: str, status: int, latency_ms: float) -> None:
        with self.lock:
            tally = self.kinds[kind]
            self.count += 1
            if status == 0:
                tally.failures.append(time.monotonic() - self.started)
                return
            tally.statuses[str(status)] += 1
            tally.latencies_ms.append(latency_ms)


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened after a failure."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None

    def send(self, request: Request) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        try:
            self.conn.request(request.method, request.path, body=request.body or None,
                              headers=request.headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            return 0, b""


class FixedUser(User):
    """The minimal app's only request."""

    kind = "fixed"

    def next_request(self) -> Request:
        return Request("fixed", "GET", "/", {})


def exchange(conn: Connection, user: User, recorder: Recorder, due: float | None) -> None:
    request = user.next_request()
    began = time.monotonic()
    status, body = conn.send(request)
    user.answered(status, body)
    recorder.add(request.kind, status, (time.monotonic() - (due or began)) * 1000)


def run_closed(users: list[User], host: str, port: int, duration_s: float,
               recorder: Recorder, settle: bool = True) -> None:
    deadline = time.monotonic() + duration_s

    def loop(user: User) -> None:
        conn = Connection(host, port)
        sent = 0
        while time.monotonic() < deadline and sent < MAX_REQUESTS:
            exchange(conn, user, recorder, None)
            sent += 1
        for _ in range(SETTLE_REQUESTS if settle else 0):
            if user.at_rest():
                break
            exchange(conn, user, recorder, None)

    threads = [threading.Thread(target=loop, args=(u,), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration_s + 120)


def run_open(users: list[User], host: str, port: int, duration_s: float, rate: float,
             workers: int, recorder: Recorder) -> None:
    due: queue.Queue[float | None] = queue.Queue()
    idle: queue.Queue[User] = queue.Queue()
    for user in users:
        idle.put(user)

    def work() -> None:
        conn = Connection(host, port)
        while (moment := due.get()) is not None:
            user = idle.get()
            exchange(conn, user, recorder, moment)
            idle.put(user)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    total = int(duration_s * rate)
    for number in range(total):
        moment = start + number / rate
        pause = moment - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        due.put(moment)
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join(timeout=60)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(recorder: Recorder, elapsed_s: float, users: list[User],
            keep_users: bool) -> dict[str, Any]:
    kinds = {}
    for kind, tally in recorder.kinds.items():
        kinds[kind] = {"answered": len(tally.latencies_ms), "failed": len(tally.failures),
                       "failed_at_s": [round(t, 3) for t in tally.failures],
                       "statuses": dict(tally.statuses),
                       "p50_ms": percentile(tally.latencies_ms, 0.50),
                       "p99_ms": percentile(tally.latencies_ms, 0.99)}
    every = [v for t in recorder.kinds.values() for v in t.latencies_ms]
    result: dict[str, Any] = {
        "elapsed_s": round(elapsed_s, 3), "requests": recorder.count,
        "throughput_rps": round(len(every) / elapsed_s, 1) if elapsed_s else 0.0,
        "p50_ms": percentile(every, 0.50), "p99_ms": percentile(every, 0.99), "kinds": kinds}
    if keep_users:
        result["users"] = [u.record() | ({"user_id": u.user_id} if hasattr(u, "user_id") else {})
                           | ({"number": u.number} if hasattr(u, "number") else {})
                           for u in users]
    return result


def make_users(config: dict[str, Any]) -> list[User]:
    if config["mode_users"] == "fixed":
        return [FixedUser(None) for _ in range(config["users"])]  # type: ignore[arg-type]
    catalog = json.loads(Path(config["catalog"]).read_text())
    key = serialization.load_pem_private_key(Path(config["key"]).read_bytes(), password=None)
    mix = Mix(*config["mix"], tag=config.get("tag", "bench"))
    return mix.users(practices_of(catalog), key, seed=config.get("seed", 7))  # type: ignore


def run(config: dict[str, Any]) -> dict[str, Any]:
    host, port = config.get("host", "127.0.0.1"), int(config["port"])
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing to send load to {host}: loopback only")
    duration_s = min(float(config["duration_s"]), 600.0)
    users = make_users(config)
    recorder = Recorder()
    began = time.monotonic()
    if config["mode"] == "open":
        run_open(users, host, port, duration_s, float(config["rate"]),
                 int(config.get("workers", 64)), recorder)
    else:
        run_closed(users, host, port, duration_s, recorder, config.get("settle", True))
    return summary(recorder, time.monotonic() - began, users, config.get("keep_users", False))


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[0]).read_text())
    result = run(config)
    Path(argv[1]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
