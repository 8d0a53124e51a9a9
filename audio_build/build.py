"""The build: every practice becomes MP3 variants, phone segments and an entry in the catalog.

parse (library) → synthesize each sentence once (cache) → plan each variant → encode → catalog.
Each practice is built by `build_practice`, a plain function, run serially or in worker
processes. Nothing is written before the whole library has checked clean. A practice that fails
(its voice, its encode) is recorded as a `PracticeFailure` and the others build on, as in beets'
importer; the catalog keeps that practice's last good build, and the CLI exits 3.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import variants
from .cache import SegmentCache
from .catalog import (
    CATALOG_NAME,
    CONTENT_LICENCE,
    Catalog,
    PracticeEntry,
    Prompt,
    StepInfo,
    to_json,
)
from .catalog import load_catalog as read_catalog
from .config import BuildConfig
from .engines import Engine, SpeechSettings, make_engine
from .errors import AudioBuildError, FfmpegMissingError, PracticeError, SynthesisError
from .ffmpeg import find_ffmpeg
from .files import write_text_atomically
from .language import DEFAULT_LANGUAGE
from .lexicon import load_crisis_lexicons
from .library import load_languages
from .library_data import Language, LibraryData, load_library_data, prompt_texts, to_catalog
from .outputs import BuildState, StateEntry, remove_staging
from .plan import sentences_of, split_sentences
from .prompts import PROMPT_SETTINGS, build_prompts
from .script import PracticeScript, Speech

__all__ = ["BuildConfig", "BuildSummary", "PracticeFailure", "PracticeResult", "build_library",
           "build_practice"]

logger = logging.getLogger(__name__)


DEFAULT_JOBS = min(os.cpu_count() or 1, 4)
"""Practices built at once by the CLI: one worker per core, each with one Piper thread."""


@dataclass(frozen=True)
class PracticeResult:
    entry: PracticeEntry
    synthesized: int
    cached: int
    written: int
    state: dict[str, StateEntry] = field(default_factory=dict)
    """What a worker process recorded, for the parent's build state."""


@dataclass(frozen=True)
class PracticeFailure:
    """A practice that could not be built this time; the catalog keeps its last good build."""

    practice_id: str
    path: str
    line: int
    """The script line that caused it, or 1 when no one line did."""
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


Outcome = PracticeResult | PracticeFailure


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
    failures: tuple[PracticeFailure, ...] = ()
    """Practices that failed; each kept its previous catalog entry, if it had one."""


Progress = Callable[[Outcome], None]


