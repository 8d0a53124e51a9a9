"""Programme to MP3, in one line: measure → gain and limit → encode → verify, each stage once.

The programme (int16 chunks at SAMPLE_RATE, from `variants.programme`) is streamed, so memory
never grows with its length:

1. measure: one pass of `loudness.measure` (integrated loudness and true peak);
2. gain and limit: `limiter.plan_level` — exact from the measurement when the limiter will not
   act, else one dry pass metering the limited stream at two gains (see limiter.py);
3. encode: gain and limiter applied on the way into ONE ffmpeg (libmp3lame) process;
4. verify: the file is decoded and measured. The aims below leave room for what the codec
   does; a file that still misses the spec (near the edge: Piper's speech varies a little from
   run to run) is encoded once more, corrected by what it missed by, and then it meets the spec
   or is an `EncodeError`.

The stages aim at a loudness CODEC_LOUDNESS_LOSS_LU above and a ceiling CODEC_HEADROOM_DB below
the spec, since LAME moves both. A `Cue` in the programme (the bell) is levelled on its own:
it is silence to the measure stage, and goes into the limiter at a fixed level — its loudest
400 ms CUE_OVER_TARGET_LU over the target, under the speech's 90th percentile. Levelled with
the voice, the bell took the voice's gain, which the limiter had made large by squashing the
voice's peaks: the bell came out 7 LU over the speech. The file appears under its final name
only complete (`files.atomic_path`), with its ID3 tag.
"""

from __future__ import annotations

import logging
import math
import wave
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from audio_build.errors import EncodeError
from audio_build.ffmpeg import decode_to_pcm, encode_pcm, stream_decode
from audio_build.files import atomic_path, sha256_file
from audio_build.id3 import Chapter, Tags, check_metadata, fit_chapters, write_tags
from audio_build.limiter import Level, limit, limited, plan_level
from audio_build.loudness import Loudness, LoudnessMeter, measure, reblock, to_float
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

CODEC_HEADROOM_DB = 2.5
"""MP3 coding raises true peak by up to about this much, so the limiter aims this far lower
(2.0 let Piper speech reach -1.97 dBTP after coding; each dB more costs the voice loudness it
cannot make up under heavy limiting)."""
CODEC_LOUDNESS_LOSS_LU = 0.5
"""LAME at 64 kbps comes out about this much quieter (sine and noise alike), so aim higher."""
AIM_LUFS = TARGET_LUFS + CODEC_LOUDNESS_LOSS_LU
"""Where the gain stage puts the voice, before the codec."""
CUE_OVER_TARGET_LU = 1.0
"""A cue's momentary maximum lands this far over the voice's integrated target: under the
speech's 90th percentile (which sits 1.7-2.6 LU over it: -14.3 in the 10-minute
loving-kindness at -16), near its median. Quieter would be gentler, but a bell's decaying tail
counts in the gated loudness, and in a bell-heavy 1-minute practice pulled the file below
-17 LUFS, which a peak-limited voice could not make up."""
ACCEPT_TOLERANCE_LU = 1.0
"""The encoded file must measure within this of the target (Apple's -16 ±1 LUFS)."""
MAX_ENCODES = 4
"""Encodes of one file before the build gives up on it: the first, then corrections."""
PEAK_MARGIN_DB = 0.3
"""A correction lowers the ceiling by the true-peak excess and this much more."""
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


@dataclass(frozen=True, eq=False)
class Cue:
    """A sound in the programme levelled on its own, not with the voice (the bell)."""

    samples: np.ndarray
    """Mono int16 at SAMPLE_RATE."""
    momentary_max_lufs: float
    """Its loudest 400 ms as it is (see `cue`)."""

    def gain_db(self, voice_lufs: float = AIM_LUFS) -> float:
        """The gain that puts it CUE_OVER_TARGET_LU over a voice at `voice_lufs`."""
        return voice_lufs + CUE_OVER_TARGET_LU - self.momentary_max_lufs


