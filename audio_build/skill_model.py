"""The Alexa interaction model, generated from the library by `python -m audio_build skill-model`.

Intents, sample utterances and the invocation name live here; slot values come from the library
data: PracticeName from the scripts (titles, ids and aliases), Feeling from the needs' words in
`scripts/prompts/<lang>.yaml` (each need is one value whose id is the need, its words synonyms).
A word that is also a practice's name or alias is left out of Feeling: it leads to that practice,
and one utterance must never belong to two intents (tests/test_alexa_model.py). `make test` fails
when the committed model is stale, naming the command.

Every intent here has exactly one handler in `voice_app.alexa.skill.HANDLERS`, and every
handled intent is here (tests/test_alexa_model.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from .library_data import LibraryData
from .script import PracticeScript

INVOCATION_NAME = "compassion break"

_START = [
    "start {practice}", "begin {practice}", "play {practice}", "do {practice}",
    "start the {practice} practice", "play the {practice} practice", "start {practice} practice",
    "i want to do {practice}", "i'd like to do {practice}", "let's do {practice}",
    "guide me through {practice}", "take me through {practice}", "put on {practice}",
    "{practice}", "{practice} please",
    "start {practice} for {minutes} minutes", "play {practice} for {minutes} minutes",
    "do {practice} for {minutes} minutes", "start a {minutes} minute {practice}",
    "play a {minutes} minute {practice}", "do a {minutes} minute {practice}",
    "a {minutes} minute {practice}", "{minutes} minutes of {practice}",
    "start {practice} for {duration}", "{practice} for {duration}", "{duration} of {practice}",
    "start a practice", "begin a practice", "start a meditation", "play a meditation",
    "start a {minutes} minute practice", "play a {minutes} minute practice",
    "start a practice for {duration}",
]
_RECOMMEND = [
    "i feel {feeling}", "i'm feeling {feeling}", "i am feeling {feeling}", "feeling {feeling}",
    "i am {feeling}", "i'm {feeling}", "i'm so {feeling}", "i just {feeling}",
    "we just {feeling}", "i only have {feeling}", "i've only got {feeling}",
    "something for when i feel {feeling}", "what helps when i feel {feeling}",
    "what should i do", "what do you recommend", "recommend a practice",
    "recommend something", "suggest a practice", "pick a practice for me", "surprise me",
    "i have {minutes} minutes", "i only have {minutes} minutes", "i've got {minutes} minutes",
    "what can i do in {minutes} minutes", "something for {minutes} minutes",
]
_LIST = [
    "list practices", "list the practices", "what practices are there",
    "what practices do you have", "which practices do you have", "what are the practices",
    "what are my options", "what can i choose from", "what do you have", "tell me the practices",
    "what's available", "what can i do",
]
_PROGRESS = [
    "how much have i practised this week", "how much have i practiced this week",
    "how much have i practised", "how much have i practiced", "how am i doing this week",
    "what's my progress", "my progress", "tell me my progress",
    "how many practices have i done", "how many practices did i do this week",
    "how many minutes have i practised", "how many minutes have i practiced this week",
]
_FORGET = [
    "forget me", "forget about me", "forget everything about me", "forget my progress",
    "forget my history", "delete my data", "delete my history", "delete my progress",
    "delete my practice history", "delete everything you know about me", "erase my data",
    "erase my history", "clear my history", "clear my progress", "remove my data",
    "reset my progress",
]
_CRISIS = [
    "i want to die", "i just want to die", "i want to kill myself", "i'm going to kill myself",
    "i'm thinking about killing myself", "i'm thinking about suicide", "i'm thinking of suicide",
    "i feel suicidal", "i'm suicidal", "i am suicidal", "i'm having suicidal thoughts",
    "i have suicidal thoughts", "i want to end my life", "i want to end it all",
    "i want to hurt myself", "i've been hurting myself", "i want to harm myself",
    "i don't want to live anymore", "i don't want to be alive", "i don't want to be here anymore",
    "i wish i was dead", "i wish i were dead", "i'd be better off dead",
    "everyone would be better off without me", "i have no reason to live",
    "i have nothing to live for", "i can't go on anymore", "i can't go on like this",
    "i feel hopeless", "there's no way out", "i'm in crisis", "i need help now",
    "i need to talk to someone now", "i need crisis help", "suicide", "crisis",
    "crisis line", "give me the crisis line", "what's the crisis number",
    "what's the suicide hotline", "call the crisis line", "connect me to the crisis line",
]
"""Broad samples for the crisis intent. Every slot value of every intent is also checked against
the library's crisis lexicon (`scripts/crisis/`) before dispatch, so these only need to catch
what Alexa would otherwise send to another intent or to the fallback."""
BUILT_IN_INTENTS = (
    "AMAZON.HelpIntent", "AMAZON.CancelIntent", "AMAZON.StopIntent", "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent",
    "AMAZON.StartOverIntent", "AMAZON.RepeatIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.LoopOnIntent",
    "AMAZON.LoopOffIntent", "AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent",
    "AMAZON.MoreIntent",
)


def speakable(text: str) -> str:
    """A slot value Alexa accepts: lower case words, no punctuation but apostrophes."""
    return " ".join(re.sub(r"[^\w']+", " ", text.lower().replace("_", " ")).split())


def practice_values(practices: Sequence[PracticeScript]) -> list[dict[str, Any]]:
    values = []
    for practice in practices:
        value = speakable(practice.title)
        synonyms = {speakable(a) for a in practice.aliases} | {speakable(practice.practice_id)}
        values.append({"id": practice.practice_id,
                       "name": {"value": value,
                                "synonyms": sorted(s for s in synonyms if s and s != value)}})
    return values


def feeling_values(practices: Sequence[PracticeScript], data: LibraryData, language: str
                   ) -> list[dict[str, Any]]:
    named = {s for v in practice_values(practices)
             for s in (v["name"]["value"], *v["name"]["synonyms"])}
    values = []
    for need in data.needs:
        words = [w for w in dict.fromkeys(speakable(w) for w in
                                          data.languages[language].needs[need.need_id].words)
                 if w and w not in named]
        if words:
            values.append({"id": need.need_id,
                           "name": {"value": words[0], "synonyms": words[1:]}})
    return values


def interaction_model(practices: Sequence[PracticeScript], data: LibraryData,
                      language: str = "en") -> dict[str, Any]:
    start_slots = [{"name": "practice", "type": "PracticeName"},
                   {"name": "duration", "type": "AMAZON.DURATION"},
                   {"name": "minutes", "type": "AMAZON.NUMBER"}]
    intents = [
        {"name": "StartPracticeIntent", "slots": start_slots, "samples": _START},
        {"name": "RecommendIntent",
         "slots": [{"name": "feeling", "type": "Feeling"},
                   {"name": "minutes", "type": "AMAZON.NUMBER"}],
         "samples": _RECOMMEND},
        {"name": "ListPracticesIntent", "samples": _LIST},
        {"name": "ProgressIntent", "samples": _PROGRESS},
        {"name": "CrisisIntent", "samples": _CRISIS},
        {"name": "ForgetMeIntent", "samples": _FORGET},
        *({"name": name, "samples": []} for name in BUILT_IN_INTENTS),
    ]
    types = [{"name": "PracticeName", "values": practice_values(practices)},
             {"name": "Feeling", "values": feeling_values(practices, data, language)}]
    return {"interactionModel": {"languageModel": {
        "invocationName": INVOCATION_NAME, "intents": intents, "types": types}}}


def interaction_model_text(practices: Sequence[PracticeScript], data: LibraryData,
                           language: str = "en") -> str:
    return json.dumps(interaction_model(practices, data, language), indent=2,
                      ensure_ascii=False) + "\n"
