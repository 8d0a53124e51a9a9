"""English voices compared: Piper joe against Kokoro af_heart and am_michael.

    pip install distillmos      # into your own virtualenv; not a project dependency (torch)
    python -m bench voice-quality

Ten English sentences of our scripts (the first sentence of at least eight words of each of the
first ten practices, in file order) are synthesized by each voice exactly as the build does
(`engine.synthesize`, one thread, the build's default pace for that engine), then scored by
DistillMOS (Stahl & Gamper, "Distillation and Pruning for Scalable Self-Supervised
Representation-Based Speech Quality Assessment", ICASSP 2025; weights ship in the `distillmos`
wheel, MIT). DistillMOS predicts a mean opinion score (1-5) of *speech quality* learned from
human ratings of degraded speech: it is a proxy for clean, artefact-free audio, not for
naturalness, pronunciation or how a tired listener feels about a voice -- that needs listeners.

Build CPU is CPU seconds (this process, one onnxruntime thread) per second of audio made (the
real-time factor), the voice already loaded; the first load is reported apart. Scores are per
sentence at 16 kHz (resampled with torchaudio); the table gives each voice's mean and its
difference to joe.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from .report import Figure

ROOT = Path(__file__).resolve().parent.parent
VOICES = (("piper", None, "joe"), ("kokoro", "af_heart", "af_heart"),
          ("kokoro", "am_michael", "am_michael"))
SENTENCES = 10


def english_sentences(count: int = SENTENCES) -> list[str]:
    from audio_build.library import load_languages
    from audio_build.plan import sentences_of

    practices = sorted(load_languages([ROOT / "scripts" / "meditations"])["en"].practices,
                       key=lambda p: str(p.path))
    chosen = []
    for practice in practices:
        found = next((s for s in sentences_of(practice)
                      if len(s.split()) >= 8 and not re.search(r"\d", s)), None)
        if found:
            chosen.append(found)
        if len(chosen) == count:
            break
    return chosen


def synthesize(engine_name: str, voice: str | None, sentences: list[str]
               ) -> tuple[list[np.ndarray], dict[str, float]]:
    from audio_build.engines import SpeechSettings, make_engine
    from audio_build.pcm import SAMPLE_RATE

    engine = make_engine(engine_name, voice, threads=1,
                         work_dir=Path(os.environ.get("TMPDIR", "/tmp")) / "voice-quality")
    began = time.process_time()
    engine.synthesize("One.", SpeechSettings())  # load (and, for Kokoro, join) first
    load_cpu = time.process_time() - began
    began = time.process_time()
    audio = [engine.synthesize(s, SpeechSettings()) for s in sentences]
    cpu = time.process_time() - began
    seconds = sum(len(a) for a in audio) / SAMPLE_RATE
    engine.release()
    return audio, {"cpu_s": round(cpu, 2), "audio_s": round(seconds, 2),
                   "rtf": round(cpu / seconds, 3), "load_cpu_s": round(load_cpu, 2)}


def score(audio: list[np.ndarray]) -> list[float]:
    import distillmos
    import torch
    import torchaudio

    from audio_build.pcm import SAMPLE_RATE

    torch.set_num_threads(1)
    model = distillmos.ConvTransformerSQAModel()
    model.eval()
    resample = torchaudio.transforms.Resample(SAMPLE_RATE, 16_000)
    scores = []
    with torch.no_grad():
        for clip in audio:
            x = resample(torch.from_numpy(clip.astype(np.float32) / 32768.0)[None, :])
            scores.append(round(float(model(x).item()), 3))
    return scores


def run(work: Path) -> tuple[list[Figure], dict[str, Any]]:
    sentences = english_sentences()
    raw: dict[str, Any] = {"sentences": sentences, "load_before": os.getloadavg()[0],
                           "voices": {}}
    clips = {}
    for engine_name, voice, label in VOICES:
        clips[label], raw["voices"][label] = synthesize(engine_name, voice, sentences)
    for label, audio in clips.items():
        raw["voices"][label]["distillmos"] = score(audio)
        raw["voices"][label]["mean"] = round(statistics.mean(raw["voices"][label]["distillmos"]),
                                             3)
    raw["load_after"] = os.getloadavg()[0]
    joe = raw["voices"]["joe"]
    found = []
    for label, facts in raw["voices"].items():
        found.append(Figure(
            "voice", f"{label} DistillMOS (mean of {len(sentences)})", facts["mean"],
            "(proxy)", True,
            f"{facts['mean'] - joe['mean']:+.2f} vs joe; min {min(facts['distillmos']):.2f}"))
        found.append(Figure(
            "voice", f"{label} build CPU (RTF, 1 thread)", facts["rtf"], "(reported)", True,
            f"{facts['cpu_s']:.1f} s CPU for {facts['audio_s']:.1f} s audio; "
            f"{facts['rtf'] / joe['rtf']:.1f}x joe; load {facts['load_cpu_s']:.1f} s"))
    return found, raw