def cue(samples: np.ndarray) -> Cue:
    (samples,) = _checked([samples])
    return Cue(samples, measure([samples], SAMPLE_RATE).momentary_max_lufs)


Chunk = np.ndarray | Cue
ChunkFactory = Callable[[], Iterable[Chunk]]
"""Each call yields the whole programme again: mono int16 chunks at SAMPLE_RATE, and cues."""


def encode_mp3(
    chunks: ChunkFactory,
    out_path: Path,
    tags: Tags,
    chapters: Sequence[Chapter],
    *,
    target_lufs: float = TARGET_LUFS,
    max_true_peak_dbtp: float = -2.0,
) -> EncodeResult:
    """Measure, level, encode and verify the programme; out_path appears only when complete."""
    check_metadata(tags, chapters)
    meter = LoudnessMeter(SAMPLE_RATE)
    cues = 0
    for chunk in chunks():
        cues += isinstance(chunk, Cue)
        meter.push(np.zeros(len(chunk.samples), np.int16) if isinstance(chunk, Cue)
                   else next(_checked([chunk])))
    source, total = meter.result(), meter.samples
    aim_lufs = target_lufs + CODEC_LOUDNESS_LOSS_LU
    level = plan_level(source, lambda: _parts(chunks(), aim_lufs), SAMPLE_RATE, aim_lufs,
                       max_true_peak_dbtp - CODEC_HEADROOM_DB, has_cues=cues > 0)
    logger.info("%s: source %s, gain %+.2f dB", out_path.name, source, level.gain_db)
    with atomic_path(out_path) as part:
        measured = _encode(chunks, part, level, aim_lufs, total)
        encodes = 1
        while (not _meets(measured, source, target_lufs, max_true_peak_dbtp)
               and encodes < MAX_ENCODES):
            # The codec moved loudness or peaks further than CODEC_* allow for (Piper's speech
            # differs a little from run to run, so a file near the edge can): correct by what
            # was measured and verify again.
            level = _corrected(level, measured, target_lufs, max_true_peak_dbtp)
            logger.info("%s: measured %s; encoding again at gain %+.2f dB, ceiling %.2f dBTP",
                        out_path.name, measured, level.gain_db, level.ceiling_dbtp)
            measured = _encode(chunks, part, level, aim_lufs, total)
            encodes += 1
        _verify(measured, source, target_lufs, max_true_peak_dbtp)
        write_tags(part, tags, fit_chapters(chapters, samples_to_ms(total)))
    return EncodeResult(
        duration_ms=samples_to_ms(total),
        bytes=out_path.stat().st_size,
        sha256=sha256_file(out_path),
        integrated_lufs=measured.integrated_lufs,
        true_peak_dbtp=measured.true_peak_dbtp,
        gain_db=level.gain_db,
    )


def _encode(chunks: ChunkFactory, part: Path, level: Level, aim_lufs: float,
            total: int) -> Loudness:
    """Gain and limit on the way into one ffmpeg; the file decoded and measured."""
    gain = 10 ** (level.gain_db / 20)
    levelled = (x * gain if gained else x for x, gained in _parts(chunks(), aim_lufs))
    blocks = _counted(reblock(levelled), total)
    encode_pcm(limit(blocks, level.ceiling_dbtp, SAMPLE_RATE), SAMPLE_RATE, MP3_ARGS, part)
    return measure(stream_decode(part, MP3_SAMPLE_RATE), MP3_SAMPLE_RATE)


def _meets(measured: Loudness, source: Loudness, target_lufs: float,
           max_true_peak_dbtp: float) -> bool:
    try:
        _verify(measured, source, target_lufs, max_true_peak_dbtp)
    except EncodeError:
        return False
    return True


