"""YAML read with the line and column of every value, so a data error names its place.

`load_located(path)` gives plain Python data plus a `Marks` table from each value's path (a tuple
of keys and indexes) to where it is written. Used by the library data and prompts files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ScriptError, ScriptErrors

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    path: Path
    data: Any
    marks: dict[Key, tuple[int, int]]

    def at(self, *key: str | int) -> tuple[int, int]:
        """Where the value at `key` (or the nearest enclosing value) is written."""
        while key and key not in self.marks:
            key = key[:-1]
        return self.marks.get(key, (1, 1))

    def error(self, key: Key, message: str, hint: str = "") -> ScriptError:
        return ScriptError(str(self.path), *self.at(*key), message, hint)


def load_located(path: Path) -> Located:
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ScriptErrors([ScriptError(str(path), 0, 0, f"cannot read: {error}")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise ScriptErrors([ScriptError(str(path), line, col, f"not valid YAML: {error}")]) \
            from None
    marks: dict[Key, tuple[int, int]] = {}
    data = _convert(root, (), marks) if root is not None else {}
    return Located(path, data, marks)


def _convert(node: yaml.Node, key: Key, marks: dict[Key, tuple[int, int]]) -> Any:
    marks[key] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for name, value in node.value:
            out[str(name.value)] = _convert(value, (*key, str(name.value)), marks)
            marks[(*key, str(name.value))] = (name.start_mark.line + 1,
                                              name.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*key, index), marks) for index, item in enumerate(node.value)]
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:bool"):
        return node.value  # words, never booleans: "yes" and "no" are words people say
    return yaml.SafeLoader("").construct_object(node)  # numbers and nulls as safe_load reads them
