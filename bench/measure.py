"""One measured job in its own process: a library build or the raw-synthesis baseline.

    python -m bench.measure build OUT SCRIPTS CACHE [ID ...]
    python -m bench.measure baseline OUT SCRIPTS [ID ...]

Prints one JSON line: wall seconds of the work itself (interpreter start-up excluded) and peak
resident memory in MB of this process and, separately, of its largest child (ffmpeg).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def build(out: Path, scripts: Path, cache: Path, only: list[str]) -> dict[str, float]:
    from audio_build.build import DEFAULT_JOBS, BuildConfig, build_library

    config = BuildConfig(out_dir=out, scripts=(scripts,), only=tuple(only),
                         library_path=library_yaml(scripts),
                         prompts_dir=ROOT / "scripts" / "prompts",
                         crisis_dir=ROOT / "scripts" / "crisis",
                         cache_dir=cache, jobs=DEFAULT_JOBS)  # as `python -m audio_build build`
    summary = build_library(config)
    return {"audio_min": summary.audio_ms / 60_000, "synthesized": summary.synthesized,
            "written": summary.written, "variants": summary.variants}


def library_yaml(scripts: Path) -> Path:
    """The library data for `scripts`: the real one, or a temporary copy's own (`write_length`
    writes one beside a practice it copies)."""
    own = scripts / "library.yaml"
    return own if own.is_file() else ROOT / "scripts" / "library.yaml"


def baseline(out: Path, scripts: Path, only: list[str]) -> dict[str, float]:
    """Piper straight on every unique sentence, then one MP3 encode per variant's duration."""
    from audio_build.engines import PiperEngine, SpeechSettings
    from audio_build.ffmpeg import find_ffmpeg
    from audio_build.library import load_library
    from audio_build.library_data import load_library_data, prompt_texts
    from audio_build.pcm import SAMPLE_RATE
    from audio_build.plan import sentences_of, split_sentences

    library = load_library([scripts])
    chosen = [p for p in library.practices if not only or p.practice_id in only]
    wanted = {(s, p.length_scale) for p in chosen for s in sentences_of(p)}
    data = load_library_data(library.practices, library_yaml(scripts),
                             ROOT / "scripts" / "prompts")
    prompts = prompt_texts(data, library.practices, "en", "988")
    wanted |= {(s, None) for text in prompts.values() for s in split_sentences(text)}
    engine = PiperEngine()
    speech = [engine.synthesize(text, SpeechSettings(length_scale=scale))
              for text, scale in sorted(wanted, key=lambda w: (w[0], w[1] or 0))]
    pcm = np.concatenate(speech)
    out.mkdir(parents=True, exist_ok=True)
    minutes = [m for p in chosen for m in p.lengths]
    for number, length in enumerate(minutes):
        samples = np.resize(pcm, length * 60 * SAMPLE_RATE).astype(np.int16)
        subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-y", "-f", "s16le",
                        "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0", "-ar", "44100",
                        "-c:a", "libmp3lame", "-b:a", "64k", str(out / f"{number}.mp3")],
                       input=samples.tobytes(), check=True)
    return {"sentences": len(wanted), "encodes": len(minutes), "audio_min": sum(minutes)}


def main(argv: list[str]) -> int:
    began = time.perf_counter()
    if argv[0] == "build":
        facts = build(Path(argv[1]), Path(argv[2]), Path(argv[3]), argv[4:])
    else:
        facts = baseline(Path(argv[1]), Path(argv[2]), argv[3:])
    wall = time.perf_counter() - began
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"wall_s": round(wall, 3), "peak_mb": round(own, 1),
                      "child_peak_mb": round(child, 1), **facts}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
