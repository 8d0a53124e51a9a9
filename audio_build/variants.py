"""One practice's outputs: an MP3 per length and the phone segments of each length.

Audio is streamed: the programme is generated clip by clip from the cached sentences, generated
silence and the bell, straight into the encoder — never joined in memory, never joined with
repeated `AudioSegment +` (quadratic, and `append` crossfades).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .bell import make_bell
from .catalog import Chapter, PhoneSegment, Variant
from .encode import Chapter as EncodeChapter
from .encode import Tags, encode_mp3, encode_phone_wav
from .outputs import BuildState, fingerprint, place_hashed
from .pcm import SAMPLE_RATE, samples_to_ms
from .phone import Stretch, phone_stretches
from .plan import BellClip, Clip, SpeechClip, Timeline, plan_variant
from .script import PracticeScript

ENCODE_VERSION = "mp3-64k-44k1-mono-16lufs-v2"
"""Bump when encoding, tagging, fades or the bell change, so every output is rebuilt."""
PHONE_VERSION = "wav-8k-v1"
MAX_TRUE_PEAK_DBTP = -2.05
"""The spec is −2 dBTP; checking at −2.05 leaves a margin for meters that differ or round."""
FADE_MS = 8
"""Short fades at speech edges: no clicks at joins."""
ARTIST = "Compassion Break"


@dataclass(frozen=True)
class BuiltVariants:
    variants: tuple[Variant, ...]
    written: int


@cache
def bell() -> np.ndarray:
    return make_bell()


def build_variants(practice: PracticeScript, speech: dict[str, np.ndarray],
                   keys: dict[str, str], out_dir: Path, state: BuildState) -> BuiltVariants:
    timelines = [plan_variant(practice, m, lambda s: len(speech[s]), len(bell()))
                 for m in practice.lengths]
    written = 0
    mp3s = []
    for timeline in timelines:
        variant, count = _mp3(practice, timeline, speech, keys, out_dir, state)
        mp3s.append(variant)
        written += count
    # The phone plays the same speech at the level the longest MP3 needed after limiting.
    # Rounded to half a decibel, so an MP3 re-encoded after an edit (whose gain moves by a few
    # hundredths) does not ripple into rewriting every phone segment of the practice.
    gain_db = round(mp3s[-1].pop("gain_db") * 2) / 2
    built = []
    for timeline, variant in zip(timelines, mp3s, strict=True):
        variant.pop("gain_db", None)
        segments, phone_count = _phone(timeline, speech, keys, gain_db, out_dir, state)
        built.append(Variant(**{**variant, "phone": segments}))
        written += phone_count
    return BuiltVariants(tuple(built), written)


def programme(clips: tuple[Clip, ...], speech: dict[str, np.ndarray]
              ) -> Callable[[], Iterator[np.ndarray]]:
    """A factory of the programme's int16 chunks; call it again to stream it again."""
    def chunks() -> Iterator[np.ndarray]:
        for clip in clips:
            if isinstance(clip, SpeechClip):
                yield faded(speech[clip.text])
            elif isinstance(clip, BellClip):
                yield bell()
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


def _clip_ids(clips: tuple[Clip, ...], keys: dict[str, str]) -> list[list[object]]:
    return [["s", keys[c.text]] if isinstance(c, SpeechClip) else
            ["b", len(bell())] if isinstance(c, BellClip) else ["z", c.samples]
            for c in clips]


def _tags(practice: PracticeScript, minutes: int) -> Tags:
    return Tags(title=f"{practice.title} ({minutes} min)", artist=ARTIST, album=ARTIST,
                year=str(time.gmtime().tm_year), genre="Meditation",
                comment="Sources: " + "; ".join(practice.sources) + ". Licence: CC BY-SA 4.0.")


