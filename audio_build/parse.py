"""Turn one script's text into a `PracticeScript`, or into every problem it has at once.

`parse_script` never raises anything but `ScriptErrors`, whatever text it is given: a property
test feeds it arbitrary input.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ScriptError, ScriptErrors
from .frontmatter import FrontMatter, check_fields, read_front_matter
from .script import Bell, Item, Pause, PracticeScript, PracticeTime, Speech, Step
from .timing import check_lengths

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADING = re.compile(r"^##(?!#)\s*(?P<title>.*?)\s*$")
_MIN_SUFFIX = re.compile(r"^(?P<title>.*?)\s*\((?P<inner>[^()]*\bmin\b[^()]*)\)$")
_MIN_INNER = re.compile(r"^\s*(?P<n>\d{1,3})\s*\+\s*min\s*$")
_DIRECTIVE = re.compile(r"\[(?P<body>[^\[\]]*)\]")
_DURATION = re.compile(r"^(?:(?P<m>\d{1,3})m)?(?:(?P<s>\d{1,4}(?:\.\d{1,3})?)s)?$")
MAX_DIRECTIVE_MS = 30 * 60 * 1000
DURATION_HINT = "write durations like 5s, 90s, 2m or 1m30s"


def load_script(path: Path) -> PracticeScript:
    """Read and parse one script file; raises `ScriptErrors`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScriptErrors([ScriptError(str(path), 1, 1, f"not UTF-8 text ({error.reason})",
                                        "save the file as UTF-8")]) from None
    except OSError as error:
        raise ScriptErrors([ScriptError(str(path), 1, 1, f"cannot read: {error.strerror}",
                                        "check the path and permissions")]) from None
    return parse_script(text, path)


def parse_script(text: str, path: Path) -> PracticeScript:
    """Parse a script; raises `ScriptErrors` listing every problem found."""
    name = str(path)
    lines = text.lstrip("\ufeff").splitlines()
    errors: list[ScriptError] = []
    practice_id = path.stem
    if not SLUG.match(practice_id):
        errors.append(ScriptError(name, 1, 1, f"id '{practice_id}' is not a slug",
                                  "rename the file to lowercase words joined by hyphens, "
                                  "e.g. loving-kindness.md"))
    front = read_front_matter(name, lines)
    if isinstance(front, list):
        raise ScriptErrors(errors + front)
    errors.extend(check_fields(name, front))
    steps = parse_body(name, lines, front, errors)
    if errors:
        raise ScriptErrors(errors)
    script = _build(practice_id, path, front, steps)
    errors.extend(check_lengths(name, script, front.fields["lengths"].item_positions))
    if errors:
        raise ScriptErrors(errors)
    return script


def _build(practice_id: str, path: Path, front: FrontMatter, steps: tuple[Step, ...]
           ) -> PracticeScript:
    values = {name: field.value for name, field in front.fields.items()}
    return PracticeScript(
        practice_id=practice_id,
        path=path,
        title=values["title"].strip(),
        summary=values["summary"].strip(),
        aliases=tuple(a.strip() for a in values["aliases"]),
        category=values["category"],
        lengths=tuple(values["lengths"]),
        tags=tuple(values["tags"]),
        sources=tuple(s.strip() for s in values["sources"]),
        steps=steps,
        length_scale=values.get("length_scale"),
    )


