"""The practice library: every script in a folder, checked together.

Cross-script rules live here: ids are unique, and no two practices answer to the same alias
(aliases, titles and ids are compared case- and punctuation-insensitively, the way people say them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ScriptError, ScriptErrors
from .language import DEFAULT_LANGUAGE, LANGUAGES
from .parse import load_script
from .script import PracticeScript

DEFAULT_SCRIPTS_DIR = Path("scripts/meditations")


@dataclass(frozen=True)
class Library:
    practices: tuple[PracticeScript, ...]

    def get(self, practice_id: str) -> PracticeScript:
        for practice in self.practices:
            if practice.practice_id == practice_id:
                return practice
        raise KeyError(practice_id)


def normalise_alias(text: str) -> str:
    """'Loving-Kindness!' and 'loving kindness' are the same thing said aloud.

    Accents are folded too, so 'corazon' typed without them matches 'corazón' (and ñ matches n:
    people often type Spanish without the tilde; no two practice names differ only by it).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def find_scripts(paths: Sequence[Path]) -> list[Path]:
    """Expand folders to the `*.md` files in them; missing paths are reported as errors."""
    found: list[Path] = []
    missing: list[ScriptError] = []
    for path in paths or [DEFAULT_SCRIPTS_DIR]:
        if path.is_dir():
            found.extend(sorted(path.glob("*.md")))
        elif path.is_file():
            found.append(path)
        else:
            missing.append(ScriptError(str(path), 0, 0, "no such file or folder",
                                       "give a script or the scripts/meditations folder"))
    if missing:
        raise ScriptErrors(missing)
    return found


def load_library(paths: Sequence[Path] = ()) -> Library:
    """Parse every script and check them against each other; raises `ScriptErrors` with all."""
    errors: list[ScriptError] = []
    practices: list[PracticeScript] = []
    for path in find_scripts(paths):
        try:
            practices.append(load_script(path))
        except ScriptErrors as failure:
            errors.extend(failure.errors)
    errors.extend(check_unique(practices))
    if errors:
        raise ScriptErrors(errors)
    return Library(tuple(sorted(practices, key=lambda p: p.practice_id)))


def load_languages(paths: Sequence[Path] = ()) -> dict[str, Library]:
    """The library in every language: English from `paths` (default scripts/meditations), and
    each other language from the folder of its code inside them (`scripts/meditations/es/`).
    Every language must hold the same practices as English: a practice missing from one, or
    found only in one, is an error naming the file to add. Raises `ScriptErrors` with all."""
    english = load_library(paths)
    libraries = {DEFAULT_LANGUAGE: english}
    folders = [p for p in (paths or [DEFAULT_SCRIPTS_DIR]) if p.is_dir()]
    errors: list[ScriptError] = []
    for code in LANGUAGES:
        found = [folder / code for folder in folders if (folder / code).is_dir()]
        if code == DEFAULT_LANGUAGE or not found:
            continue
        try:
            libraries[code] = load_library(found)
        except ScriptErrors as failure:
            errors.extend(failure.errors)
            continue
        errors.extend(_same_practices(english, libraries[code], found[0]))
    if errors:
        raise ScriptErrors(errors)
    return libraries


def _same_practices(english: Library, other: Library, folder: Path) -> list[ScriptError]:
    ids = {p.practice_id: p for p in english.practices}
    theirs = {p.practice_id: p for p in other.practices}
    errors = [ScriptError(str(folder / f"{pid}.md"), 0, 0,
                          f"no {folder.name} script for '{pid}'",
                          f"write {folder / (pid + '.md')}, adapted from {ids[pid].path}")
              for pid in sorted(set(ids) - set(theirs))]
    errors += [ScriptError(str(theirs[pid].path), 1, 1, f"'{pid}' has no English script",
                           f"name it after an English practice ({', '.join(sorted(ids))}) "
                           "or add the English one")
               for pid in sorted(set(theirs) - set(ids))]
    for pid in sorted(set(ids) & set(theirs)):
        if ids[pid].lengths != theirs[pid].lengths:
            errors.append(ScriptError(
                str(theirs[pid].path), 1, 1,
                f"lengths {list(theirs[pid].lengths)} differ from the English "
                f"{list(ids[pid].lengths)}", "give every language the same lengths"))
    return errors


def check_unique(practices: Iterable[PracticeScript]) -> list[ScriptError]:
    errors: list[ScriptError] = []
    ids: dict[str, PracticeScript] = {}
    spoken: dict[str, PracticeScript] = {}
    for practice in practices:
        first = ids.setdefault(practice.practice_id, practice)
        if first is not practice:
            errors.append(ScriptError(str(practice.path), 1, 1,
                                      f"duplicate id '{practice.practice_id}' "
                                      f"(also {first.path})", "rename one of the files"))
        names = _spoken_names(practice)
        for key, (line, col) in names.items():
            owner = spoken.setdefault(key, practice)
            if owner is not practice:
                errors.append(ScriptError(str(practice.path), line, col,
                                          f"alias '{key}' also names '{owner.practice_id}' "
                                          f"({owner.path})",
                                          "each alias must lead to one practice; change or "
                                          "remove one of them"))
    return errors


def _spoken_names(practice: PracticeScript) -> dict[str, tuple[int, int]]:
    """Every normalised name a listener could say for this practice, with where it is written."""
    lines = _read_lines(practice.path)
    names = {normalise_alias(practice.practice_id): (1, 1),
             normalise_alias(practice.title): _locate(lines, "title", practice.title)}
    for alias in practice.aliases:
        names.setdefault(normalise_alias(alias), _locate(lines, "aliases", alias))
    names.pop("", None)
    return names


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _locate(lines: list[str], field: str, text: str) -> tuple[int, int]:
    """Line and column of `text` in the front-matter field, for pointing at it."""
    start = next((n for n, line in enumerate(lines) if line.startswith(f"{field}:")), None)
    if start is None:
        return 1, 1
    for number in range(start, len(lines)):
        if number > start and lines[number][:1] not in (" ", "-", "\t"):
            break
        col = lines[number].find(text)
        if col >= 0:
            return number + 1, col + 1
    return start + 1, 1
