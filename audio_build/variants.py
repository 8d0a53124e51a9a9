"""One practice's outputs: an MP3 per length and the phone segments of each length.

The render stage of the audio line (plan → render → measure → gain and limit → encode →
verify): each length's timeline is rendered clip by clip from the cached sentences, generated
silence and the bell, straight into `encode.encode_mp3` — never joined in memory, never joined
with repeated `AudioSegment +` (quadratic, and `append` crossfades).

The bell goes into the programme as an `encode.Cue`: levelled on its own, its loudest 400 ms
under the voice's target (see encode.py). Levelled with the voice, in the 10-minute
loving-kindness it reached -9.9 LUFS momentary against the speech's median -16.6 and 90th
percentile -14.3. The phone's bell segments get the same level.
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
from .encode import Chunk, Cue, Tags, cue, encode_mp3, encode_phone_wav
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


@cache
def bell() -> np.ndarray:
    return make_bell()


@cache
def bell_cue() -> Cue:
    return cue(bell())


def build_variants(practice: PracticeScript, speech: Mapping[str, np.ndarray],
                   keys: Mapping[str, str], out_dir: Path, state: BuildState) -> BuiltVariants:
    sounds = Sounds(speech, keys)
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


def programme(clips: tuple[Clip, ...], sounds: Sounds) -> Callable[[], Iterator[Chunk]]:
    """A factory of the programme's int16 chunks and cues; call it again to stream it again."""
    def chunks() -> Iterator[Chunk]:
        for clip in clips:
            if isinstance(clip, SpeechClip):
                yield faded(sounds.speech[clip.text])
            elif isinstance(clip, BellClip):
                yield bell_cue()
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
            ["b", len(bell())] if isinstance(c, BellClip) else
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
    if stretch.kind == "bell":  # levelled on its own, as in the MP3
        gain_db = round(bell_cue().gain_db(), 3)
    key = fingerprint({"v": PHONE_VERSION, "clips": _clip_ids(stretch.clips, sounds),
                       "gain_db": gain_db})
    recorded = state.lookup(key)
    if isinstance(recorded, Placed):
        return recorded, 0
    samples = np.concatenate([c.samples if isinstance(c, Cue) else c
                              for c in programme(stretch.clips, sounds)()])
    placed = place_hashed(out_dir, "phone", stretch.kind, "wav",
                          lambda path: encode_phone_wav(samples, path, gain_db=gain_db))
    state.record(key, placed)
    return placed, 1
