"""The build: every practice becomes MP3 variants, phone segments and an entry in the catalog.

parse (library) → synthesize each sentence once (cache) → plan each variant → encode → catalog.
Each practice is built by `build_practice`, a plain function, run serially or in worker
processes. Nothing is written before the whole library has checked clean.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import variants
from .cache import SegmentCache
from .catalog import CATALOG_NAME, CONTENT_LICENCE, Catalog, PracticeEntry, StepInfo, to_json
from .catalog import load_catalog as read_catalog
from .engines import Engine, SpeechSettings, make_engine
from .errors import AudioBuildError, SynthesisError
from .lexicon import DEFAULT_CRISIS_DIR, load_crisis_lexicons
from .library import load_library
from .library_data import (
    DEFAULT_LIBRARY_PATH,
    DEFAULT_PROMPTS_DIR,
    load_library_data,
    prompt_texts,
    to_catalog,
)
from .outputs import BuildState, remove_staging, write_if_changed
from .plan import sentences_of, split_sentences
from .prompts import build_prompts
from .script import PracticeScript, Speech

logger = logging.getLogger(__name__)


DEFAULT_JOBS = min(os.cpu_count() or 1, 4)
"""Practices built at once by the CLI: one worker per core, each with one Piper thread."""


@dataclass(frozen=True)
class BuildConfig:
    """Everything one build needs, passed explicitly (no global configuration)."""

    out_dir: Path = Path("build")
    scripts: tuple[Path, ...] = ()
    only: tuple[str, ...] = ()
    engine: str = "piper"
    voice: str | None = None
    jobs: int = 1
    library_path: Path = DEFAULT_LIBRARY_PATH
    """Needs, the first practice and the phone menus (`library_data.py`)."""
    prompts_dir: Path = DEFAULT_PROMPTS_DIR
    """`<language>.yaml`: the hotline's sentences and the words the service listens for."""
    crisis_dir: Path = DEFAULT_CRISIS_DIR
    """`<language>.yaml` crisis lexicons (`lexicon.py`); English is required."""
    crisis_line: str = "988"
    cache_dir: Path | None = None
    """Where synthesized sentences are kept; default `<out_dir>/cache`."""

    @property
    def segment_cache_dir(self) -> Path:
        return self.cache_dir or self.out_dir / "cache"

    @property
    def voice_work_dir(self) -> Path:
        """Where the engine keeps files derived from its voice (the windowed cut)."""
        return self.segment_cache_dir / "voices"


@dataclass(frozen=True)
class PracticeResult:
    entry: PracticeEntry
    synthesized: int
    cached: int
    written: int
    state: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildSummary:
    practices: int
    variants: int
    audio_ms: int
    bytes: int
    synthesized: int
    cached: int
    written: int
    """Audio files written in this run (0 for a rebuild with nothing changed)."""
    wall_s: float


Progress = Callable[[PracticeResult], None]


def build_library(config: BuildConfig, engine: Engine | None = None,
                  progress: Progress | None = None) -> BuildSummary:
    """Build every (or every `--only`) practice; raises `AudioBuildError` subclasses."""
    started = time.monotonic()
    library = load_library(list(config.scripts))
    data = load_library_data(library.practices, config.library_path, config.prompts_dir)
    crisis = load_crisis_lexicons(config.crisis_dir)
    unknown = sorted(set(config.only) - {p.practice_id for p in library.practices})
    if unknown:
        raise AudioBuildError(f"no practice called {', '.join(unknown)} "
                              f"(see python -m audio_build list)")
    selected = [p for p in library.practices if not config.only or p.practice_id in config.only]
    config.out_dir.mkdir(parents=True, exist_ok=True)
    remove_staging(config.out_dir)
    state = BuildState(config.out_dir)
    local = engine or make_engine(config.engine, config.voice, work_dir=config.voice_work_dir)
    results = _run(selected, config, state, local, progress, parallel=engine is None)
    engine = local
    previous = read_catalog(config.out_dir)
    entries = {r.entry.practice_id: r.entry for r in results}
    if previous and config.only:
        kept = {p.practice_id for p in library.practices}
        for old in previous.practices:
            if old.practice_id in kept:
                entries.setdefault(old.practice_id, old)
    cache = SegmentCache(config.segment_cache_dir)
    texts = prompt_texts(data, library.practices, "en", config.crisis_line)
    prompts, prompt_writes = build_prompts(config.out_dir, texts, engine, cache, state)
    build_info = {**engine.identity(SpeechSettings()).as_dict(),
                  "content_licence": CONTENT_LICENCE}
    catalog = Catalog(build=build_info,
                      practices=tuple(entries[k] for k in sorted(entries)), prompts=prompts,
                      crisis=crisis, library=to_catalog(data))
    _write_catalog(config.out_dir, catalog, previous)
    state.save()
    return _summary(results, prompt_writes, cache, started)


def _run(selected: list[PracticeScript], config: BuildConfig, state: BuildState,
         engine: Engine, progress: Progress | None, *, parallel: bool
         ) -> list[PracticeResult]:
    """Build the practices: in worker processes when several need synthesis (and the engine
    is ours to recreate in each), else one after another with `engine`."""
    results: list[PracticeResult] = []
    if parallel and config.jobs > 1 and _to_synthesize(selected, config, engine) > 1:
        if hasattr(engine, "prepare"):
            engine.prepare()  # once here, not in every worker at once
        context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
        with ProcessPoolExecutor(max_workers=config.jobs, mp_context=context,
                                 initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_build_in_worker, p, config, state.entries)
                       for p in selected]
            for future in futures:
                results.append(future.result())
                state.merge(results[-1].state)
                if progress:
                    progress(results[-1])
        return results
    for practice in selected:
        results.append(build_practice(practice, config, engine, state))
        if progress:
            progress(results[-1])
    return results


