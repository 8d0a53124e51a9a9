"""The final stage: a programme of int16 chunks at SAMPLE_RATE becomes a tagged MP3 (and a WAV).

encode_mp3 streams the programme several times, so memory never grows with its length: pass 1
measures loudness; dry runs of gain + true-peak limiter find the gain that still hits the target
after limiting (which eats loudness); the encode pass pipes the limited audio into one ffmpeg.
The encoded file is then decoded and measured, since MP3 coding moves both loudness and peak;
if it misses, it is encoded once more with the correction. Files appear under their final name
only complete: written to a hidden temp file beside it, fsynced, then renamed over it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import tempfile
import wave
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio_build.errors import EncodeError
from audio_build.ffmpeg import decode_to_pcm, encode_pcm, stream_decode
from audio_build.id3 import Chapter, Tags, check_metadata, fit_chapters, write_tags
from audio_build.loudness import (
    Loudness,
    LoudnessMeter,
    TruePeakLimiter,
    limited_loudness,
    measure,
    reblock,
    to_float,
)
from audio_build.pcm import SAMPLE_RATE, samples_to_ms

__all__ = [
    "Chapter", "EncodeError", "EncodeResult", "Tags", "WavResult",
    "decode_to_pcm", "encode_mp3", "encode_phone_wav",
]  # fmt: skip

logger = logging.getLogger(__name__)

TARGET_LUFS = -16.0
"""Integrated loudness of everything we publish: Apple Podcasts' guidance, inside Alexa's range."""
MP3_SAMPLE_RATE = 44100
PHONE_SAMPLE_RATE = 8000
MP3_ARGS = (
    "-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", "64k", "-ar", str(MP3_SAMPLE_RATE),
    "-ac", "1", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3",
)  # fmt: skip
"""CBR 64k mono MPEG-1 Layer III. The LAME "Info" frame stays: it lets decoders trim the encoder
delay and padding, so the decoded length equals the programme's. mutagen writes the ID3 tag."""

CODEC_HEADROOM_DB = 2.0
"""MP3 coding raises true peak by up to about this much, so the limiter aims this far lower."""
CODEC_LOUDNESS_LOSS_LU = 0.5
"""LAME at 64 kbps comes out about this much quieter (sine and noise alike), so aim higher."""
GAIN_SEARCH_RUNS = 3
GAIN_SEARCH_TOLERANCE_LU = 0.15
RETRY_TOLERANCE_LU = 0.5
ACCEPT_TOLERANCE_LU = 1.0
PHONE_CEILING_DBTP = -1.0
@dataclass(frozen=True)
class EncodeResult:
    """The final MP3, as measured after encoding."""

    duration_ms: int
    bytes: int
    sha256: str
    integrated_lufs: float
    """Measured on the decoded MP3; -inf for all silence (or under 400 ms): no gain then."""
    true_peak_dbtp: float
    """Measured on the decoded MP3."""
    gain_db: float
    """Gain applied before the limiter; pass it to encode_phone_wav for a matching level."""


@dataclass(frozen=True)
class WavResult:
    """The final phone WAV."""

    duration_ms: int
    bytes: int
    sha256: str


ChunkFactory = Callable[[], Iterable[np.ndarray]]
"""Each call yields the whole programme again, as mono int16 chunks at SAMPLE_RATE."""


def encode_mp3(
    chunks: ChunkFactory,
    out_path: Path,
    tags: Tags,
    chapters: Sequence[Chapter],
    *,
    target_lufs: float = TARGET_LUFS,
    max_true_peak_dbtp: float = -2.0,
    gain_hint_db: float | None = None,
) -> EncodeResult:
    """Normalise, limit, encode and tag the programme; out_path appears only when complete.

    `gain_hint_db` (the gain a similar programme needed, e.g. another length of the same
    practice) skips the measuring pass and the dry runs: the programme is encoded with it at
    once and checked on the file as always; if that misses, the full search runs.
    """
    check_metadata(tags, chapters)
    if gain_hint_db is not None:
        try:
            return _encode(chunks, out_path, tags, chapters, _hinted(chunks, gain_hint_db),
                           _Spec(target_lufs, max_true_peak_dbtp, True))
        except EncodeError as error:
            logger.info("%s: gain hint %+.2f dB missed (%s); searching", out_path.name,
                        gain_hint_db, error)
    meter = LoudnessMeter(SAMPLE_RATE)
    for chunk in _checked(chunks()):
        meter.push(chunk)
    source = meter.result()
    logger.info("%s: source %s", out_path.name, source)
    spec = _Spec(target_lufs, max_true_peak_dbtp, math.isfinite(source.integrated_lufs))
    return _encode(chunks, out_path, tags, chapters, _Start(source, meter.samples, None), spec)


@dataclass(frozen=True)
class _Start:
    """What is known before encoding: the source's loudness (or a gain hint instead)."""

    source: Loudness | None
    total: int
    gain_hint_db: float | None


