"""One practice's outputs: an MP3 per length and the phone segments of each length.

The render stage of the audio line (plan → render → measure → gain and limit → encode →
verify): each length's timeline is rendered clip by clip from the cached sentences, generated
silence and the bell, straight into `encode.encode_mp3` — never joined in memory, never joined
with repeated `AudioSegment +` (quadratic, and `append` crossfades).

The bell is set against the voice here. A struck bowl is denser than speech, so at the same
peak it sounds far louder: in the 10-minute loving-kindness it reached -9.9 LUFS momentary
against the speech's median -16.6 and 90th percentile -14.3. Its loudest 400 ms is now put
BELL_UNDER_SPEECH_LU under the practice's speech (integrated, over its sentences), which after
normalising lands it near the speech's median: present, not startling.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .bell import make_bell
from .catalog import PhoneSegment, Variant
from .encode import Tags, encode_mp3, encode_phone_wav
from .loudness import measure
from .outputs import BuildState, Mp3Record, Placed, fingerprint, place_hashed
from .pcm import SAMPLE_RATE, samples_to_ms
from .phone import Stretch, phone_stretches
from .plan import BellClip, Clip, SpeechClip, Timeline, plan_variant
from .script import PracticeScript

ENCODE_VERSION = "mp3-64k-44k1-mono-16lufs-v3"
"""Bump when encoding, tagging, fades or the bell change, so every output is rebuilt."""
PHONE_VERSION = "wav-8k-v2"
MAX_TRUE_PEAK_DBTP = -2.05
"""The spec is −2 dBTP; checking at −2.05 leaves a margin for meters that differ or round."""
FADE_MS = 8
"""Short fades at speech edges: no clicks at joins."""
BELL_UNDER_SPEECH_LU = 1.0
"""The bell's momentary maximum sits this far under the speech's integrated loudness."""
BELL_GAIN_STEP_DB = 0.5
"""The bell's gain is rounded to this, so a one-sentence edit (which moves the speech's level by
hundredths) does not change the bell and rewrite every length that rings it."""
ARTIST = "Compassion Break"


@dataclass(frozen=True)
class BuiltVariants:
    variants: tuple[Variant, ...]
    written: int


@dataclass(frozen=True)
class Sounds:
    """What a practice's programmes are made of."""

    speech: Mapping[str, np.ndarray]
    """Each sentence's synthesized audio."""
    keys: Mapping[str, str]
    """Each sentence's cache key: what output fingerprints are built from."""
    bell_gain_db: float
    """Gain on the bell, setting it against this voice (see the module docstring)."""

    @property
    def bell(self) -> np.ndarray:
        return _bell_at(self.bell_gain_db)


@cache
def bell() -> np.ndarray:
    return make_bell()


@cache
def _bell_at(gain_db: float) -> np.ndarray:
    return np.rint(bell() * 10 ** (gain_db / 20)).astype(np.int16)


def bell_gain_db(speech: Mapping[str, np.ndarray]) -> float:
    """The bell's gain so its loudest 400 ms is BELL_UNDER_SPEECH_LU under the speech."""
    speech_lufs = measure(speech.values(), SAMPLE_RATE).integrated_lufs
    if not np.isfinite(speech_lufs):
        return 0.0
    wanted = speech_lufs - BELL_UNDER_SPEECH_LU - measure([bell()], SAMPLE_RATE).momentary_max_lufs
    return round(wanted / BELL_GAIN_STEP_DB) * BELL_GAIN_STEP_DB


def build_variants(practice: PracticeScript, speech: Mapping[str, np.ndarray],
                   keys: Mapping[str, str], out_dir: Path, state: BuildState) -> BuiltVariants:
    sounds = Sounds(speech, keys, bell_gain_db(speech))
    timelines = [plan_variant(practice, m, lambda s: len(speech[s]), len(bell()))
                 for m in practice.lengths]
    mp3s = [_mp3(practice, timeline, sounds, out_dir, state) for timeline in timelines]
    written = sum(fresh for _, fresh in mp3s)
    # The phone plays the same speech at the level the longest MP3 needed after limiting.
    # Rounded to half a decibel, so an MP3 re-encoded after an edit (whose gain moves by a few
    # hundredths) does not ripple into rewriting every phone segment of the practice.
    gain_db = round(mp3s[-1][0].gain_db * 2) / 2
    built = []
    for timeline, (record, _) in zip(timelines, mp3s, strict=True):
        segments, phone_count = _phone(timeline, sounds, gain_db, out_dir, state)
        built.append(Variant(
            minutes=timeline.minutes, duration_ms=record.duration_ms, file=record.file,
            bytes=record.bytes, sha256=record.sha256, chapters=timeline.chapters,
            phone=segments))
        written += phone_count
    return BuiltVariants(tuple(built), written)