def _mp3(practice: PracticeScript, timeline: Timeline, speech: dict[str, np.ndarray],
         keys: dict[str, str], out_dir: Path, state: BuildState) -> tuple[dict, int]:
    tags = _tags(practice, timeline.minutes)
    chapters = [EncodeChapter(f"chp{i}", c.title, c.start_ms, c.end_ms)
                for i, c in enumerate(timeline.chapters)]
    key = fingerprint({"v": ENCODE_VERSION, "clips": _clip_ids(timeline.clips, keys),
                       "tags": asdict(tags), "chapters": [asdict(c) for c in chapters]})
    entry = state.lookup(key)
    written = 0
    if entry is None or "gain_db" not in entry:
        stem = f"{practice.practice_id}-{timeline.minutes}min"
        results = []
        hint = _gain_hint(state, practice.practice_id, timeline.minutes)
        placed = place_hashed(out_dir, "audio", stem, "mp3", lambda path: results.append(
            encode_mp3(programme(timeline.clips, speech), path, tags, chapters,
                       max_true_peak_dbtp=MAX_TRUE_PEAK_DBTP,
                       gain_hint_db=hint)))
        entry = {**asdict(placed), "duration_ms": timeline.duration_ms,
                 "gain_db": round(results[0].gain_db, 3),
                 "practice_id": practice.practice_id, "minutes": timeline.minutes}
        state.record(key, entry)
        written = 1
    variant = {"minutes": timeline.minutes, "duration_ms": entry["duration_ms"],
               "file": entry["file"], "bytes": entry["bytes"], "sha256": entry["sha256"],
               "chapters": tuple(Chapter(c.title, c.start_ms, c.end_ms)
                                 for c in timeline.chapters), "gain_db": entry["gain_db"]}
    return variant, written


def _gain_hint(state: BuildState, practice_id: str, minutes: int) -> float | None:
    """The gain this variant needed last time, else another of the practice's, else the last
    MP3's: the voice's level hardly changes, so it saves the search (encode_mp3 still checks the
    file and searches if it misses). Keeping a practice's gain steady across edits also keeps its
    phone segments, which carry that gain, from being rewritten."""
    entries = [e for e in state.entries.values() if "gain_db" in e and "file" in e]
    for wanted in ((practice_id, minutes), (practice_id, None), (None, None)):
        for entry in reversed(entries):
            if wanted[0] in (None, entry.get("practice_id")) and \
                    wanted[1] in (None, entry.get("minutes")):
                return float(entry["gain_db"])
    return None


def _phone(timeline: Timeline, speech: dict[str, np.ndarray], keys: dict[str, str],
           gain_db: float, out_dir: Path, state: BuildState
           ) -> tuple[tuple[PhoneSegment, ...], int]:
    segments = []
    written = 0
    for stretch in phone_stretches(timeline):
        entry, count = _phone_file(stretch, speech, keys, gain_db, out_dir, state)
        written += count
        segments.append(PhoneSegment(
            kind=stretch.kind, step=stretch.step, file=entry["file"], bytes=entry["bytes"],
            sha256=entry["sha256"], start_ms=samples_to_ms(stretch.start_samples),
            duration_ms=samples_to_ms(stretch.samples),
            pause_after_ms=samples_to_ms(stretch.pause_after_samples)))
    return tuple(segments), written


def _phone_file(stretch: Stretch, speech: dict[str, np.ndarray], keys: dict[str, str],
                gain_db: float, out_dir: Path, state: BuildState) -> tuple[dict, int]:
    key = fingerprint({"v": PHONE_VERSION, "clips": _clip_ids(stretch.clips, keys),
                       "gain_db": gain_db})
    entry = state.lookup(key)
    if entry is not None:
        return entry, 0
    samples = np.concatenate(list(programme(stretch.clips, speech)()))
    placed = place_hashed(out_dir, "phone", stretch.kind, "wav",
                          lambda path: encode_phone_wav(samples, path, gain_db=gain_db))
    entry = asdict(placed)
    state.record(key, entry)
    return entry, 1
