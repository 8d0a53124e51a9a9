"""A local stand-in for Amazon's certificate hosting: development and load tests only.

With `ALEXA_TEST_PKI_DIR` set (refused in production by `settings.check_settings`), Alexa
requests are still fully verified (certificate URL rules, chain, name, validity, signature,
timestamp, skill id), but against `roots.pem` in that folder instead of the public CAs, and the
certificate chain named by `SignatureCertChainUrl` is read from the file of the same name in the
folder instead of being downloaded. This lets a gunicorn server under test or benchmark verify
requests signed by a test CA, with verification on.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from cryptography import x509

from .certs import SigningCertificates, VerificationError
from .verify import RequestVerifier

ROOTS_FILE = "roots.pem"


def local_verifier(skill_id: str, folder: Path) -> RequestVerifier:
    """A verifier trusting only `folder/roots.pem` and reading chains from `folder`."""
    roots = x509.load_pem_x509_certificates((folder / ROOTS_FILE).read_bytes())

    def fetch(url: str) -> bytes:
        name = PurePosixPath(urlsplit(url).path).name
        path = folder / name
        if not name or name == ROOTS_FILE or not path.is_file():
            raise VerificationError("certificate-fetch", f"no local certificate {name!r}")
        return path.read_bytes()

    return RequestVerifier(skill_id, SigningCertificates(roots=roots, fetch=fetch))