def programme(clips: tuple[Clip, ...], sounds: Sounds) -> Callable[[], Iterator[np.ndarray]]:
    """A factory of the programme's int16 chunks; call it again to stream it again."""
    def chunks() -> Iterator[np.ndarray]:
        for clip in clips:
            if isinstance(clip, SpeechClip):
                yield faded(sounds.speech[clip.text])
            elif isinstance(clip, BellClip):
                yield sounds.bell
            else:
                yield from silence(clip.samples)
    return chunks


_ZEROS = np.zeros(SAMPLE_RATE, dtype=np.int16)


def silence(samples: int) -> Iterator[np.ndarray]:
    for start in range(0, samples, len(_ZEROS)):
        yield _ZEROS[:min(len(_ZEROS), samples - start)]


def faded(audio: np.ndarray) -> np.ndarray:
    """A copy with short linear fades at both ends."""
    length = min(len(audio) // 2, SAMPLE_RATE * FADE_MS // 1000)
    out = audio.astype(np.float32)
    if length:
        ramp = np.linspace(0.0, 1.0, length, endpoint=False, dtype=np.float32)
        out[:length] *= ramp
        out[-length:] *= ramp[::-1]
    return out.astype(np.int16)


def _clip_ids(clips: tuple[Clip, ...], sounds: Sounds) -> list[list[object]]:
    return [["s", sounds.keys[c.text]] if isinstance(c, SpeechClip) else
            ["b", len(bell()), sounds.bell_gain_db] if isinstance(c, BellClip) else
            ["z", c.samples]
            for c in clips]


def _tags(practice: PracticeScript, minutes: int) -> Tags:
    return Tags(title=f"{practice.title} ({minutes} min)", artist=ARTIST, album=ARTIST,
                year=str(time.gmtime().tm_year), genre="Meditation",
                comment="Sources: " + "; ".join(practice.sources) + ". Licence: CC BY-SA 4.0.")


def _mp3(practice: PracticeScript, timeline: Timeline, sounds: Sounds, out_dir: Path,
         state: BuildState) -> tuple[Mp3Record, int]:
    """The length's MP3 (encoded now, or as recorded for the same inputs) and files written."""
    tags = _tags(practice, timeline.minutes)
    key = fingerprint({"v": ENCODE_VERSION, "clips": _clip_ids(timeline.clips, sounds),
                       "tags": asdict(tags), "chapters": [asdict(c) for c in timeline.chapters]})
    recorded = state.lookup(key)
    if isinstance(recorded, Mp3Record):
        return recorded, 0
    stem = f"{practice.practice_id}-{timeline.minutes}min"
    results = []
    placed = place_hashed(out_dir, "audio", stem, "mp3", lambda path: results.append(
        encode_mp3(programme(timeline.clips, sounds), path, tags, timeline.chapters,
                   max_true_peak_dbtp=MAX_TRUE_PEAK_DBTP)))
    record = Mp3Record(**asdict(placed), duration_ms=timeline.duration_ms,
                       gain_db=round(results[0].gain_db, 3),
                       practice_id=practice.practice_id, minutes=timeline.minutes)
    state.record(key, record)
    return record, 1


def _phone(timeline: Timeline, sounds: Sounds, gain_db: float, out_dir: Path,
           state: BuildState) -> tuple[tuple[PhoneSegment, ...], int]:
    segments = []
    written = 0
    for stretch in phone_stretches(timeline):
        placed, count = _phone_file(stretch, sounds, gain_db, out_dir, state)
        written += count
        segments.append(PhoneSegment(
            kind=stretch.kind, step=stretch.step, file=placed.file, bytes=placed.bytes,
            sha256=placed.sha256, start_ms=samples_to_ms(stretch.start_samples),
            duration_ms=samples_to_ms(stretch.samples),
            pause_after_ms=samples_to_ms(stretch.pause_after_samples)))
    return tuple(segments), written


def _phone_file(stretch: Stretch, sounds: Sounds, gain_db: float, out_dir: Path,
                state: BuildState) -> tuple[Placed, int]:
    key = fingerprint({"v": PHONE_VERSION, "clips": _clip_ids(stretch.clips, sounds),
                       "gain_db": gain_db})
    recorded = state.lookup(key)
    if isinstance(recorded, Placed):
        return recorded, 0
    samples = np.concatenate(list(programme(stretch.clips, sounds)()))
    placed = place_hashed(out_dir, "phone", stretch.kind, "wav",
                          lambda path: encode_phone_wav(samples, path, gain_db=gain_db))
    state.record(key, placed)
    return placed, 1