def build_library(config: BuildConfig, engine: Engine | None = None,
                  progress: Progress | None = None) -> BuildSummary:
    """Build every (or every `--only`) practice in every (or every `--language`) language;
    raises `AudioBuildError` subclasses. `engine`, when given, speaks every language (tests)."""
    started = time.monotonic()
    libraries = load_languages(list(config.scripts))
    english = libraries[DEFAULT_LANGUAGE].practices
    data = load_library_data(english, config.library_path, config.prompts_dir,
                             {code: lib.practices for code, lib in libraries.items()})
    crisis = load_crisis_lexicons(config.crisis_dir)
    unknown = sorted(set(config.only) - {p.practice_id for p in english})
    if unknown:
        raise AudioBuildError(f"no practice called {', '.join(unknown)} "
                              f"(see python -m audio_build list)")
    languages = _languages(config, libraries, data)
    find_ffmpeg()  # a missing ffmpeg is said now, not after minutes of synthesis
    config.out_dir.mkdir(parents=True, exist_ok=True)
    remove_staging(config.out_dir)
    state = BuildState(config.out_dir)
    previous = read_catalog(config.out_dir)
    cache = SegmentCache(config.segment_cache_dir)
    entries: dict[tuple[str, str], PracticeEntry] = {}
    prompts: dict[str, dict[str, Prompt]] = {}
    voices: dict[str, dict[str, object]] = {}
    results: list[PracticeResult] = []
    failures: list[PracticeFailure] = []
    prompt_writes = 0
    for code in sorted(libraries, key=lambda c: (c != DEFAULT_LANGUAGE, c)):
        practices = libraries[code].practices
        if code not in languages:  # not built this time: keep its last build, if any
            if previous:
                entries.update({(p.language, p.practice_id): p for p in previous.practices
                                if p.language == code})
                prompts[code] = previous.prompts.get(code, {})
                if code in previous.build.get("voices", {}):
                    voices[code] = previous.build["voices"][code]
            continue
        local_config = replace(config, **dict(zip(("engine", "voice"),
                                                  _voice_for(config, data.languages.get(code)),
                                                  strict=True)))
        selected = [p for p in practices if not config.only or p.practice_id in config.only]
        local = engine or make_engine(local_config.engine, local_config.voice,
                                      work_dir=config.voice_work_dir)
        outcomes = _run(selected, local_config, state, local, progress,
                        parallel=engine is None)
        results += [o for o in outcomes if isinstance(o, PracticeResult)]
        failures += [o for o in outcomes if isinstance(o, PracticeFailure)]
        built = {o.entry.practice_id: o.entry for o in outcomes
                 if isinstance(o, PracticeResult)}
        kept = {p.practice_id for p in practices}
        for practice_id, entry in built.items():
            entries[(code, practice_id)] = entry
        if previous:  # practices not built this time (`--only`, or failed) keep their last build
            for old in previous.practices:
                if old.language == code and old.practice_id in kept:
                    entries.setdefault((code, old.practice_id), old)
        if code in data.languages:
            texts = prompt_texts(data, practices, code, config.crisis_line,
                                 config.own_crisis_lines.get(code, ""))
            pace = data.languages[code].prompt_pace.get(local_config.engine)
            settings = PROMPT_SETTINGS if pace is None else SpeechSettings(length_scale=pace)
            prompts[code], written = build_prompts(config.out_dir, texts, local, cache, state,
                                                   settings)
            prompt_writes += written
        voices[code] = local.identity(SpeechSettings()).as_dict()
    build_info = {**voices[DEFAULT_LANGUAGE], "voices": voices,
                  "content_licence": CONTENT_LICENCE} if DEFAULT_LANGUAGE in voices else \
        {**(previous.build if previous else {}), "voices": voices}
    catalog = Catalog(build=build_info, practices=tuple(entries[k] for k in sorted(entries)),
                      prompts=prompts, crisis=crisis, library=to_catalog(data))
    _write_catalog(config.out_dir, catalog, previous)
    state.save()
    return _summary(results, tuple(failures), prompt_writes, cache, started)


def _languages(config: BuildConfig, libraries: Mapping[str, object],
               data: LibraryData) -> set[str]:
    """The languages this build makes: `--language`, or every one with scripts."""
    unknown = sorted(set(config.languages) - set(libraries))
    if unknown:
        raise AudioBuildError(f"no scripts in language {', '.join(unknown)} (languages: "
                              f"{', '.join(sorted(libraries))})")
    missing = sorted(set(libraries) - set(data.languages))
    if missing:
        files = ", ".join(str(config.prompts_dir / f"{code}.yaml") for code in missing)
        raise AudioBuildError(f"no prompts file for {', '.join(missing)}: add {files}")
    return set(config.languages or libraries)


def _voice_for(config: BuildConfig, language: Language | None) -> tuple[str, str | None]:
    """The engine and voice a language is built with: the build's own when it names them (the
    CLI's --engine/--voice apply to the languages it builds), else the language's."""
    engine = config.engine or (language.engine if language else None) or "piper"
    voice = config.voice or (language.voices.get(engine) if language else None)
    return engine, voice


