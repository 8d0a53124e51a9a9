"""The `alexa:` section of each prompts file (scripts/prompts/<lang>.yaml): the alexa channel's own
sentences and word lists, checked at build time and carried in the catalog like the rest.

TEXTS names each sentence and the {values} it may hold; LISTS names each word list. Every
language's prompts file must give them all (a missing one is an error naming the file, the line
and the key); the service reads them as `language.words_of("alexa")` (`voice_app.library.Words`).
"""

from __future__ import annotations

TEXTS: dict[str, frozenset[str]] = {}
LISTS: tuple[str, ...] = ()
