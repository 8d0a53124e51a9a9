"""The cloud engine: Google Translate's text-to-speech through gTTS.

Every request has a timeout; throttling (HTTP 429), server errors and timeouts are retried with
backoff and jitter; an unreachable network fails at once with one clear line. The MP3 that comes
back is decoded with ffmpeg to the build's one PCM format.
"""

from __future__ import annotations

import io
import logging
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import requests
from gtts import gTTS, gTTSError
from gtts.lang import tts_langs

from audio_build.errors import SynthesisError
from audio_build.ffmpeg import find_ffmpeg
from audio_build.pcm import SAMPLE_RATE
from audio_build.tts import (
    POSTPROCESS,
    EngineIdentity,
    SpeechSettings,
    length_scale,
    package_version,
    trim_silence,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try a cloud request before giving up."""

    attempts: int = 5
    """Total tries, the first included."""

    base_delay_s: float = 1.0
    """Wait before the second try; doubles each time."""

    max_delay_s: float = 30.0
    """Cap on one wait."""

    jitter_s: float = 0.5
    """Up to this much random time added to each wait, so parallel jobs spread out."""

    timeout_s: float = 15.0
    """Connect and read timeout of each HTTP request."""

    def delay_s(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """Wait before retry number `retry` (0 = before the second try)."""
        return min(self.max_delay_s, self.base_delay_s * 2**retry) + self.jitter_s * rand()


class _Retryable(Exception):
    """A transient failure worth another try; its message explains it."""


class GttsEngine:
    """Google Translate's TTS via gTTS: MP3 over HTTPS, decoded with ffmpeg."""

    def __init__(self, lang: str = "en", tld: str = "com", retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if lang not in tts_langs():
            raise ValueError(f"gTTS does not support language {lang!r}")
        self.lang, self.tld = lang, tld
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    def identity(self, settings: SpeechSettings) -> EngineIdentity:
        return EngineIdentity(
            engine="gtts",
            voice=f"{self.lang}-{self.tld}",
            voice_sha256="",
            settings={
                "length_scale": length_scale(settings, 1.0),
                "postprocess": POSTPROCESS,
                "sample_rate": SAMPLE_RATE,
                "gtts_version": package_version("gTTS"),
            },
            licence="Google Translate text-to-speech via gTTS (MIT); see Google's terms of service",
        )

    def synthesize(self, text: str, settings: SpeechSettings) -> np.ndarray:
        mp3 = self._fetch_with_retries(text)
        pcm = _decode_mp3(mp3, length_scale(settings, 1.0))
        if pcm.size == 0:
            raise SynthesisError("gTTS returned audio that decoded to nothing")
        return trim_silence(pcm)

    def prepare(self) -> None:
        """Nothing to derive: the voice lives in the cloud."""

    def release(self) -> None:
        """Nothing held between requests."""

    def _fetch_with_retries(self, text: str) -> bytes:
        for attempt in range(self.retry.attempts):
            try:
                return self._fetch(text)
            except _Retryable as error:
                if attempt + 1 == self.retry.attempts:
                    raise SynthesisError(
                        f"gTTS gave up after {self.retry.attempts} attempts: {error}") from error
                delay = self.retry.delay_s(attempt)
                logger.warning("gTTS %s; retrying in %.1fs", error, delay)
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _fetch(self, text: str) -> bytes:
        host = f"translate.google.{self.tld}"
        buffer = io.BytesIO()
        tts = gTTS(text, lang=self.lang, tld=self.tld, slow=False, lang_check=False,
                   timeout=self.retry.timeout_s)
        try:
            tts.write_to_fp(buffer)
        except gTTSError as error:
            raise _classify_gtts_error(error, host) from error
        except requests.RequestException as error:  # raised while streaming the body
            raise _Retryable(f"connection to {host} broke: {error}") from error
        return buffer.getvalue()


def _classify_gtts_error(error: Exception, host: str) -> Exception:
    """Turn a gTTSError into _Retryable (throttling, 5xx, timeout) or a final SynthesisError."""
    response = getattr(error, "rsp", None)
    if response is not None:
        status = f"HTTP {response.status_code} {response.reason or ''}".strip()
        if response.status_code == 429 or response.status_code >= 500:
            return _Retryable(f"{host} answered {status}")
        if response.status_code == 200:
            return SynthesisError(f"gTTS: {host} answered without audio (API changed?)")
        return SynthesisError(f"gTTS request refused by {host}: {status}")
    cause = error.__context__
    if isinstance(cause, requests.Timeout):  # ConnectTimeout too: slow, maybe not offline
        return _Retryable(f"{host} timed out")
    if isinstance(cause, requests.ConnectionError):
        return SynthesisError(f"gTTS could not reach {host}: network unreachable")
    return SynthesisError(f"gTTS failed: {error}")


def _decode_mp3(mp3: bytes, length_scale: float) -> np.ndarray:
    """MP3 bytes to int16 mono SAMPLE_RATE; length_scale != 1 stretches tempo, not pitch."""
    command = [find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0"]
    if length_scale != 1.0:
        command += ["-filter:a", f"atempo={1 / length_scale:.6f}"]
    command += ["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "pipe:1"]
    result = subprocess.run(command, input=mp3, capture_output=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        raise SynthesisError(f"ffmpeg could not decode gTTS audio: {last}")
    return np.frombuffer(result.stdout, dtype="<i2").astype(np.int16)