def _run(selected: list[PracticeScript], config: BuildConfig, state: BuildState,
         engine: Engine, progress: Progress | None, *, parallel: bool
         ) -> list[Outcome]:
    """Build the practices: in worker processes when several need synthesis (and the engine
    is ours to recreate in each), else one after another with `engine`."""
    results: list[Outcome] = []
    if parallel and config.jobs > 1 and _to_synthesize(selected, config, engine) > 1:
        engine.prepare()  # once here, not in every worker at once
        context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
        with ProcessPoolExecutor(max_workers=config.jobs, mp_context=context,
                                 initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_build_in_worker, p, config, state.entries)
                       for p in selected]
            for future in futures:
                results.append(future.result())
                if isinstance(results[-1], PracticeResult):
                    state.merge(results[-1].state)
                if progress:
                    progress(results[-1])
        return results
    for practice in selected:
        results.append(_attempt(practice, config, engine, state))
        if progress:
            progress(results[-1])
    return results


def _attempt(practice: PracticeScript, config: BuildConfig, engine: Engine,
             state: BuildState) -> Outcome:
    """The practice built, or its failure recorded: one bad practice does not stop the rest."""
    try:
        return build_practice(practice, config, engine, state)
    except FfmpegMissingError:
        raise  # not this practice's fault: no practice can build
    except PracticeError as error:
        failure = error
    except AudioBuildError as error:  # plan, encode, ffmpeg: no line to point at
        failure = PracticeError(str(practice.path), 1, str(error))
    logger.info("%s", failure.format())  # the CLI reports every failure at the end
    return PracticeFailure(practice.practice_id, failure.path, failure.line, failure.message)


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
                     entries: Mapping[str, StateEntry]) -> Outcome:
    state = BuildState(config.out_dir)
    state.entries = dict(entries)
    threads = max(1, (os.cpu_count() or 1) // config.jobs)
    engine = _worker_engine(config, threads)
    result = _attempt(practice, config, engine, state)
    if isinstance(result, PracticeFailure):
        return result
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
    if cache.stats.synthesized:
        engine.release()  # encoding needs no voice: don't add its memory to the encoder's
    keys = {text: cache.key(engine.identity(settings), text) for text in speech}
    built = variants.build_variants(practice, speech, keys, config.out_dir, state)
    entry = PracticeEntry(
        practice_id=practice.practice_id, language=practice.language, title=practice.title,
        summary=practice.summary,
        category=practice.category, aliases=practice.aliases, tags=practice.tags,
        sources=practice.sources, steps=_step_infos(practice), variants=built.variants)
    stats = cache.stats
    return PracticeResult(entry, stats.synthesized, stats.hits, built.written)


def synthesize_sentences(practice: PracticeScript, engine: Engine, settings: SpeechSettings,
                         cache: SegmentCache) -> dict[str, np.ndarray]:
    """Every sentence of the practice, synthesized once (or read from the cache); a sentence the
    engine cannot speak is a `PracticeError` at the script line it comes from."""
    speech: dict[str, np.ndarray] = {}
    for sentence in sentences_of(practice):
        try:
            speech[sentence] = cache.get_or_synthesize(engine, settings, sentence)
        except SynthesisError as error:
            raise PracticeError(str(practice.path), _line_of(practice, sentence),
                                f"could not synthesize \"{_short(sentence)}\": {error}"
                                ) from None
    return speech


def _line_of(practice: PracticeScript, sentence: str) -> int:
    """The script line of the speech run that holds `sentence` (1 if none does)."""
    for step in practice.steps:
        for item in step.items:
            if isinstance(item, Speech) and sentence in split_sentences(item.text):
                return item.line
    return 1


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
    write_text_atomically(out_dir / CATALOG_NAME, to_json(final))


def _summary(results: list[PracticeResult], failures: tuple[PracticeFailure, ...],
             prompt_writes: int, cache: SegmentCache, started: float) -> BuildSummary:
    all_variants = [v for r in results for v in r.entry.variants]
    return BuildSummary(
        practices=len(results), variants=len(all_variants),
        audio_ms=sum(v.duration_ms for v in all_variants),
        bytes=sum(v.bytes for v in all_variants),
        synthesized=sum(r.synthesized for r in results) + cache.stats.synthesized,
        cached=sum(r.cached for r in results) + cache.stats.hits,
        written=sum(r.written for r in results) + prompt_writes,
        wall_s=time.monotonic() - started, failures=failures)