def _hinted(chunks: ChunkFactory, gain_hint_db: float) -> _Start:
    total = sum(len(chunk) for chunk in _checked(chunks()))
    return _Start(None, total, gain_hint_db)


def _encode(chunks: ChunkFactory, out_path: Path, tags: Tags, chapters: Sequence[Chapter],
            start: _Start, spec: _Spec) -> EncodeResult:
    chapters = fit_chapters(chapters, samples_to_ms(start.total))
    with _atomic_output(out_path) as part:
        measured, gain_db = _encode_verified(chunks, start, part, spec)
        write_tags(part, tags, chapters)
    size, digest = _digest(out_path)
    return EncodeResult(
        duration_ms=samples_to_ms(start.total),
        bytes=size,
        sha256=digest,
        integrated_lufs=measured.integrated_lufs,
        true_peak_dbtp=measured.true_peak_dbtp,
        gain_db=gain_db,
    )


def encode_phone_wav(samples: np.ndarray, out_path: Path, *, gain_db: float = 0.0) -> WavResult:
    """8 kHz mono 16-bit PCM WAV of int16 samples at SAMPLE_RATE, with gain_db and a limiter."""
    (samples,) = _checked([samples])
    # resample first and limit at 8 kHz: resampling a limited signal can push peaks past full scale
    resampled = to_phone_rate(samples)
    with _atomic_output(out_path) as part:
        limited = _limited(reblock([resampled]), gain_db, PHONE_CEILING_DBTP, PHONE_SAMPLE_RATE)
        with wave.open(str(part), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(PHONE_SAMPLE_RATE)
            for block in limited:
                wav.writeframes(block.astype("<i2").tobytes())
    size, digest = _digest(out_path)
    return WavResult(duration_ms=samples_to_ms(len(samples)), bytes=size, sha256=digest)


PHONE_BAND_HZ = (3400.0, 3900.0)
"""The phone resampler passes speech up to the first frequency and cuts by the second."""


def to_phone_rate(samples: np.ndarray) -> np.ndarray:
    """Float samples at 8 kHz by band-limited FFT resampling, in process.

    Phone segments are a few seconds long and start and end in silence, so one FFT per segment
    is exact enough and costs far less than an ffmpeg process per segment. The FFT runs on the
    segment padded with silence to a length of small prime factors that maps to a whole number
    of output samples: an awkward length made numpy fall back to an algorithm whose buffers
    took 90 MB for one 15 s prompt, the build's peak.
    """
    x = to_float(samples)
    n_out = max(1, round(len(x) * PHONE_SAMPLE_RATE / SAMPLE_RATE))
    divisor = math.gcd(PHONE_SAMPLE_RATE, SAMPLE_RATE)
    up, down = PHONE_SAMPLE_RATE // divisor, SAMPLE_RATE // divisor
    padded = down * _smooth_at_least(-(-len(x) // down))
    spectrum = np.fft.rfft(x, padded)
    padded_out = padded // down * up
    keep = min(len(spectrum), padded_out // 2 + 1)
    freqs = np.arange(keep) * SAMPLE_RATE / padded
    low, high = PHONE_BAND_HZ
    ramp = np.clip((high - freqs) / (high - low), 0.0, 1.0)
    taper = 0.5 - 0.5 * np.cos(np.pi * ramp)
    return np.fft.irfft(spectrum[:keep] * taper, padded_out)[:n_out] * (padded_out / padded)


def _smooth_at_least(n: int) -> int:
    """The smallest number >= n (and >= 1) with no prime factor above 7."""
    candidate = max(1, n)
    while True:
        rest = candidate
        for prime in (2, 3, 5, 7):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            return candidate
        candidate += 1


def normalising_gain(chunks: ChunkFactory, *, target_lufs: float = TARGET_LUFS,
                     ceiling_dbtp: float = PHONE_CEILING_DBTP) -> float:
    """The gain that brings the programme to target_lufs after limiting at ceiling_dbtp."""
    source = measure(_checked(chunks()), SAMPLE_RATE)
    if not math.isfinite(source.integrated_lufs):
        return 0.0
    aim = _Aim(target_lufs, ceiling_dbtp)
    return _search_gain(chunks, target_lufs - source.integrated_lufs, source, aim)


@dataclass(frozen=True)
class _Spec:
    target_lufs: float
    max_true_peak_dbtp: float
    has_loudness: bool
    """False for a programme with nothing above the gate: there is no level to normalise."""

    def misses(self, measured: Loudness) -> tuple[float, float]:
        """(LU away from target, dB over the peak limit) of an encoded file."""
        miss_lu = measured.integrated_lufs - self.target_lufs if self.has_loudness else 0.0
        if not math.isfinite(miss_lu):
            raise EncodeError(f"the encoded programme lost all its level: {measured}")
        return miss_lu, measured.true_peak_dbtp - self.max_true_peak_dbtp


@dataclass(frozen=True)
class _Aim:
    """Where one attempt puts the limited stream that goes into the codec."""

    lufs: float
    ceiling_dbtp: float


def _encode_verified(
    chunks: ChunkFactory, start: _Start, part: Path, spec: _Spec
) -> tuple[Loudness, float]:
    aim = _Aim(
        spec.target_lufs + CODEC_LOUDNESS_LOSS_LU, spec.max_true_peak_dbtp - CODEC_HEADROOM_DB
    )
    source = start.source
    if source is None:
        gain_db = start.gain_hint_db or 0.0
    else:
        gain_db = aim.lufs - source.integrated_lufs if spec.has_loudness else 0.0
    for attempt in (1, 2):
        if spec.has_loudness and source is not None:
            gain_db = _search_gain(chunks, gain_db, source, aim)
        blocks = _counted(reblock(_checked(chunks())), start.total)
        limited = _limited(blocks, gain_db, aim.ceiling_dbtp, SAMPLE_RATE)
        encode_pcm(limited, SAMPLE_RATE, MP3_ARGS, part)
        measured = measure(stream_decode(part, MP3_SAMPLE_RATE), MP3_SAMPLE_RATE)
        miss_lu, over_db = spec.misses(measured)
        logger.info("attempt %d: gain %+.2f dB gave %s", attempt, gain_db, measured)
        tolerance = RETRY_TOLERANCE_LU if attempt == 1 else ACCEPT_TOLERANCE_LU
        if abs(miss_lu) <= tolerance and over_db <= 0:
            return measured, gain_db
        lower_db = over_db + CODEC_HEADROOM_DB / 4 if over_db > 0 else 0.0
        aim = _Aim(aim.lufs - miss_lu, aim.ceiling_dbtp - lower_db)
        gain_db -= miss_lu
    raise EncodeError(
        f"could not reach {spec.target_lufs} LUFS (±{ACCEPT_TOLERANCE_LU} LU) with true peak "
        f"≤ {spec.max_true_peak_dbtp} dBTP: the encoded file measured {measured}"
    )


def _search_gain(chunks: ChunkFactory, gain_db: float, source: Loudness, aim: _Aim) -> float:
    """The gain whose limited output is aim.lufs loud, by dry runs: limiting eats loudness."""
    if source.true_peak_dbtp + gain_db <= aim.ceiling_dbtp:
        return gain_db  # the limiter will never act, so the gain is exact as it is
    previous: tuple[float, float] | None = None
    for _ in range(GAIN_SEARCH_RUNS):
        lufs = limited_loudness(_checked(chunks()), SAMPLE_RATE, gain_db, aim.ceiling_dbtp)
        error = aim.lufs - lufs
        logger.debug("dry run: gain %+.2f dB gives %.2f LUFS before coding", gain_db, lufs)
        if abs(error) <= GAIN_SEARCH_TOLERANCE_LU:
            break
        slope = 1.0
        if previous is not None:  # secant step: +1 dB of gain adds less than 1 LU when limited
            slope = min(1.0, max(0.25, (lufs - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, lufs)
        gain_db += error / slope
    return gain_db


def _limited(
    blocks: Iterable[np.ndarray], gain_db: float, ceiling_dbtp: float, sample_rate: int
) -> Iterator[np.ndarray]:
    gain = 10 ** (gain_db / 20)
    limiter = TruePeakLimiter(sample_rate, ceiling_dbtp)
    for block in blocks:
        yield _to_int16(limiter.push(to_float(block) * gain))
    yield _to_int16(limiter.flush())


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)


def _checked(chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    for chunk in chunks:
        if not isinstance(chunk, np.ndarray) or chunk.dtype != np.int16 or chunk.ndim != 1:
            kind = getattr(chunk, "dtype", type(chunk).__name__)
            raise EncodeError(f"programme chunks must be 1-D int16 numpy arrays, got {kind}")
        yield chunk


def _counted(blocks: Iterable[np.ndarray], expected: int) -> Iterator[np.ndarray]:
    seen = 0
    for block in blocks:
        seen += len(block)
        yield block
    if seen != expected:
        raise EncodeError(f"the chunk factory gave {expected} samples, then {seen}")


@contextlib.contextmanager
def _atomic_output(out_path: Path) -> Iterator[Path]:
    """Yield a temp path beside out_path; on success fsync and rename it over out_path."""
    hidden = out_path.name if out_path.name.startswith(".") else f".{out_path.name}"
    fd, name = tempfile.mkstemp(prefix=f"{hidden}.", suffix=".part", dir=out_path.parent)
    os.close(fd)
    part = Path(name)
    try:
        yield part
        os.chmod(part, 0o644)
        _fsync(part)
        os.replace(part, out_path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    _fsync(out_path.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    return path.stat().st_size, digest
