"""Library data for a test's own small library: every practice of a folder on one menu, its
categories as the needs, and the library's real words; optionally every fixed prompt reduced to
one sentence, so a build test pays for its practice's speech and not for the hotline's."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from audio_build.located import load_located

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
CHECKIN_SPOKEN = ("question", "before", "after", "said_back", "skipped", "turned_off", "turned_on")
"""The `checkin:` sentences the phone plays recorded (audio_build.library_data.checkin_prompts)."""


def library_data_for(root: Path, scripts: Path, *, sentence: str | None = None,
                     keep: tuple[str, ...] = (), templates: bool = False) -> dict[str, Path]:
    """Write `root/library.yaml` (and, with `sentence`, `root/prompts/` where every fixed prompt
    but those in `keep` is that sentence, as are the check-in's recorded sentences, and with
    `templates` every template too: the menu pages and "continue ..."); return the BuildConfig
    arguments that use them."""
    ids, categories = [], []
    for path in sorted(scripts.glob("*.md")):
        ids.append(path.stem)
        category = re.search(r"^category: *(\S+)", path.read_text(encoding="utf-8"),
                             re.MULTILINE).group(1)
        categories += [category] if category not in categories else []
    (root / "library.yaml").write_text(
        f"first: {ids[0]}\nneeds:\n" + "".join(f"  - need: {c}\n" for c in categories)
        + 'keys: {help: "0", more: "9", back: "*", end: "#"}\nmenus:\n  main:\n'
        + "".join(f"    - practice: {i}\n" for i in ids), encoding="utf-8")
    prompts = SCRIPTS / "prompts"
    if sentence is not None:
        words = load_located(prompts / "en.yaml").data
        for section in ("prompts", "templates") if templates else ("prompts",):
            words[section] = {name: text if name in keep else sentence
                              for name, text in words[section].items()}
        # The phone's recorded check-in sentences are rendered from these (checkin_prompts).
        words["checkin"] |= {name: sentence for name in CHECKIN_SPOKEN if name not in keep}
        prompts = root / "prompts"
        prompts.mkdir(exist_ok=True)
        (prompts / "en.yaml").write_text(yaml.safe_dump(words, allow_unicode=True),
                                         encoding="utf-8")
    return {"library_path": root / "library.yaml", "prompts_dir": prompts,
            "crisis_dir": SCRIPTS / "crisis"}


def cli_args(data: dict[str, Path]) -> list[str]:
    """The same, as `python -m audio_build build` options."""
    return ["--library", str(data["library_path"]), "--prompts-dir", str(data["prompts_dir"]),
            "--crisis-dir", str(data["crisis_dir"])]
