"""Helpers for the load and fault tests: a gunicorn server on loopback with a test CA, on its own
PostgreSQL schema or SQLite file, and checks that no acknowledged progress was lost."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench/ is tooling at the repository root, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.server import Server, app_env, make_pki, run_loadgen, start_server  # noqa: E402
from bench.traffic import SECRET_KEY  # noqa: E402
from voice_app.keys import listener_key  # noqa: E402
from voice_app.store import Store  # noqa: E402

__all__ = ["Server", "app_env", "make_pki", "run_loadgen", "serving", "check_progress",
           "server_errors"]


@contextlib.contextmanager
def serving(build_dir: Path, database_url: str, work: Path, **options: Any) -> Iterator[Server]:
    """gunicorn with the production config on 127.0.0.1, verification on against a test CA."""
    trust, _ = make_pki(work)
    server = start_server("voice_app:create_app()",
                          app_env(build_dir, database_url, trust, work / "metrics"),
                          work / "server.log", **options)
    try:
        yield server
    finally:
        server.stop()


def check_progress(store: Store, users: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """Compare each Alexa and phone user's stored position with what its requests promised.

    The store must hold what followed the user's last acknowledged request, or what followed a
    later request that got no answer (it may or may not have been applied). Returns how many
    users were checked and a list of problems.
    """
    problems: list[str] = []
    checked = 0
    for user in users:
        if user["kind"] == "web" or not user["history"]:
            continue
        channel, ident = ("alexa", user["user_id"]) if user["kind"] == "alexa" \
            else ("phone", user["number"])
        position = store.get_position(listener_key(SECRET_KEY, channel, ident))
        found = None if position is None else [position.practice_id, position.minutes,
                                               position.offset_ms, position.status]
        history = user["history"]
        acked = [i for i, (_, ok) in enumerate(history) if ok]
        last = acked[-1] if acked else -1
        allowed = [history[i][0] for i in range(max(last, 0), len(history))
                   if i == last or not history[i][1]]
        if last < 0:
            allowed.append(None)
        checked += 1
        if found not in allowed:
            problems.append(f"{channel} user {user['kind']}#{checked}: stored {found}, "
                            f"expected one of {allowed}")
    return checked, problems


def server_errors(server: Server) -> list[dict[str, Any]]:
    """Log lines at error level (or with a traceback) from the server's JSON log."""
    found = []
    for line in server.log_lines():
        try:
            record = json.loads(line)
        except ValueError:
            found.append({"raw": line})
            continue
        if record.get("level") in ("error", "critical") or "traceback" in record:
            found.append(record)
    return found


class TcpProxy:
    """A loopback TCP proxy to PostgreSQL that a test can cut (refuse and reset every
    connection) and restore, so the database 'goes away' without touching the real server."""

    def __init__(self, target_host: str, target_port: int) -> None:
        import socket
        import threading

        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                _reset(client)
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def cut(self) -> None:
        """From now on connections are reset; open ones are reset at once."""
        self.up = False
        with self.lock:
            for sock in self.sockets:
                _reset(sock)
            self.sockets.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()


def _pipe(source: Any, sink: Any) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            _reset(sock)


def _reset(sock: Any) -> None:
    import socket
    import struct

    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def send_all(port: int, requests: list[tuple[bytes, dict[str, str]]], start_at: float
             ) -> list[int]:
    """Post each (body, headers) to /alexa in order over one connection, from `start_at` (wall
    clock); the statuses. Runs in a child process of the concurrency test."""
    import http.client
    import time

    time.sleep(max(0.0, start_at - time.time()))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    statuses = []
    for body, headers in requests:
        conn.request("POST", "/alexa", body=body, headers=headers)
        answer = conn.getresponse()
        answer.read()
        statuses.append(answer.status)
    conn.close()
    return statuses
