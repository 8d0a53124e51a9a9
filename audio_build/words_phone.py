"""The `phone:` section of each prompts file (scripts/prompts/<lang>.yaml): the phone channel's own
sentences and word lists, checked at build time and carried in the catalog like the rest.

TEXTS names each sentence and the {values} it may hold; LISTS names each word list. Every
language's prompts file must give them all (a missing one is an error naming the file, the line
and the key); the service reads them as `language.words_of("phone")` (`voice_app.library.Words`).
"""

from __future__ import annotations

TEXTS: dict[str, frozenset[str]] = {
    # The `<Say>` voice for sentences not recorded (a Polly voice; empty: the provider's).
    "say_voice": frozenset(),
    # Speech hints at the length question: "1 minute", "5 minutes".
    "hint_minute": frozenset({"minutes"}),
    "hint_minutes": frozenset({"minutes"}),
}
LISTS: tuple[str, ...] = (
    "hints_offer",  # the call-back offer: continue, menu
    "hints_help",  # the help: delete, menu, help
    "hints_forget",  # "delete your saved place?": yes, delete, keep, no
    "hints_crisis",  # the crisis response: yes, connect me, no
    "hints_crisis_again",  # after a call to the crisis line did not go through: yes
    "switch_language",  # said at a menu of another language's call: switch to this one
)
