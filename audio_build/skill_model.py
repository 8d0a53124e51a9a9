"""The Alexa interaction model, regenerated from the catalog so the practice slot always matches.

Intents, sample utterances and the invocation name live here; slot values and synonyms for
PracticeName come from the catalog (titles, ids and aliases), so a new script is speakable the
moment it is built.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .outputs import write_if_changed

INVOCATION_NAME = "compassion break"

_START = ["start {practice}", "begin {practice}", "play {practice}", "do {practice}",
          "start the {practice} practice", "play {practice} for {minutes} minutes",
          "start a {duration} {practice}", "start {practice} for {duration}",
          "i want to do {practice}", "{practice}", "{minutes} minutes of {practice}",
          "a {minutes} minute {practice}"]
_RECOMMEND = ["i feel {feeling}", "i am {feeling}", "i'm {feeling}", "i just {feeling}",
              "what should i do", "recommend a practice", "i only have a minute",
              "i have {minutes} minutes", "what do you recommend",
              "something for when i feel {feeling}"]
_FEELINGS = ["overwhelmed", "stressed", "anxious", "numb", "empty", "tired", "exhausted",
             "sad", "angry", "burned out", "lost a patient", "just lost a patient", "grieving",
             "done with my shift", "between patients", "short on time"]
_LIST = ["list practices", "what practices are there", "what can i do", "what do you have",
         "which practices do you have", "what are my options"]


def interaction_model(catalog: Catalog) -> dict[str, Any]:
    values = [{"id": p.practice_id,
               "name": {"value": p.title.lower().replace("-", " "),
                        "synonyms": sorted({a.lower() for a in p.aliases}
                                           | {p.practice_id.replace("-", " ")})}}
              for p in catalog.practices]
    slots = [{"name": "practice", "type": "PracticeName"},
             {"name": "duration", "type": "AMAZON.DURATION"},
             {"name": "minutes", "type": "AMAZON.NUMBER"}]
    intents = [
        {"name": "StartPracticeIntent", "slots": slots, "samples": _START},
        {"name": "RecommendIntent",
         "slots": [{"name": "feeling", "type": "Feeling"},
                   {"name": "minutes", "type": "AMAZON.NUMBER"}],
         "samples": _RECOMMEND},
        {"name": "ListPracticesIntent", "samples": _LIST},
        *({"name": name, "samples": []} for name in (
            "AMAZON.HelpIntent", "AMAZON.CancelIntent", "AMAZON.StopIntent",
            "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.NextIntent",
            "AMAZON.PreviousIntent", "AMAZON.StartOverIntent", "AMAZON.RepeatIntent",
            "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent", "AMAZON.YesIntent",
            "AMAZON.NoIntent", "AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent",
            "AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent")),
    ]
    types = [{"name": "PracticeName", "values": values},
             {"name": "Feeling", "values": [{"name": {"value": f}} for f in _FEELINGS]}]
    return {"interactionModel": {"languageModel": {
        "invocationName": INVOCATION_NAME, "intents": intents, "types": types}}}


def write_skill_model(catalog: Catalog, path: Path) -> bool:
    text = json.dumps(interaction_model(catalog), indent=2, ensure_ascii=False) + "\n"
    return write_if_changed(path, text)
