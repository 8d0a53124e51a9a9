"""Alexa's signing certificate: where it may come from, whether it is Amazon's, and a cache.

Amazon's rules for `SignatureCertChainUrl`: https, host s3.amazonaws.com (any case), port 443 or
none, a path that starts with /echo.api/ after normalising dot segments. The PEM it names holds
the leaf first, then intermediates. The leaf must be valid now, name echo-api.amazon.com, and
chain to a trusted root; validated chains are cached until the first of them expires.

Everything that touches the outside world is injectable: `roots` (trust anchors; the certifi
bundle by default), `fetch` (url -> PEM bytes; urllib with a timeout by default) and `clock`.
"""

from __future__ import annotations

import posixpath
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainError

ECHO_API_NAME = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
FETCH_TIMEOUT_S = 5.0
MAX_PEM_BYTES = 64 * 1024
MAX_CACHED = 32

Fetcher = Callable[[str], bytes]
Clock = Callable[[], datetime]


class VerificationError(Exception):
    """A request failed one named check; the route answers 400 and logs `check`."""

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"{check}: {detail}")
        self.check = check
        self.detail = detail


def utc_now() -> datetime:
    return datetime.now(UTC)


def normalise_cert_url(url: str) -> str:
    """The URL with its path normalised, or VerificationError('signature-cert-url')."""
    def refuse(why: str) -> VerificationError:
        return VerificationError("signature-cert-url", f"{why}: {url!r}")

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise refuse("not a URL") from None
    if parts.scheme.lower() != "https":
        raise refuse("scheme is not https")
    if (parts.hostname or "").lower() != CERT_HOST or parts.username or parts.password:
        raise refuse(f"host is not {CERT_HOST}")
    if port not in (None, 443):
        raise refuse("port is not 443")
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise refuse(f"path does not start with {CERT_PATH_PREFIX}")
    return urlunsplit(("https", CERT_HOST, path, parts.query, ""))


def fetch_https(url: str) -> bytes:
    """Download the PEM (bounded in time and size)."""
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
            data = response.read(MAX_PEM_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise VerificationError("certificate-fetch", f"{type(error).__name__}: {error}") \
            from None
    if len(data) > MAX_PEM_BYTES:
        raise VerificationError("certificate-fetch", "certificate file too large")
    return data


def default_roots() -> tuple[x509.Certificate, ...]:
    """The public web's trust anchors (certifi's bundle, or the system's)."""
    try:
        import certifi

        path = certifi.where()
    except ImportError:  # pragma: no cover - certifi comes with requests
        import ssl

        path = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    with open(path, "rb") as bundle:
        return tuple(x509.load_pem_x509_certificates(bundle.read()))


def validate_chain(pem: bytes, roots: Sequence[x509.Certificate],
                   now: datetime) -> tuple[RSAPublicKey, datetime]:
    """The leaf's public key and when the validated chain stops being valid."""
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError as error:
        raise VerificationError("certificate-parse", str(error)) from None
    leaf = chain[0]
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise VerificationError("certificate-validity",
                                f"valid {leaf.not_valid_before_utc} to "
                                f"{leaf.not_valid_after_utc}, now {now}")
    names = _dns_names(leaf)
    if ECHO_API_NAME not in names:
        raise VerificationError("certificate-name", f"names {sorted(names)}")
    try:
        verifier = PolicyBuilder().store(Store(list(roots))).time(now) \
            .build_server_verifier(x509.DNSName(ECHO_API_NAME))
        verified = verifier.verify(leaf, chain[1:])
    except (ChainError, ValueError) as error:
        raise VerificationError("certificate-chain", str(error)) from None
    key = leaf.public_key()
    if not isinstance(key, RSAPublicKey):
        raise VerificationError("certificate-key", "the signing key is not RSA")
    return key, min(c.not_valid_after_utc for c in verified)


def _dns_names(cert: x509.Certificate) -> set[str]:
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return set()
    return {name.lower() for name in extension.value.get_values_for_type(x509.DNSName)}


class SigningCertificates:
    """Signing keys by certificate URL, validated once and cached until they expire."""

    def __init__(self, roots: Sequence[x509.Certificate] | None = None,
                 fetch: Fetcher = fetch_https, clock: Clock = utc_now) -> None:
        self._roots = tuple(roots) if roots is not None else None
        self._fetch = fetch
        self._clock = clock
        self._cache: dict[str, tuple[RSAPublicKey, datetime]] = {}
        self._lock = threading.Lock()

    def public_key(self, url: str) -> RSAPublicKey:
        normalised = normalise_cert_url(url)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(normalised)
        if cached is not None and now < cached[1]:
            return cached[0]
        key, expires = validate_chain(self._fetch(normalised), self.roots(), now)
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[normalised] = (key, expires)
        return key

    def roots(self) -> tuple[x509.Certificate, ...]:
        if self._roots is None:
            self._roots = default_roots()
        return self._roots
