"""Kokoro build benchmark: our build against raw kokoro-onnx on the same unique sentences.

    python -m bench kokoro              # two short Spanish practices (about 120 sentences)
    KOKORO_BENCH_ONLY="the-pause between-patients" python -m bench kokoro

Each measured job runs in its own process, reaped with os.wait4, so its CPU seconds (user +
system, workers and ffmpeg included) and peak resident memory (the largest of the process and
its descendants) are the kernel's own figures, not a sampler's. The runs are ordered
raw, build, raw (A-B-A) and the build is compared with the mean of the two raw runs, which
cancels a drift in the machine's load; CPU seconds are the figure to compare on a shared
machine, wall seconds are reported beside them.

- raw: `kokoro_onnx.Kokoro(...).create(sentence, voice=ef_dora, speed, lang="es-419")` for every
  unique sentence the build synthesizes (practice sentences and the language's prompts), the
  model already joined on disk (as our build finds it after its first run);
- build: `python -m audio_build build --language es --only ... --out TMP` from nothing
  (the model joined beforehand into the build's cache, as above): synthesis, trimming,
  resampling, planning, loudness, MP3 and phone segments, prompts, catalog;
- no-op: the same build again (nothing to synthesize, nothing to write);
- raw on one thread: the baseline once more on a one-thread onnxruntime session, as each of our
  build's workers runs the model. kokoro-onnx's default session uses every core, and
  onnxruntime's idle threads spin, which costs CPU seconds without speeding a two-core build
  of parallel practices: this is the like-for-like CPU comparison, the A-B-A one is the
  out-of-the-box one.

The full Spanish library's cold build is estimated from the build's CPU seconds per character
synthesized times the library's unique characters (counted with the planner), divided by the
two cores (a build runs one worker per core) -- an estimate, not a measurement.

Nothing here needs packages beyond the project's own.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .report import Figure

ROOT = Path(__file__).resolve().parent.parent
PRACTICES = ("the-pause", "between-patients")
VOICE = "ef_dora"
TARGET_RATIO = 1.25


def unique_sentences(only: tuple[str, ...] = ()) -> list[str]:
    """The Spanish sentences a build of `only` (every practice if empty) synthesizes: those of
    the practices and every sentence of the language's prompts (always built)."""
    from audio_build.library import load_languages
    from audio_build.library_data import load_library_data, prompt_texts
    from audio_build.plan import sentences_of, split_sentences

    libraries = load_languages([ROOT / "scripts" / "meditations"])
    data = load_library_data(libraries["en"].practices, ROOT / "scripts" / "library.yaml",
                             ROOT / "scripts" / "prompts",
                             {code: lib.practices for code, lib in libraries.items()})
    practices = libraries["es"].practices
    wanted = {s for p in practices if not only or p.practice_id in only
              for s in sentences_of(p)}
    texts = prompt_texts(data, practices, "es", "988", "")
    wanted |= {s for text in texts.values() for s in split_sentences(text)}
    return sorted(wanted)


def raw_child(model: str, sentences_file: str, threads: int = 0) -> int:
    """The baseline, in its own process: kokoro-onnx as its README uses it (`threads` 0), or
    on a session of `threads` intra-op threads, as our build's workers run it."""
    import numpy as np
    import onnxruntime
    from kokoro_onnx import Kokoro

    from audio_build.kokoro_engine import KOKORO_LENGTH_SCALE, resolve_voice

    voice = resolve_voice(VOICE)
    archive = Path(sentences_file).with_suffix(".npz")
    np.savez(archive, **{VOICE: voice.load_style()})
    if threads:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        session = onnxruntime.InferenceSession(model, sess_options=options,
                                               providers=["CPUExecutionProvider"])
        kokoro = Kokoro.from_session(session, str(archive))
    else:
        kokoro = Kokoro(model, str(archive))
    seconds = 0.0
    for sentence in json.loads(Path(sentences_file).read_text(encoding="utf-8")):
        audio, rate = kokoro.create(sentence, voice=VOICE, speed=1 / KOKORO_LENGTH_SCALE,
                                    lang=voice.language)
        seconds += len(audio) / rate
    print(json.dumps({"audio_s": round(seconds, 1)}))
    return 0


