"""Which recording plays for each thing the hotline says, with `<Say>` of the same text as the
fallback.

Every sentence is a prompt of the catalog, recorded by the build from the library's prompts file
with its text kept beside it. A recording is used while it still says the right thing: a prompt
that names the crisis line must name the configured CRISIS_LINE (else `<Say>` speaks its
template with the configured line). Audio URLs point at `AUDIO_BASE_URL` (or the app's
`/audio/`), where content-hashed names are cached for good.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..catalog import Catalog, PhoneSegment, Practice
from ..library import DEFAULT_LANGUAGE, Language, Words
from .speech import spoken_digits
from .twiml import LANGUAGE, Sound, Speech

logger = logging.getLogger(__name__)

LAST_RESORT = "Sorry, something went wrong. Please try again in a moment."
"""Said only if the catalog itself has no prompt to say (no build yet): a caller never hears an
application error."""


@dataclass(frozen=True)
class Voice:
    catalog: Catalog
    audio_base_url: str
    crisis_line: str
    language_code: str = DEFAULT_LANGUAGE
    own_line: str = ""
    """This language's own crisis line (CRISIS_LINE_ES for Spanish), if the deployment has one."""

    @property
    def language(self) -> Language:
        return self.catalog.library.language(self.language_code)

    @property
    def words(self) -> Words:
        """The phone's own words in this language (`phone:` of the prompts file)."""
        return self.language.words_of("phone")

    @property
    def speech(self) -> Speech:
        """How the provider listens and speaks in this language (`<Gather language>`, `<Say>`)."""
        return Speech(locale=self.language.locale or LANGUAGE,
                      voice=self.words.texts.get("say_voice", ""))

    @property
    def crisis_line_text(self) -> str:
        """The crisis line as this language tells it, digits spoken one by one ("9 8 8, y oprime
        el 2 para español" for Spanish without a line of its own)."""
        return self.language.crisis_line(self.crisis_line, self.own_line, say=spoken_digits)

    def say(self, name: str, text: str) -> Sound:
        """`text`, from the recorded prompt `name` while it still says exactly that (the words
        are data a deployment may change), else `<Say>`."""
        recorded = self.catalog.prompts.get(name)
        if recorded is not None and " ".join(recorded.text.split()) == " ".join(text.split()):
            return Sound(name, url=self._url(recorded.file))
        return Sound(name, text=text)

    def has(self, name: str) -> bool:
        return name in self.catalog.prompts

    def prompt(self, name: str) -> Sound:
        """A recorded sentence; one naming the crisis line only if it names ours."""
        template = self.language.templates.get(name)
        if template is not None:
            return self._naming_crisis_line(name, template)
        recorded = self.catalog.prompts.get(name)
        if recorded is None:
            logger.error("phone: the catalog has no prompt %r", name)
            return Sound(name, text=LAST_RESORT if name == "trouble" else "")
        return Sound(name, url=self._url(recorded.file))

    def greeting(self) -> Sound:
        return self.prompt("greeting")

    def resume_offer(self, practice: Practice) -> Sound:
        return self.prompt(f"resume_{practice.practice_id}")

    def lengths_question(self, practice: Practice) -> Sound:
        if f"lengths_{practice.practice_id}" in self.catalog.prompts:
            return self.prompt(f"lengths_{practice.practice_id}")
        return self.prompt("choose_length")

    def support_offer(self, support_line: str) -> Sound:
        """Said, not recorded: each hospital has its own staff-support line."""
        text = self.language.spoken.get("support_offer", "{support_line}")
        return Sound("crisis_support", text=text.format(support_line=spoken_digits(
            support_line)))

    def segment(self, segment: PhoneSegment) -> Sound:
        return Sound(segment.file, url=self._url(segment.file))

    def _naming_crisis_line(self, name: str, template: str) -> Sound:
        return self.say(name, template.replace("{crisis_line}", self.crisis_line_text))

    def _url(self, file: str) -> str:
        return f"{self.audio_base_url}/{file}"
