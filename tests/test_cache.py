"""The segment cache: synthesize once, key on identity, survive damaged entries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from audio_build.cache import CacheStats, SegmentCache
from audio_build.engines import EngineIdentity, PiperEngine, SpeechSettings
from audio_build.pcm import SAMPLE_RATE


class FakeEngine:
    """Stands in for a slow or paid engine: a deterministic tone per text, counting calls."""

    def __init__(self, voice: str = "tone") -> None:
        self.voice = voice
        self.calls: list[str] = []

    def identity(self, settings: SpeechSettings) -> EngineIdentity:
        length_scale = 1.0 if settings.length_scale is None else settings.length_scale
        return EngineIdentity(engine="fake", voice=self.voice, voice_sha256="0" * 16,
                              settings={"length_scale": length_scale}, licence="CC0")

    def synthesize(self, text: str, settings: SpeechSettings) -> np.ndarray:
        self.calls.append(text)
        seconds = 0.05 * len(text) * (settings.length_scale or 1.0)
        t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
        return (8000 * np.sin(2 * np.pi * (200 + len(text)) * t)).astype(np.int16)


def _entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def test_second_request_is_a_hit(tmp_path: Path) -> None:
    cache, engine = SegmentCache(tmp_path), FakeEngine()
    first = cache.get_or_synthesize(engine, SpeechSettings(), "Breathe in.")
    again = SegmentCache(tmp_path).get_or_synthesize(engine, SpeechSettings(), "Breathe in.")
    cache.get_or_synthesize(engine, SpeechSettings(), "Breathe in.")
    assert engine.calls == ["Breathe in."]
    assert np.array_equal(first, again) and again.dtype == np.int16
    assert cache.stats == CacheStats(synthesized=1, hits=1)


def test_key_is_a_stable_sha256_of_identity_and_text(tmp_path: Path) -> None:
    cache, identity = SegmentCache(tmp_path), FakeEngine().identity(SpeechSettings())
    key = cache.key(identity, "Rest here.")
    assert len(key) == 64 and key == SegmentCache(tmp_path / "x").key(identity, "Rest here.")
    assert key != cache.key(identity, "Rest here")
    assert cache.path(key) == tmp_path / key[:2] / f"{key}.npy"


def test_licence_wording_does_not_invalidate_the_cache(tmp_path: Path) -> None:
    cache, identity = SegmentCache(tmp_path), FakeEngine().identity(SpeechSettings())
    reworded = EngineIdentity(identity.engine, identity.voice, identity.voice_sha256,
                              identity.settings, licence="CC0 1.0 Universal")
    assert cache.key(identity, "Rest.") == cache.key(reworded, "Rest.")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((FakeEngine("a"), SpeechSettings()), (FakeEngine("b"), SpeechSettings())),
        ((FakeEngine(), SpeechSettings()), (FakeEngine(), SpeechSettings(length_scale=1.3))),
    ],
    ids=["voice", "length_scale"],
)
def test_identity_change_means_new_synthesis(
    tmp_path: Path, first: tuple[FakeEngine, SpeechSettings],
    second: tuple[FakeEngine, SpeechSettings],
) -> None:
    cache = SegmentCache(tmp_path)
    cache.get_or_synthesize(*first, "Soften.")
    cache.get_or_synthesize(*second, "Soften.")
    assert cache.stats == CacheStats(synthesized=2, hits=0)
    assert len(_entries(tmp_path)) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "wrong_dtype"])
def test_damaged_entry_is_resynthesized(tmp_path: Path, damage: str) -> None:
    cache, engine = SegmentCache(tmp_path), FakeEngine()
    good = cache.get_or_synthesize(engine, SpeechSettings(), "May I be kind.")
    [path] = _entries(tmp_path)
    data = path.read_bytes()
    damaged = {
        "truncate": data[: len(data) // 2],
        "garbage": b"\x00not numpy at all" * 10,
        "empty": b"",
    }
    if damage == "wrong_dtype":
        np.save(path, good.astype(np.float32))
    else:
        path.write_bytes(damaged[damage])
    repaired = cache.get_or_synthesize(engine, SpeechSettings(), "May I be kind.")
    assert np.array_equal(repaired, good)
    assert len(engine.calls) == 2
    assert np.array_equal(cache.get_or_synthesize(engine, SpeechSettings(), "May I be kind."),
                          good)
    assert len(engine.calls) == 2


def test_no_temp_files_left_and_failures_store_nothing(tmp_path: Path) -> None:
    class Failing(FakeEngine):
        def synthesize(self, text: str, settings: SpeechSettings) -> np.ndarray:
            raise RuntimeError("engine down")

    cache = SegmentCache(tmp_path)
    for text in ["One.", "Two.", "Three."]:
        cache.get_or_synthesize(FakeEngine(), SpeechSettings(), text)
    with pytest.raises(RuntimeError):
        cache.get_or_synthesize(Failing(), SpeechSettings(), "Four.")
    assert [p.suffix for p in _entries(tmp_path)] == [".npy"] * 3


def test_threads_asking_for_one_text_synthesize_it_once(tmp_path: Path) -> None:
    cache, engine = SegmentCache(tmp_path), FakeEngine()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(
            lambda _: cache.get_or_synthesize(engine, SpeechSettings(), "Stay."), range(16)))
    assert engine.calls == ["Stay."]
    assert all(np.array_equal(r, results[0]) for r in results)
    assert cache.stats == CacheStats(synthesized=1, hits=15)


def test_real_piper_segment_is_cached(tmp_path: Path) -> None:
    engine = PiperEngine()
    cache = SegmentCache(tmp_path)
    text = "Let your shoulders soften."
    first = cache.get_or_synthesize(engine, SpeechSettings(), text)
    second = cache.get_or_synthesize(engine, SpeechSettings(), text)
    assert np.array_equal(first, second)  # Piper varies run to run; the cache makes it stable
    assert cache.stats == CacheStats(synthesized=1, hits=1)
    cache.get_or_synthesize(engine, SpeechSettings(length_scale=1.1), text)
    assert cache.stats == CacheStats(synthesized=2, hits=1)
