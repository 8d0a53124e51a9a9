"""Which recording plays for each thing the hotline says, with `<Say>` as the fallback.

A recording is used only while it still says the right thing: the greeting and the help at the
menu must name the configured crisis line, and a prompt naming a practice or its lengths must be
word for word the sentence `speech` would say for the current catalog. Audio URLs point at
`AUDIO_BASE_URL` (or the app's `/audio/`), where content-hashed names are cached for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog, PhoneSegment, Practice, normalise
from . import speech
from .twiml import Sound


@dataclass(frozen=True)
class Voice:
    catalog: Catalog
    audio_base_url: str
    crisis_line: str

    def prompt(self, name: str) -> Sound:
        recorded = self.catalog.prompts.get(name)
        if recorded is not None:
            return Sound(name, url=self._url(recorded.file))
        return Sound(name, text=speech.FALLBACK.get(name, ""))

    def greeting(self) -> Sound:
        return self._naming_crisis_line("greeting", speech.greeting(self.crisis_line))

    def menu_help(self) -> Sound:
        return self._naming_crisis_line("menu_help", speech.menu_help(self.crisis_line))

    def _naming_crisis_line(self, name: str, text: str) -> Sound:
        """The recording if it says the configured crisis line, else `<Say>` of `text`."""
        recorded = self.catalog.prompts.get(name)
        wanted = speech.spoken_digits(self.crisis_line)
        if recorded is not None and f" {wanted}." in f" {recorded.text}":
            return Sound(name, url=self._url(recorded.file))
        return Sound(name, text=text)

    def crisis(self, name: str) -> Sound:
        """A sentence of the crisis response: the recording only while it is word for word
        what `speech.CRISIS` says with the configured crisis line, so a caller never hears a
        wrong number."""
        return self._exact(name, speech.crisis_text(name, self.crisis_line))

    def resume_offer(self, practice: Practice) -> Sound:
        return self._exact(f"resume_{practice.practice_id}", speech.resume_offer(practice.title))

    def lengths_question(self, practice: Practice) -> Sound:
        return self._exact(f"lengths_{practice.practice_id}",
                           speech.lengths_question(practice.title, practice.lengths))

    def segment(self, segment: PhoneSegment) -> Sound:
        return Sound(segment.file, url=self._url(segment.file))

    def _exact(self, name: str, text: str) -> Sound:
        recorded = self.catalog.prompts.get(name)
        if recorded is not None and normalise(recorded.text) == normalise(text):
            return Sound(name, url=self._url(recorded.file))
        return Sound(name, text=text)

    def _url(self, file: str) -> str:
        return f"{self.audio_base_url}/{file}"