def _to_synthesize(selected: list[PracticeScript], config: BuildConfig, engine: Engine) -> int:
    """How many practices have sentences not yet in the cache: workers pay off only for those
    (starting them costs seconds, which a rebuild after a small edit should not pay)."""
    cache = SegmentCache(config.segment_cache_dir)
    count = 0
    for practice in selected:
        identity = engine.identity(SpeechSettings(length_scale=practice.length_scale))
        if any(not cache.path(cache.key(identity, s)).exists() for s in sentences_of(practice)):
            count += 1
    return count


def _build_in_worker(practice: PracticeScript, config: BuildConfig,
                     entries: dict[str, dict[str, Any]]) -> PracticeResult:
    state = BuildState(config.out_dir)
    state.entries = dict(entries)
    threads = max(1, (os.cpu_count() or 1) // config.jobs)
    engine = _worker_engine(config, threads)
    result = build_practice(practice, config, engine, state)
    fresh = {k: state.entries[k] for k in state.used}
    return PracticeResult(result.entry, result.synthesized, result.cached, result.written, fresh)


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose build was killed (even with SIGKILL) must not live on as an orphan."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


_WORKER_ENGINES: dict[tuple[str, str | None, int], Engine] = {}


def _worker_engine(config: BuildConfig, threads: int) -> Engine:
    """One engine per worker process, loaded once and reused for every practice it builds."""
    key = (config.engine, config.voice, threads)
    if key not in _WORKER_ENGINES:
        _WORKER_ENGINES[key] = make_engine(config.engine, config.voice, threads=threads,
                                           work_dir=config.voice_work_dir)
    return _WORKER_ENGINES[key]


def build_practice(practice: PracticeScript, config: BuildConfig, engine: Engine,
                   state: BuildState) -> PracticeResult:
    """Synthesize, plan, encode and describe one practice."""
    cache = SegmentCache(config.segment_cache_dir)
    settings = SpeechSettings(length_scale=practice.length_scale)
    speech = synthesize_sentences(practice, engine, settings, cache)
    if cache.stats.synthesized and hasattr(engine, "release"):
        engine.release()  # encoding needs no voice: don't add its memory to the encoder's
    keys = {text: cache.key(engine.identity(settings), text) for text in speech}
    built = variants.build_variants(practice, speech, keys, config.out_dir, state)
    entry = PracticeEntry(
        practice_id=practice.practice_id, title=practice.title, summary=practice.summary,
        category=practice.category, aliases=practice.aliases, tags=practice.tags,
        sources=practice.sources, steps=_step_infos(practice), variants=built.variants)
    stats = cache.stats
    return PracticeResult(entry, stats.synthesized, stats.hits, built.written)


def synthesize_sentences(practice: PracticeScript, engine: Engine, settings: SpeechSettings,
                         cache: SegmentCache) -> dict[str, np.ndarray]:
    """Every sentence of the practice, synthesized once (or read from the cache)."""
    speech: dict[str, np.ndarray] = {}
    for sentence in sentences_of(practice):
        try:
            speech[sentence] = cache.get_or_synthesize(engine, settings, sentence)
        except SynthesisError as error:
            raise SynthesisError(f"{practice.practice_id}: could not synthesize "
                                 f"\"{_short(sentence)}\": {error}") from None
    return speech


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _step_infos(practice: PracticeScript) -> tuple[StepInfo, ...]:
    infos = []
    for step in practice.steps:
        text = tuple(sentence for item in step.items if isinstance(item, Speech)
                     for sentence in split_sentences(item.text))
        infos.append(StepInfo(step.title, step.min_minutes, text))
    return tuple(infos)


def _write_catalog(out_dir: Path, catalog: Catalog, previous: Catalog | None) -> None:
    """Write the catalog, keeping `built_at` unless something else changed."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if previous is not None:
        unchanged = Catalog({**catalog.build, "built_at": previous.build.get("built_at")},
                            catalog.practices, catalog.prompts, catalog.crisis, catalog.library)
        if to_json(unchanged) == to_json(previous):
            return
    final = Catalog({**catalog.build, "built_at": stamp}, catalog.practices, catalog.prompts,
                    catalog.crisis, catalog.library)
    write_if_changed(out_dir / CATALOG_NAME, to_json(final))


def _summary(results: list[PracticeResult], prompt_writes: int, cache: SegmentCache,
             started: float) -> BuildSummary:
    all_variants = [v for r in results for v in r.entry.variants]
    return BuildSummary(
        practices=len(results), variants=len(all_variants),
        audio_ms=sum(v.duration_ms for v in all_variants),
        bytes=sum(v.bytes for v in all_variants),
        synthesized=sum(r.synthesized for r in results) + cache.stats.synthesized,
        cached=sum(r.cached for r in results) + cache.stats.hits,
        written=sum(r.written for r in results) + prompt_writes,
        wall_s=time.monotonic() - started)
