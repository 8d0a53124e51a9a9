"""Front matter: the YAML block at the top of a script, checked field by field with positions.

Every problem becomes a `ScriptError` at the line and column of the offending value; nothing
here raises anything else, whatever the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import ScriptError
from .script import TAGS


@dataclass(frozen=True)
class Field:
    """One front-matter value with where it was written (1-based line and column)."""

    value: Any
    line: int
    col: int
    item_positions: tuple[tuple[int, int], ...] = ()
    """For lists: the position of each element."""


@dataclass(frozen=True)
class FrontMatter:
    fields: dict[str, Field]
    end_line: int
    """The line of the closing `---`; the body starts after it."""


_EXAMPLES = {"title": "Loving-Kindness", "summary": "Wishing yourself and others well."}
REQUIRED = ("title", "summary", "aliases", "category", "lengths", "tags", "sources")
OPTIONAL = ("length_scale",)
_DELIMITER = re.compile(r"^---\s*$")


def split_front_matter(path: str, lines: list[str]) -> tuple[list[str], int] | ScriptError:
    """The front-matter lines and the line number of the closing delimiter, or an error."""
    if not lines or not _DELIMITER.match(lines[0]):
        return ScriptError(
            path, 1, 1, "the script must start with front matter",
            "begin the file with a line '---', the fields (title, summary, ...), then '---'",
        )
    for index in range(1, len(lines)):
        if _DELIMITER.match(lines[index]):
            return lines[1:index], index + 1
    return ScriptError(
        path, 1, 1, "front matter is not closed",
        "add a line '---' after the last field and before the first '## Step'",
    )


def read_front_matter(path: str, lines: list[str]) -> FrontMatter | list[ScriptError]:
    split = split_front_matter(path, lines)
    if isinstance(split, ScriptError):
        return [split]
    yaml_lines, end_line = split
    try:
        fields = _compose_fields("\n".join(yaml_lines))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        problem = error.problem or "invalid YAML"
        return [ScriptError(path, line, col, f"front matter is not valid YAML: {problem}",
                            "write each field as 'name: value'; quote text containing ': '")]
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return [ScriptError(path, 2, 1, f"front matter is not valid YAML: {first}",
                            "write each field as 'name: value'")]
    if isinstance(fields, ScriptError):
        return [ScriptError(path, fields.line, fields.col, fields.message, fields.hint)]
    return FrontMatter(fields, end_line)


def _compose_fields(text: str) -> dict[str, Field] | ScriptError:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            return ScriptError("", node.start_mark.line + 2, node.start_mark.column + 1,
                               "front matter must be a list of 'name: value' fields",
                               "write e.g. 'title: Loving-Kindness'")
        fields: dict[str, Field] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line, col = value_node.start_mark.line + 2, value_node.start_mark.column + 1
            if not isinstance(key, str):
                return ScriptError("", key_node.start_mark.line + 2,
                                   key_node.start_mark.column + 1,
                                   "field names must be words", "write e.g. 'title: ...'")
            if key in fields:
                return ScriptError("", line, col, f"field '{key}' is given twice",
                                   "keep one of them")
            positions: tuple[tuple[int, int], ...] = ()
            if isinstance(value_node, yaml.SequenceNode):
                positions = tuple((n.start_mark.line + 2, n.start_mark.column + 1)
                                  for n in value_node.value)
            value = loader.construct_object(value_node, deep=True)
            fields[key] = Field(value, line, col, positions)
        return fields
    finally:
        loader.dispose()


def check_fields(path: str, front: FrontMatter) -> list[ScriptError]:
    """Presence and type of every field; unknown fields are errors (they are usually typos)."""
    errors: list[ScriptError] = []
    known = REQUIRED + OPTIONAL
    for name, field in front.fields.items():
        if name not in known:
            errors.append(ScriptError(path, field.line, field.col, f"unknown field '{name}'",
                                      f"known fields: {', '.join(known)}"))
    for name in REQUIRED:
        if name not in front.fields:
            errors.append(ScriptError(path, 1, 1, f"missing front-matter field '{name}'",
                                      f"add '{name}: ...' between the '---' lines"))
    for name, checker in _CHECKERS.items():
        if name in front.fields:
            errors.extend(checker(path, front.fields[name]))
    return errors


def _text(path: str, field: Field, name: str) -> list[ScriptError]:
    if isinstance(field.value, str) and field.value.strip():
        return []
    return [ScriptError(path, field.line, field.col, f"'{name}' must be non-empty text",
                        f"write it on the same line, e.g. '{name}: {_EXAMPLES[name]}'")]


def _text_list(path: str, field: Field, name: str, vocabulary: tuple[str, ...] = ()
               ) -> list[ScriptError]:
    value = field.value
    if not isinstance(value, list) or not value:
        return [ScriptError(path, field.line, field.col, f"'{name}' must be a non-empty list",
                            f"write e.g. '{name}: [first, second]'")]
    errors = []
    for index, item in enumerate(value):
        line, col = _position(field, index)
        if not isinstance(item, str) or not item.strip():
            errors.append(ScriptError(path, line, col, f"each of '{name}' must be text",
                                      "quote it if it looks like a number or date"))
        elif vocabulary and item not in vocabulary:
            errors.append(ScriptError(path, line, col, f"unknown {name[:-1]} '{item}'",
                                      f"use one of: {', '.join(vocabulary)}"))
    return errors


def _lengths(path: str, field: Field) -> list[ScriptError]:
    value = field.value
    hint = "write the minutes of each variant, shortest first, e.g. 'lengths: [3, 5, 10]'"
    if not isinstance(value, list) or not value:
        return [ScriptError(path, field.line, field.col,
                            "'lengths' must be a non-empty list of minutes", hint)]
    for index, item in enumerate(value):
        line, col = _position(field, index)
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 120:
            return [ScriptError(path, line, col,
                                f"length {item!r} is not a whole number of minutes (1 to 120)",
                                hint)]
        if index and item <= value[index - 1]:
            return [ScriptError(path, line, col, "'lengths' must be ascending without repeats",
                                hint)]
    return []


def _length_scale(path: str, field: Field) -> list[ScriptError]:
    value = field.value
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value <= 2.0:
        return [ScriptError(path, field.line, field.col,
                            "'length_scale' must be a number from 0.5 to 2.0",
                            "higher is slower; leave it out for the calm default pace")]
    return []


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _category(path: str, field: Field) -> list[ScriptError]:
    """A need of scripts/library.yaml (checked there, with the library); here only its form."""
    if isinstance(field.value, str) and _SLUG.match(field.value):
        return []
    return [ScriptError(path, field.line, field.col, f"category {field.value!r} is not a need's id",
                        "use a need of scripts/library.yaml, like between-patients")]


def _position(field: Field, index: int) -> tuple[int, int]:
    if index < len(field.item_positions):
        return field.item_positions[index]
    return field.line, field.col


_CHECKERS = {
    "title": lambda path, field: _text(path, field, "title"),
    "summary": lambda path, field: _text(path, field, "summary"),
    "aliases": lambda path, field: _text_list(path, field, "aliases"),
    "category": _category,
    "lengths": _lengths,
    "tags": lambda path, field: _text_list(path, field, "tags", TAGS),
    "sources": lambda path, field: _text_list(path, field, "sources"),
    "length_scale": _length_scale,
}
