"""What the hotline listens for: keys said aloud, minutes, commands, yes and no.

Every word comes from the catalog's library data for the call's language (`scripts/prompts/
<lang>.yaml`); every sentence the hotline says is a recorded prompt with its text in the catalog
(`voice.py`). These functions only match what a caller said against those words.
"""

from __future__ import annotations

import functools
import re

from ..library import Language
from ..normalise import normalise


def said_command(said: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The command whose phrase appears in what was said (longest phrase first), if any."""
    text = f" {normalise(said)} "
    found = [(len(normalise(phrase)), command) for command, phrases in table.items()
             for phrase in phrases if normalise(phrase) and f" {normalise(phrase)} " in text]
    return max(found)[1] if found else None


def said_word(language: Language, said: str, words: str) -> bool:
    """`said` holds one of the language's `words` list (yes, no, connect, another)."""
    return said_command(said, {words: language.words.get(words, ())}) == words


def said_minutes(language: Language, said: str, *, bare: bool = False) -> int | None:
    """Minutes named in speech: 'five minute loving kindness' → 5. With `bare`, a number alone
    counts too ('ten' in answer to the length question)."""
    text = normalise(said)
    numbers = [normalise(n) for n in language.numbers]
    with_unit, alone = _minute_patterns(tuple(numbers))
    found = with_unit.search(text) or (alone.search(text) if bare else None)
    if found is None:
        return 1 if numbers[1:2] and re.search(r"\ba (?:single |quick )?minute\b", text) \
            else None
    word = found.group(1)
    return int(word) if word.isdigit() else numbers.index(word)


@functools.lru_cache(maxsize=8)
def _minute_patterns(numbers: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """'five minutes' and 'five', for one language's number words (built once, not per call)."""
    number = r"(\d{1,3}|" + "|".join(re.escape(n) for n in numbers if n) + r")"
    unit = r"(?: |-)?(?:min(?:ute)?s?|minutos?)\b"
    return re.compile(r"\b" + number + unit), re.compile(r"\b" + number + r"\b")


def said_digit(language: Language, said: str) -> str | None:
    """A menu number said aloud ('four', '4') as the key it stands for."""
    text = normalise(said)
    if text.isdigit() and len(text) == 1:
        return text
    numbers = [normalise(n) for n in language.numbers[:10]]
    return str(numbers.index(text)) if text and text in numbers else None


def spoken_digits(number: str) -> str:
    """'988' → '9 8 8': digits one by one, as the recordings say them."""
    return " ".join(ch for ch in number if ch.isdigit()) or number
