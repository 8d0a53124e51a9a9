"""Piper synthesis in bounded memory: the voice cut at its decoder, the decoder run in windows.

A Piper (VITS) voice is one ONNX graph. Its text encoder, duration predictor and flow turn a
sentence into a latent of 192 channels per frame; a HiFi-GAN decoder turns each frame into `hop`
(256) samples. Run whole, the decoder's activations grow with the sentence, about 20 MB per second
of speech, so the longest sentence decided the build's peak memory: 150-230 MB on top of the
140 MB loaded voice, for one 7-10 s sentence, and 410 MB for the build of one practice.

Here the graph is cut once per voice at the decoder's input, with the `onnx` package, in a child
process, so the build never holds the parsed model. The decoder then runs on windows of
WINDOW_FRAMES frames with CONTEXT_FRAMES of overlap on each side, and only each window's middle is
kept. The decoder is convolutional and sees about 13 frames either way, so the windowed output is
the whole decode's output. The cut is checked on a probe when it is made: the two must agree to
float precision (they agree bit for bit for en_US-joe-medium). A voice that fails the check, has
no such cut, or has several speakers (its decoder also takes the speaker) is run whole, as before.

Memory is then flat in sentence length (the build of one practice peaked at 260 MB instead of
410), for 4% more synthesis time. Nothing about the sound changes, so cached speech stays valid.

    python -m audio_build.piper_windowed MODEL.onnx FOLDER   # the child: cut, check, write
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

DECODER_FIRST_NODE = "/dec/conv_pre/Conv"
"""The decoder's first node in Piper's export (VITS `dec.conv_pre`); its input is the cut."""

WINDOW_FRAMES = 256
"""Frames decoded per window (3 s at 22050 Hz). Over 127 of the library's sentences synthesis
took 3.8% longer than whole (192 frames with 24 of context: 7.9%); memory stays flat."""

CONTEXT_FRAMES = 16
"""Frames of overlap on each side of a window; the decoder's receptive field is about 13
(conv_pre 3, the first stage's resblocks 7.5, the rest 2), and 8 were measured too few."""

SPLIT_VERSION = 1
"""Bump when the cut or its check changes, so a voice is cut again."""

_CHECK_WINDOW = 32
"""Window of the check: what it tests is that CONTEXT_FRAMES covers the decoder's reach, which
does not depend on the window, and small windows keep the check's own decode small."""
_PROBE_FRAMES = 5 * _CHECK_WINDOW + 2 * CONTEXT_FRAMES + 7  # several windows, a ragged last one
_TOLERANCE = 1e-5  # a third of one int16 step


@dataclass(frozen=True)
class SplitVoice:
    """A voice cut in two: `prior` maps phoneme ids to the latent, `decoder` the latent to
    audio."""

    prior: Path
    decoder: Path
    hop: int
    """Samples per latent frame."""


def prepare(model_path: Path, voice_sha256: str, work_dir: Path) -> SplitVoice | None:
    """The voice's cut under `work_dir`, made on first use; None where the voice runs whole."""
    folder = work_dir / (f"{model_path.name.removesuffix('.onnx')}-{voice_sha256}"
                         f"-v{SPLIT_VERSION}-w{WINDOW_FRAMES}c{CONTEXT_FRAMES}")  # as checked
    manifest = folder / "split.json"
    if not manifest.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", __name__, str(model_path), str(folder)],
                              capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not manifest.is_file():
            logger.warning("could not cut Piper voice %s at its decoder; running it whole: %s",
                           model_path.name, done.stderr.strip()[-500:])
            return None
    facts = json.loads(manifest.read_text(encoding="utf-8"))
    if not facts["windowed"]:
        logger.info("Piper voice %s runs whole: %s", model_path.name, facts["reason"])
        return None
    return SplitVoice(prior=folder / "prior.onnx", decoder=folder / "decoder.onnx",
                      hop=int(facts["hop"]))


def decode_windowed(decode: Callable[[np.ndarray], np.ndarray], latent: np.ndarray,
                    hop: int, window: int = WINDOW_FRAMES) -> np.ndarray:
    """`decode` (latent [1, C, frames] -> `frames * hop` samples) over windows of `latent`."""
    frames = latent.shape[2]
    if frames <= window + 2 * CONTEXT_FRAMES:
        return decode(latent)
    parts = []
    for start in range(0, frames, window):
        end = min(frames, start + window)
        low, high = max(0, start - CONTEXT_FRAMES), min(frames, end + CONTEXT_FRAMES)
        audio = decode(latent[:, :, low:high])
        parts.append(audio[(start - low) * hop:(end - low) * hop])
    return np.concatenate(parts)


@dataclass(frozen=True)
class Chunk:
    """One sentence of audio, shaped like piper's AudioChunk where the engine reads it."""

    audio_float_array: np.ndarray
    sample_rate: int


class WindowedVoice:
    """A Piper voice run as prior + windowed decoder; `synthesize` mirrors PiperVoice's."""

    def __init__(self, split: SplitVoice, config: Any, options: Any) -> None:
        import onnxruntime
        from piper import PiperVoice

        providers = ["CPUExecutionProvider"]
        self.prior = onnxruntime.InferenceSession(str(split.prior), sess_options=options,
                                                  providers=providers)
        self.decoder = onnxruntime.InferenceSession(str(split.decoder), sess_options=options,
                                                    providers=providers)
        self._decoder_input = self.decoder.get_inputs()[0].name
        self.hop = split.hop
        self.voice = PiperVoice(config=config, session=self.prior)  # phonemes and ids only

    def synthesize(self, text: str, syn_config: Any) -> Iterator[Chunk]:
        config = self.voice.config
        length_scale = syn_config.length_scale or config.length_scale
        scales = np.array([config.noise_scale, length_scale, config.noise_w_scale],
                          dtype=np.float32)
        for phonemes in self.voice.phonemize(text):
            if not phonemes:
                continue
            ids = np.array([self.voice.phonemes_to_ids(phonemes)], dtype=np.int64)
            lengths = np.array([ids.shape[1]], dtype=np.int64)
            latent = self.prior.run(None, {"input": ids, "input_lengths": lengths,
                                           "scales": scales})[0]
            audio = decode_windowed(self._decode, latent, self.hop)
            yield Chunk(np.clip(audio, -1.0, 1.0).astype(np.float32), config.sample_rate)

    def _decode(self, latent: np.ndarray) -> np.ndarray:
        return self.decoder.run(None, {self._decoder_input: latent})[0].reshape(-1)


def cut(model_path: Path, folder: Path) -> dict[str, Any]:
    """Cut the voice, check the cut on a probe, write both parts; returns the manifest.

    The decoder is copied out (7 MB for a medium voice) and the loaded model is then trimmed in
    place into the prior, so the large weights are never copied: onnx's own Extractor copies the
    whole model twice and took 300 MB."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(model_path))
    graph = model.graph
    inputs = [i.name for i in graph.input]
    first = next((n for n in graph.node if n.name == DECODER_FIRST_NODE), None)
    if first is None:
        return {"windowed": False, "reason": f"no node {DECODER_FIRST_NODE}"}
    if "sid" in inputs:
        return {"windowed": False, "reason": "a multi-speaker voice"}
    weight = next((w for w in graph.initializer if w.name == first.input[1]), None)
    if weight is None or len(weight.dims) != 3:
        return {"windowed": False, "reason": "the decoder's first weight is not a 1-D conv's"}
    channels, latent = int(weight.dims[1]), first.input[0]  # weight: [out, in, kernel]
    decoder_nodes = [graph.node[i] for i in _upstream(graph, graph.output[0].name, stop=latent)]
    decoder_names = {n for node in decoder_nodes for n in node.input}
    if any(name in inputs for name in decoder_names):
        return {"windowed": False, "reason": "the decoder reads a model input besides the latent"}
    latent_info = helper.make_tensor_value_info(latent, TensorProto.FLOAT, [1, channels, None])
    decoder = helper.make_model(
        helper.make_graph(decoder_nodes, "decoder", [latent_info], [graph.output[0]],
                          [w for w in graph.initializer if w.name in decoder_names]),
        opset_imports=model.opset_import, ir_version=model.ir_version)
    onnx.save(decoder, str(folder / "decoder.onnx.part"))
    del decoder, decoder_nodes
    prior_nodes = set(_upstream(graph, latent, stop=""))
    for index in reversed(range(len(graph.node))):
        if index not in prior_nodes:
            del graph.node[index]
    used = {n for node in graph.node for n in node.input}
    for index in reversed(range(len(graph.initializer))):
        if graph.initializer[index].name not in used:
            del graph.initializer[index]
    del graph.output[:]
    graph.output.append(latent_info)
    onnx.save(model, str(folder / "prior.onnx.part"))
    del model, graph
    hop, difference = _check(folder / "decoder.onnx.part", channels)
    if difference > _TOLERANCE:
        return {"windowed": False, "reason": f"windows differ from the whole by {difference}"}
    for name in ("prior", "decoder"):
        os.replace(folder / f"{name}.onnx.part", folder / f"{name}.onnx")
    return {"windowed": True, "hop": hop, "channels": channels, "window": WINDOW_FRAMES,
            "context": CONTEXT_FRAMES, "largest_difference": difference}


def _upstream(graph: Any, output: str, stop: str) -> list[int]:
    """Indices of the nodes `output` depends on, back to (not including) the value `stop`, in
    graph order. (Indices, not node objects: protobuf hands out a new wrapper on each access.)"""
    producer = {name: index for index, node in enumerate(graph.node) for name in node.output}
    wanted: set[int] = set()
    pending = [output]
    while pending:
        name = pending.pop()
        index = producer.get(name)
        if name == stop or index is None or index in wanted:
            continue
        wanted.add(index)
        node = graph.node[index]
        pending.extend(node.input)
        pending.extend(_subgraph_inputs(node))
    return sorted(wanted)


def _subgraph_inputs(node: Any) -> list[str]:
    """Outer values a control-flow node's subgraphs (If, Loop) read."""
    names: list[str] = []
    for attribute in node.attribute:
        for sub in [attribute.g] if attribute.HasField("g") else list(attribute.graphs):
            names.extend(n for inner in sub.node for n in inner.input)
    return names


def _check(decoder_path: Path, channels: int) -> tuple[int, float]:
    """(hop, largest difference) of the windowed against the whole decode of a random latent."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(decoder_path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def decode(latent: np.ndarray) -> np.ndarray:
        return session.run(None, {name: latent})[0].reshape(-1)

    probe = np.random.default_rng(0).standard_normal((1, channels, _PROBE_FRAMES), np.float32)
    whole = decode(probe)
    hop, extra = divmod(len(whole), _PROBE_FRAMES)
    if extra:
        return 0, float("inf")
    windowed = decode_windowed(decode, probe, hop, _CHECK_WINDOW)
    return hop, float(np.abs(windowed - whole).max())


def main(argv: list[str]) -> int:
    model_path, folder = Path(argv[0]), Path(argv[1])
    facts = cut(model_path, folder)
    temporary = folder / "split.json.part"
    temporary.write_text(json.dumps(facts, indent=1), encoding="utf-8")
    os.replace(temporary, folder / "split.json")  # last: its presence means the cut is whole
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
