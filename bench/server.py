"""A gunicorn server on loopback for benchmarks and tests: start, wait until ready, stop.

The server runs `gunicorn.conf.py` (the production settings) on 127.0.0.1 and a free port, with
its JSON log in a file. `make_pki` writes a test CA the server trusts through
`ALEXA_TEST_PKI_DIR`, and the signing key the load generator uses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"
CERT_FILE = "echo-api-cert-test.pem"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The gunicorn master's children (its workers)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(app: str, env: dict[str, str], log_path: Path, *, workers: int = 2,
                 threads: int = 4, ready_path: str = "/healthz",
                 timeout_s: float = 60) -> Server:
    """Start gunicorn serving `app` and wait until `ready_path` answers 200."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(CONFIG),
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--threads", str(threads), app]
    full_env = {**os.environ, "GUNICORN_CMD_ARGS": "", **env}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log,
                                   stderr=subprocess.STDOUT)
    server = Server(process, port, log_path)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.url + ready_path, timeout=2) as answer:
                if answer.status == 200 and len(server.worker_pids()) >= workers:
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn not ready in {timeout_s} s: {log_path.read_text()[-2000:]}")


def make_pki(folder: Path) -> tuple[Path, Path]:
    """Write a test CA (roots.pem, the signing chain) and the leaf key; (pki dir, key file)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from alexa_helpers import FakePKI
    from cryptography.hazmat.primitives import serialization

    from voice_app.alexa.local_pki import ROOTS_FILE

    pki = FakePKI.create()
    trust = folder / "trust"
    trust.mkdir(parents=True, exist_ok=True)
    (trust / ROOTS_FILE).write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    (trust / CERT_FILE).write_bytes(pki.chain_pem())
    key = folder / "leaf-key.pem"
    key.write_bytes(pki.leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return trust, key


def app_env(build_dir: Path, database_url: str, pki_dir: Path, metrics_dir: Path
            ) -> dict[str, str]:
    """Settings for the app under load: test mode, verification on against the test CA."""
    from .traffic import PUBLIC_BASE_URL, SECRET_KEY, SKILL_ID, TWILIO_TOKEN

    return {"APP_ENV": "test", "BUILD_DIR": str(build_dir), "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY, "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "ALEXA_SKILL_ID": SKILL_ID, "ALEXA_VERIFY": "1", "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "ALEXA_TEST_PKI_DIR": str(pki_dir), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "LOG_LEVEL": "INFO"}


def run_loadgen(config: dict[str, object], work: Path, name: str) -> dict[str, object]:
    """Run the load generator as its own process; its JSON result."""
    import json

    config_path, result_path = work / f"{name}-config.json", work / f"{name}-result.json"
    config_path.write_text(json.dumps(config))
    timeout = float(config["duration_s"]) + 180  # type: ignore[arg-type]
    subprocess.run([sys.executable, "-m", "bench.loadgen", str(config_path), str(result_path)],
                   cwd=ROOT, check=True, timeout=timeout)
    return json.loads(result_path.read_text())
