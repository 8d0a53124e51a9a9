"""How what people say or type is compared with the library's words: lower case, accents folded
("corazón" is "corazon"), anything but letters and digits as single spaces. The build normalises
its phrases the same way (`audio_build.lexicon.normalise_phrase`; a test keeps them alike)."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold())
                     if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())