def parse_body(path: str, lines: list[str], front: FrontMatter, errors: list[ScriptError]
               ) -> tuple[Step, ...]:
    """Steps from the lines after the front matter; problems are appended to `errors`."""
    lengths = _declared_lengths(front)
    end_line = front.end_line
    steps: list[Step] = []
    heading: tuple[str, int, int | None] | None = None
    items: list[Item] = []
    for number in range(end_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if not line.strip():
            continue
        match = _HEADING.match(line)
        if match:
            _close_step(path, heading, items, steps, errors)
            heading = _parse_heading(path, number, line, match["title"], lengths, errors)
            items = []
        elif line.lstrip().startswith("#"):
            errors.append(ScriptError(path, number, 1, "only '## ' headings start a step",
                                      "use '## Step title'"))
        elif heading is None:
            errors.append(ScriptError(path, number, 1, "text before the first step",
                                      "start the body with a '## Step title' line"))
        else:
            items.extend(parse_line(path, number, line, errors))
    _close_step(path, heading, items, steps, errors)
    if not steps and not any(e.message.startswith("text before") for e in errors):
        errors.append(ScriptError(path, end_line, 1, "the script has no steps",
                                  "add at least one '## Step title' followed by its words"))
    return tuple(steps)


def _close_step(path: str, heading: tuple[str, int, int | None] | None, items: list[Item],
                steps: list[Step], errors: list[ScriptError]) -> None:
    if heading is None:
        return
    title, line, min_minutes = heading
    if not any(isinstance(item, Speech) for item in items):
        errors.append(ScriptError(path, line, 1, f"step '{title}' is empty",
                                  "give every step at least one sentence, or remove it"))
    steps.append(Step(title=title, items=tuple(items), line=line, min_minutes=min_minutes))


def _parse_heading(path: str, number: int, line: str, raw: str,
                   lengths: tuple[int, ...] | None, errors: list[ScriptError]
                   ) -> tuple[str, int, int | None]:
    title, min_minutes = raw, None
    suffix = _MIN_SUFFIX.match(raw)
    if suffix:
        title = suffix["title"]
        col = line.rfind("(") + 1
        inner = _MIN_INNER.match(suffix["inner"])
        if not inner:
            errors.append(ScriptError(path, number, col, f"malformed length marker "
                                      f"'({suffix['inner']})'", "write e.g. '(10+ min)'"))
        else:
            min_minutes = int(inner["n"])
            if lengths is not None and min_minutes not in lengths:
                errors.append(ScriptError(
                    path, number, col, f"'({min_minutes}+ min)' is not one of the lengths "
                    f"{list(lengths)}", "use one of the practice's lengths, or add it to lengths"))
    if not title.strip():
        errors.append(ScriptError(path, number, 1, "step heading has no title",
                                  "write e.g. '## Settling'"))
    return title.strip(), number, min_minutes


def parse_line(path: str, number: int, line: str, errors: list[ScriptError]) -> list[Item]:
    """Speech and directives of one body line, in order."""
    items: list[Item] = []
    position = 0
    for match in _DIRECTIVE.finditer(line):
        _add_speech(path, number, line[position:match.start()], position, items, errors)
        directive = _parse_directive(path, number, match.start() + 1, match["body"], errors)
        if directive is not None:
            items.append(directive)
        position = match.end()
    _add_speech(path, number, line[position:], position, items, errors)
    return items


def _add_speech(path: str, number: int, text: str, offset: int, items: list[Item],
                errors: list[ScriptError]) -> None:
    for bracket in "[]":
        where = text.find(bracket)
        if where >= 0:
            errors.append(ScriptError(path, number, offset + where + 1,
                                      f"unmatched '{bracket}'",
                                      "directives look like [pause 3s], [practice 60s], [bell]"))
            return
    if text.strip():
        items.append(Speech(text=" ".join(text.split()), line=number))


def _parse_directive(path: str, number: int, col: int, body: str,
                     errors: list[ScriptError]) -> Item | None:
    words = body.split()
    name = words[0].lower() if words else ""
    if name == "bell" and len(words) == 1:
        return Bell(line=number)
    if name in ("pause", "practice") and len(words) == 2:
        duration_ms = parse_duration(words[1])
        if duration_ms is None:
            errors.append(ScriptError(path, number, col, f"malformed duration '{words[1]}'",
                                      DURATION_HINT))
            return None
        if name == "pause":
            return Pause(duration_ms=duration_ms, line=number)
        return PracticeTime(duration_ms=duration_ms, line=number)
    if name in ("pause", "practice"):
        errors.append(ScriptError(path, number, col, f"[{name}] needs one duration",
                                  f"write e.g. [{name} 5s]; {DURATION_HINT}"))
    elif name == "bell":
        errors.append(ScriptError(path, number, col, "[bell] takes no argument",
                                  "write [bell]"))
    else:
        errors.append(ScriptError(path, number, col, f"unknown directive '[{body}]'",
                                  "use [pause 3s], [practice 60s] or [bell]"))
    return None


def parse_duration(text: str) -> int | None:
    """Milliseconds of `5s`, `90s`, `2m`, `1m30s`, `2.5s`; None if malformed or out of range."""
    match = _DURATION.match(text.strip().lower())
    if not match or not (match["m"] or match["s"]):
        return None
    duration_ms = int(match["m"] or 0) * 60_000 + round(float(match["s"] or 0) * 1000)
    return duration_ms if 0 < duration_ms <= MAX_DIRECTIVE_MS else None


def _declared_lengths(front: FrontMatter) -> tuple[int, ...] | None:
    """The lengths field if it is a list of whole numbers, so step markers can be checked."""
    field = front.fields.get("lengths")
    value = field.value if field else None
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool)
                                       for v in value):
        return tuple(value)
    return None
