"""The `alexa:` section of each prompts file (scripts/prompts/<lang>.yaml): the alexa channel's own
sentences and word lists, checked at build time and carried in the catalog like the rest.

TEXTS names each sentence and the {values} it may hold; LISTS names each word list. Every
language's prompts file must give them all (a missing one is an error naming the file, the line
and the key); the service reads them as `language.words_of("alexa")` (`voice_app.library.Words`).

The sample utterances of the interaction model are lists here too (`*_samples`), so the Spanish
model (es-US) is generated from es.yaml exactly as the English one (en-US) is from en.yaml
(`audio_build.skill_model`).
"""

from __future__ import annotations

_NONE: frozenset[str] = frozenset()


def _values(*names: str) -> frozenset[str]:
    return frozenset(names)


TEXTS: dict[str, frozenset[str]] = {
    "invocation_name": _NONE,
    "ask_what_next": _NONE,
    "welcome": _NONE,
    "welcome_back": _values("title", "time"),
    "welcome_back_other": _values("title", "time", "language"),
    "welcome_playing": _values("title", "time"),
    "time_in": _values("minutes"),
    "time_under_a_minute": _NONE,
    "minute": _values("count"),
    "minutes": _values("count"),
    "list_last": _values("items", "last"),
    "resume_reprompt": _NONE,
    "reprompt": _NONE,
    "starting": _values("title", "minutes"),
    "recommending": _values("why", "title", "minutes"),
    "choices": _values("titles"),
    "choices_heard": _values("heard", "titles"),
    "help": _values("example", "crisis_line"),
    "help_example": _values("title"),
    "progress_none": _NONE,
    "progress_once": _values("minutes"),
    "progress_many": _values("count", "minutes"),
    "gone": _values("title"),
    "subtitle": _values("minutes"),
    "finished": _values("title"),
    "another_reprompt": _NONE,
    "no_more_now": _NONE,
    "trouble": _NONE,
    "apology": _NONE,
    "not_available": _NONE,
    "goodbye": _NONE,
    "nothing_to_resume": _NONE,
    "nothing_playing": _NONE,
    "last_step": _NONE,
    "fallback": _NONE,
    "fallback_crisis": _values("crisis_line"),
    "no": _NONE,
    "needs_audio": _values("host"),
    "needs_audio_card_title": _NONE,
    "needs_audio_card": _values("url"),
    "list_opening": _values("count"),
    "list_group": _values("label", "titles"),
    "list_more": _NONE,
    "list_end": _NONE,
    "list_reprompt": _NONE,
    "other_practices": _NONE,
    "forget_question": _NONE,
    "forget_reprompt": _NONE,
    "forget_kept": _NONE,
    "forgotten_nothing": _NONE,
    "forgotten": _NONE,
    "crisis_response": _values("lines"),
    "crisis_lines": _values("crisis_line", "text_line"),
    "crisis_support": _values("support_line"),
    "crisis_danger": _values("emergency"),
    "crisis_again": _values("lines"),
    "crisis_reprompt": _NONE,
    "crisis_goodbye": _values("crisis_line", "text_line"),
    "crisis_card_title": _NONE,
    "crisis_card_line": _values("crisis_line", "text_line"),
    "crisis_card_support": _values("support_line"),
    "crisis_card_danger": _values("emergency"),
    "crisis_card_not_a_service": _NONE,
    "checkin_reprompt": _NONE,
    "checkin_after_reprompt": _NONE,
    "checkin_not_here": _NONE,
}
"""Every sentence the skill says, by name, with the values it may hold."""

SAMPLES: tuple[str, ...] = ("start_samples", "recommend_samples", "list_samples",
                            "progress_samples", "forget_samples", "crisis_samples",
                            "checkin_answer_samples", "checkin_history_samples", "done_samples")
"""Sample utterances of the interaction model's custom intents."""

LISTS: tuple[str, ...] = ("language_names", "calming_needs", *SAMPLES)
"""`language_names`: "code: name" for each language a saved place's audio may be in;
`calming_needs`: the needs (ids) suggested when a listener answers 4 or 5 before a practice and
named none."""