def _corrected(level: Level, measured: Loudness, target_lufs: float,
               max_true_peak_dbtp: float) -> Level:
    """The level moved by what the file missed by: the gain by a loudness miss, the ceiling
    down by a true-peak excess and PEAK_MARGIN_DB. Small steps, repeated: under heavy limiting
    the coded peak follows the ceiling only part of the way (in one 10-minute practice a
    ceiling 0.52 dB lower moved it 0.21 dB and left it 0.016 dB over: a fresh `make run` failed
    on it when only one correction was allowed), and a larger step, estimated from that, costs
    loudness the limiter cannot give back."""
    over_db = measured.true_peak_dbtp - max_true_peak_dbtp
    ceiling = level.ceiling_dbtp - (over_db + PEAK_MARGIN_DB if over_db > 0 else 0.0)
    off_lu = measured.integrated_lufs - target_lufs
    gain = level.gain_db - off_lu if math.isfinite(off_lu) and abs(off_lu) > ACCEPT_TOLERANCE_LU \
        else level.gain_db
    return replace(level, gain_db=gain, ceiling_dbtp=ceiling)


def _verify(measured: Loudness, source: Loudness, target_lufs: float,
            max_true_peak_dbtp: float) -> None:
    """The encoded file meets the spec, or the encode fails (nothing is placed)."""
    off_lu = measured.integrated_lufs - target_lufs
    if math.isfinite(source.integrated_lufs) and not abs(off_lu) <= ACCEPT_TOLERANCE_LU:
        raise EncodeError(f"the encoded file measured {measured}, not {target_lufs} LUFS "
                              f"(±{ACCEPT_TOLERANCE_LU} LU)")
    if measured.true_peak_dbtp > max_true_peak_dbtp:
        raise EncodeError(f"the encoded file measured {measured}: true peak over "
                          f"{max_true_peak_dbtp} dBTP")


def encode_phone_wav(samples: np.ndarray, out_path: Path, *, gain_db: float = 0.0) -> WavResult:
    """8 kHz mono 16-bit PCM WAV of int16 samples at SAMPLE_RATE, with gain_db and a limiter."""
    (samples,) = _checked([samples])
    # resample first and limit at 8 kHz: resampling a limited signal can push peaks past full scale
    resampled = to_phone_rate(samples)
    level = Level(gain_db, PHONE_CEILING_DBTP)
    with atomic_path(out_path) as part, wave.open(str(part), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(PHONE_SAMPLE_RATE)
        for block in limited(reblock([resampled]), level, PHONE_SAMPLE_RATE):
            wav.writeframes(block.astype("<i2").tobytes())
    return WavResult(duration_ms=samples_to_ms(len(samples)), bytes=out_path.stat().st_size,
                     sha256=sha256_file(out_path))


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
    return plan_level(source, lambda: ((to_float(c), True) for c in _checked(chunks())),
                      SAMPLE_RATE, target_lufs, ceiling_dbtp).gain_db


def _checked(chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    for chunk in chunks:
        if not isinstance(chunk, np.ndarray) or chunk.dtype != np.int16 or chunk.ndim != 1:
            kind = getattr(chunk, "dtype", type(chunk).__name__)
            raise EncodeError(f"programme chunks must be 1-D int16 numpy arrays, got {kind}")
        yield chunk


def _parts(chunks: Iterable[Chunk], aim_lufs: float) -> Iterator[tuple[np.ndarray, bool]]:
    """Float pieces for the gain stage: the voice (takes the planned gain), and each cue at its
    own level (does not)."""
    for chunk in chunks:
        if isinstance(chunk, Cue):
            yield to_float(chunk.samples) * 10 ** (chunk.gain_db(aim_lufs) / 20), False
        else:
            yield to_float(next(_checked([chunk]))), True


def _counted(blocks: Iterable[np.ndarray], expected: int) -> Iterator[np.ndarray]:
    seen = 0
    for block in blocks:
        seen += len(block)
        yield block
    if seen != expected:
        raise EncodeError(f"the chunk factory gave {expected} samples, then {seen}")
