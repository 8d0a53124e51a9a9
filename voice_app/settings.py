"""Settings: every environment variable the service reads, read once into a frozen object.

`create_app(config)` passes a mapping of the same names that overrides the environment (tests).
Handlers read `current_app.extensions["settings"]`, never `os.environ`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DEV_SECRET = "development-only-secret-do-not-deploy"


class SettingsError(Exception):
    """The service must not start with these settings; the message names the variable to set."""


@dataclass(frozen=True)
class Settings:
    APP_ENV: str = "production"
    """`production` unless set; `make run` sets `development`."""
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"
    """The https origin Alexa and the phone provider reach (used for audio and webhook URLs)."""
    AUDIO_BASE_URL: str = ""
    """Optional static host or CDN serving BUILD_DIR's audio; default PUBLIC_BASE_URL/audio.
    Must be https in production: Alexa refuses to stream anything else."""
    BUILD_DIR: str = "build"
    """Where `python -m audio_build build` wrote catalog.json and the audio."""
    DATABASE_URL: str = "sqlite:///var/compassion-break.sqlite3"
    """SQLite file by default; postgresql+psycopg://... for more than one host."""
    ALEXA_SKILL_ID: str = ""
    """The skill's application id; requests for any other skill are refused."""
    ALEXA_VERIFY: bool = True
    """Alexa request signature verification; 0 is accepted in development only."""
    TWILIO_AUTH_TOKEN: str = ""
    """Checks X-Twilio-Signature on every phone webhook when set."""
    HOTLINE_NUMBER: str = ""
    """The phone number people call, shown on the web page."""
    CRISIS_LINE: str = "988"
    """Named wherever we say this is not a crisis service, and in every crisis response (call or
    text)."""
    CRISIS_LINE_ES: str = ""
    """A crisis line of its own for Spanish speakers. Empty (the default): they are told
    CRISIS_LINE and, as 988 answers in Spanish on option 2, to press 2 (scripts/prompts/es.yaml
    `language.crisis_line`). Build with the same value (`--crisis-line-es`, or the environment)
    so the recorded prompts say it."""
    CRISIS_DIAL: str = "988"
    """The number the phone hotline dials when a caller in crisis asks to be connected. Twilio
    routes voice calls to 988 (since July 2022); for a provider that cannot dial three-digit
    codes use the Lifeline's ten-digit +18002738255, which still reaches it."""
    SUPPORT_LINE: str = ""
    """Optional staff-support line (the hospital's employee assistance programme), offered in
    every crisis response beside the crisis line."""
    SECRET_KEY: str = ""
    """Keys the HMAC that turns Alexa user ids and phone numbers into opaque keys."""
    MAX_CONTENT_LENGTH: int = 64 * 1024
    """Request bodies above this many bytes are refused with 413 unread."""
    METRICS_TOKEN: str = ""
    """When set, `GET /metrics` needs `Authorization: Bearer <token>`; open otherwise."""
    PROMETHEUS_MULTIPROC_DIR: str = ""
    """Folder where gunicorn's workers share metrics (`gunicorn.conf.py` sets it); empty for
    one process."""
    RETENTION_DAYS: int = 400
    """Completions and untouched positions older than this many days are deleted by
    `python -m voice_app db prune` and the in-process sweep (call state: after one day)."""
    RETENTION_SWEEP_MINUTES: int = 60
    """Each process prunes at most once per this many minutes, in a background thread after a
    request; 0 leaves pruning to `db prune` alone."""
    CHECKIN: str = "optional"
    """The stress check-in before and after a practice: `off` (never asked), `optional`
    (offered on a listener's first practice, then as they chose) or `on` (asked unless the
    listener turned it off). See docs/checkin.md."""
    ALEXA_CHECKIN: bool = False
    """Ask the check-in on Alexa too (1); off by default, since Amazon's policy rejects skills
    that collect health information unless they are HIPAA-eligible (docs/alexa-certification.md).
    Off, Alexa still records every practice started, for the program view."""
    ALEXA_TEST_PKI_DIR: str = ""
    """Development and tests only: trust `roots.pem` in this folder instead of the public CAs,
    and read signing certificates from it instead of Amazon's URL. Refused in production."""
    # --- the program view (issue 14) ---
    PROGRAM_PASSWORD_HASH: str = ""
    """The program view's sign-in (`/program`): a hash printed by `python -m voice_app
    program-password`. Empty: the view answers 503 and says to set it."""
    MIN_GROUP: int = 10
    """The program view shows no figure from fewer than this many distinct people (never below
    5)."""
    CHECKIN_RETENTION_DAYS: int = 90
    """Sessions and their check-in answers are kept this many days (42 to 90), then only the
    program view's weekly and monthly aggregates remain."""
    PROGRAM_TIMEZONE: str = "UTC"
    """The organisation's time zone (IANA name): the program view's weeks, months, 6-hour
    blocks and weekends are local to it."""
    PROXY_HOPS: int = 0
    """How many proxies in front of gunicorn append to X-Forwarded-For (1 behind one nginx,
    Caddy or load balancer): the client's address is then read from it, so the program view's
    wrong-password limit counts each visitor and not the proxy. 0 trusts no such header."""

    @property
    def is_production(self) -> bool:
        return self.APP_ENV == "production"

    @property
    def audio_base_url(self) -> str:
        return (self.AUDIO_BASE_URL or f"{self.PUBLIC_BASE_URL.rstrip('/')}/audio").rstrip("/")

    @property
    def build_dir(self) -> Path:
        return Path(self.BUILD_DIR)


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None, *, serving: bool = True) -> Settings:
    """Environment, then overrides; raises `SettingsError` for settings unfit to serve
    (`serving=False`, for `python -m voice_app db ...`: only values that cannot be read)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for item in fields(Settings):
        raw = (overrides or {}).get(item.name, environ.get(item.name))
        if raw is None or raw == "":
            continue
        values[item.name] = _convert(item.name, raw, item.type)
    settings = Settings(**values)
    if not settings.SECRET_KEY and not settings.is_production:
        settings = Settings(**{**values, "SECRET_KEY": DEV_SECRET})
    if settings.RETENTION_DAYS < 1:
        raise SettingsError("RETENTION_DAYS must be 1 or more")
    if settings.RETENTION_SWEEP_MINUTES < 0:
        raise SettingsError("RETENTION_SWEEP_MINUTES must be 0 (off) or more")
    if settings.CHECKIN not in ("off", "optional", "on"):
        raise SettingsError(f"CHECKIN must be off, optional or on, not {settings.CHECKIN!r}")
    check_program_settings(settings)
    if serving:
        check_settings(settings)
    return settings


def _convert(name: str, raw: Any, kind: Any) -> Any:
    if kind in ("bool", bool):
        if isinstance(raw, bool):
            return raw
        if str(raw).strip().lower() in ("1", "true", "yes", "on"):
            return True
        if str(raw).strip().lower() in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be 1 or 0, not {raw!r}")
    if kind in ("int", int):
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    return str(raw)


def check_settings(settings: Settings) -> None:
    if settings.APP_ENV not in ("production", "development", "test"):
        raise SettingsError("APP_ENV must be production, development or test")
    for name in ("CRISIS_LINE", "CRISIS_LINE_ES", "CRISIS_DIAL", "SUPPORT_LINE"):
        value = getattr(settings, name)
        if value and not re.fullmatch(r"\+?[0-9][0-9 ().-]{1,20}", value):
            raise SettingsError(f"{name} must be a phone number (digits, an optional leading +), "
                                f"not {value!r}")
    if not settings.CRISIS_LINE:
        raise SettingsError("CRISIS_LINE must name a crisis line (988 in the US)")
    if not settings.is_production:
        return
    if settings.ALEXA_TEST_PKI_DIR:
        raise SettingsError("ALEXA_TEST_PKI_DIR is for development and tests only: unset it")
    if not settings.ALEXA_VERIFY:
        raise SettingsError("ALEXA_VERIFY=0 is for development only: unset it, or set "
                            "APP_ENV=development")
    for name in ("SECRET_KEY", "ALEXA_SKILL_ID", "TWILIO_AUTH_TOKEN"):
        if not getattr(settings, name):
            raise SettingsError(f"set {name} to run in production (or APP_ENV=development)")
    if settings.SECRET_KEY == DEV_SECRET:
        raise SettingsError("SECRET_KEY is the development default: set a real secret")
    if not settings.PUBLIC_BASE_URL.startswith("https://"):
        raise SettingsError("PUBLIC_BASE_URL must be the https origin Alexa and the phone "
                            "provider reach")
    if settings.AUDIO_BASE_URL and not settings.AUDIO_BASE_URL.startswith("https://"):
        raise SettingsError("AUDIO_BASE_URL must start https:// (Alexa plays only https "
                            "streams), or leave it unset to serve audio from PUBLIC_BASE_URL")


# --- the program view (issue 14) -------------------------------------------------------------

MIN_GROUP_FLOOR = 5
CHECKIN_RETENTION_RANGE = (42, 90)
"""At most 90 days of raw check-ins; at least 42, so a month (up to five weeks) is complete and
rolled up before its first rows expire."""


def check_program_settings(settings: Settings) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not 0 <= settings.PROXY_HOPS <= 5:
        raise SettingsError(f"PROXY_HOPS must be 0 to 5, not {settings.PROXY_HOPS}")
    if settings.MIN_GROUP < MIN_GROUP_FLOOR:
        raise SettingsError(f"MIN_GROUP must be {MIN_GROUP_FLOOR} or more, not "
                            f"{settings.MIN_GROUP}")
    low, high = CHECKIN_RETENTION_RANGE
    if not low <= settings.CHECKIN_RETENTION_DAYS <= high:
        raise SettingsError(f"CHECKIN_RETENTION_DAYS must be {low} to {high}, not "
                            f"{settings.CHECKIN_RETENTION_DAYS}")
    try:
        ZoneInfo(settings.PROGRAM_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"PROGRAM_TIMEZONE must be a time zone name such as "
                            f"America/Chicago, not {settings.PROGRAM_TIMEZONE!r}") from None
    hashed = settings.PROGRAM_PASSWORD_HASH
    if hashed and not re.fullmatch(r"(scrypt|pbkdf2):[a-z0-9:]+\$[^$]+\$[0-9a-f]+", hashed):
        raise SettingsError("PROGRAM_PASSWORD_HASH must be what `python -m voice_app "
                            "program-password` prints")
    if hashed and settings.METRICS_TOKEN:
        from werkzeug.security import check_password_hash

        if check_password_hash(hashed, settings.METRICS_TOKEN):
            raise SettingsError("the program view's password must not be METRICS_TOKEN")