def run_measured(command: list[str]) -> dict[str, Any]:
    """`command` in a child reaped with os.wait4: wall, CPU (user+system of it and its waited
    descendants) and peak RSS (the largest of them), with the load average around it."""
    load = os.getloadavg()[0]
    began = time.perf_counter()
    pid = os.posix_spawn(command[0], command, dict(os.environ))
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(command[:6])} exited {os.waitstatus_to_exitcode(status)}")
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_mb": round(usage.ru_maxrss / 1024, 1), "load_before": round(load, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def join_model(cache: Path) -> Path:
    """The packaged model joined into `cache/voices` (where the build looks for it)."""
    from audio_build.kokoro_engine import KokoroEngine

    engine = KokoroEngine(VOICE, work_dir=cache / "voices")
    engine.prepare()
    return engine._model_file()


def run(work: Path, only: tuple[str, ...] = ()) -> tuple[list[Figure], dict[str, Any]]:
    only = only or tuple(os.environ.get("KOKORO_BENCH_ONLY", "").split()) or PRACTICES
    python = sys.executable
    out = work / "es-build"
    model = join_model(out / "cache")
    sentences = unique_sentences(only)
    listing = work / "sentences.json"
    listing.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    build = [python, "-m", "audio_build", "build", "--language", "es", "--out", str(out),
             "--only", *only]
    raw_command = [python, "-m", "bench.kokoro_bench", "raw", str(model), str(listing)]
    raw: dict[str, Any] = {"only": list(only), "sentences": len(sentences),
                           "characters": sum(map(len, sentences)), "voice": VOICE,
                           "cores": os.cpu_count()}
    raw["raw1"] = run_measured(raw_command)
    raw["cold"] = run_measured(build)
    raw["raw2"] = run_measured(raw_command)
    raw["noop"] = run_measured(build)
    raw["raw_1thread"] = run_measured([*raw_command, "1"])
    library = unique_sentences()
    raw["library_sentences"] = len(library)
    raw["library_characters"] = sum(map(len, library))
    shutil.rmtree(out, ignore_errors=True)
    return figures(raw), raw


def figures(raw: dict[str, Any]) -> list[Figure]:
    base_cpu = (raw["raw1"]["cpu_s"] + raw["raw2"]["cpu_s"]) / 2
    base_wall = (raw["raw1"]["wall_s"] + raw["raw2"]["wall_s"]) / 2
    base_peak = max(raw["raw1"]["peak_mb"], raw["raw2"]["peak_mb"])
    cold, one = raw["cold"], raw["raw_1thread"]
    per_char = cold["cpu_s"] / raw["characters"]
    library_cpu = per_char * raw["library_characters"]
    cores = raw["cores"] or 1
    raw["estimate_library_cold_min_on_cores"] = round(library_cpu / cores / 60, 1)
    raw["estimate_library_cold_cpu_min"] = round(library_cpu / 60, 1)
    sentences = f"{raw['sentences']} sentences, {raw['characters']} chars"
    return [
        Figure("kokoro", "cold build CPU / raw kokoro-onnx", cold["cpu_s"] / base_cpu,
               f"≤ {TARGET_RATIO}", cold["cpu_s"] / base_cpu <= TARGET_RATIO,
               f"{cold['cpu_s']:.0f} s vs {base_cpu:.0f} s CPU ({sentences})"),
        Figure("kokoro", "cold build CPU / raw, one thread", cold["cpu_s"] / one["cpu_s"],
               f"≤ {TARGET_RATIO}", cold["cpu_s"] / one["cpu_s"] <= TARGET_RATIO,
               f"{cold['cpu_s']:.0f} s vs {one['cpu_s']:.0f} s CPU (raw on a 1-thread session)"),
        Figure("kokoro", "cold build wall / raw kokoro-onnx", cold["wall_s"] / base_wall,
               "(reported)", True, f"{cold['wall_s']:.0f} s vs {base_wall:.0f} s wall"),
        Figure("kokoro", "build peak memory / raw", cold["peak_mb"] / base_peak, "(reported)",
               True, f"{cold['peak_mb']:.0f} MB vs {base_peak:.0f} MB"),
        Figure("kokoro", "no-op rebuild / cold", raw["noop"]["wall_s"] / cold["wall_s"],
               "≤ 0.02", raw["noop"]["wall_s"] / cold["wall_s"] <= 0.02,
               f"{raw['noop']['wall_s']:.1f} s wall, {raw['noop']['cpu_s']:.1f} s CPU"),
        Figure("kokoro", "library cold build (estimate)", library_cpu / cores / 60, "(minutes)",
               True, f"{raw['library_sentences']} sentences, {raw['library_characters']} chars "
                     f"at {per_char * 1000:.0f} ms CPU/char on {cores} cores"),
    ]


def main(argv: list[str]) -> int:
    if argv and argv[0] == "raw":
        return raw_child(argv[1], argv[2], int(argv[3]) if len(argv) > 3 else 0)
    raise SystemExit("use python -m bench kokoro")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
