"""A call simulator for people without a phone account: `python -m voice_app.phone.simulate`.

Runs a call against the app in-process, the way the phone provider would (signed form posts,
following each `<Gather>` action and `<Redirect>`), prints what the caller would hear (prompt
names, segment files, pauses) and reads the caller's keys from the terminal. A segment is named
from the URL the call follows (its `p`, `m` and `s`): segment files are shared by content, so
the file alone cannot say which practice is playing.

    4        press a key (several: 10)         say five minute metta   speak instead
    (empty)  stay silent (the Gather times out)    hangup   hang up (sends the status callback)
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from twilio.request_validator import RequestValidator

SIMULATOR_TOKEN = "simulator-token"
CALL_SID = "CA" + "5" * 32


@dataclass(frozen=True)
class Turn:
    """One TwiML response: what was heard, and where the call goes next."""

    heard: tuple[str, ...]
    action: str | None
    """The Gather's action, or a Redirect's URL; None after `<Hangup>`."""
    waits_for_input: bool


class Simulator:
    def __init__(self, app: Flask, caller: str, lang: str = "") -> None:
        self.app = app
        self.client = app.test_client()
        self.settings = app.extensions["settings"]
        self.caller = caller
        self.lang = lang
        self.catalog = app.extensions["catalog"].get()
        self.prompts = {p.file: f"prompt {name}" + (f" ({code})" if code != "en" else "")
                        for code in self.catalog.languages or ("en",)
                        for name, p in self.catalog.in_language(code).prompts.items()}

    def post(self, url: str, **params: str) -> str:
        form = {"CallSid": CALL_SID, "From": self.caller, "To": "+15550100100", **params}
        headers = {}
        if self.settings.TWILIO_AUTH_TOKEN:
            validator = RequestValidator(self.settings.TWILIO_AUTH_TOKEN)
            headers["X-Twilio-Signature"] = validator.compute_signature(url, form)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.client.post(path, data=form, headers=headers)
        return response.get_data(as_text=True)

    def turn(self, body: str) -> Turn:
        root = ET.fromstring(body)
        heard: list[str] = []
        for verb in root:
            if verb.tag == "Gather":
                action = verb.get("action")
                heard += [self.describe(child, action) for child in verb]
                return Turn(tuple(heard), action, True)
            if verb.tag == "Redirect":
                return Turn(tuple(heard), verb.text, False)
            if verb.tag == "Hangup":
                return Turn(tuple(heard), None, False)
            heard.append(self.describe(verb))
        return Turn(tuple(heard), None, False)

    def describe(self, verb: ET.Element, action: str | None = None) -> str:
        if verb.tag == "Play":
            file = (verb.text or "").removeprefix(self.settings.audio_base_url + "/")
            return self.prompts.get(file) or self.segment_name(file, action) or file
        if verb.tag == "Pause":
            return f"(silence {verb.get('length')} s)"
        return f'say "{verb.text}"'

    def segment_name(self, file: str, action: str | None) -> str | None:
        """What `file` is, as the action URL of the Gather playing it names it (p, m, s)."""
        query = parse_qs(urlsplit(action or "").query)
        catalog = self.catalog.in_language(query.get("lang", ["en"])[0])
        practice = catalog.get(query.get("p", [""])[0])
        try:
            minutes, index = int(query["m"][0]), int(query["s"][0])
        except (KeyError, ValueError):
            return None
        variant = practice.variant(minutes) if practice else None
        if practice is None or variant is None or not 0 <= index < len(variant.phone):
            return None
        segment = variant.phone[index]
        if segment.file != file:
            return None
        return (f"{practice.practice_id} {variant.minutes} min, step {segment.step + 1}, "
                f"{segment.kind} {segment.duration_ms / 1000:.1f} s ({segment.file})")

    def run(self, lines: Iterator[str], out: TextIO) -> None:
        base = self.settings.PUBLIC_BASE_URL.rstrip("/")
        incoming = f"{base}/phone/incoming" + (f"?lang={self.lang}" if self.lang else "")
        turn = self.turn(self.post(incoming, CallStatus="ringing"))
        while True:
            for line in turn.heard:
                print(f"  ♪ {line}", file=out)
            if turn.action is None:
                print("(the call ends)", file=out)
                break
            params = {}
            if turn.waits_for_input:
                typed = next(lines, "hangup").strip()
                if typed == "hangup":
                    print("(you hang up)", file=out)
                    break
                params = {"SpeechResult": typed[4:]} if typed.startswith("say ") else \
                    ({"Digits": typed} if typed else {})
            turn = self.turn(self.post(turn.action, **params))
        self.post(f"{base}/phone/status", CallStatus="completed")


def main(argv: list[str] | None = None, stdin: TextIO | None = None,
         out: TextIO | None = None) -> int:
    from .. import create_app
    from ..settings import SettingsError

    parser = argparse.ArgumentParser(prog="python -m voice_app.phone.simulate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="caller", default="+15550123456",
                        help="caller number ('anonymous' for a withheld one)")
    parser.add_argument("--lang", default="", help="call the number of this language (es: "
                        "as if the number's voice URL ends in ?lang=es)")
    parser.add_argument("--build-dir", help="BUILD_DIR (default: the environment's, or build)")
    parser.add_argument("--database-url", help="DATABASE_URL (default: the environment's)")
    args = parser.parse_args(argv)
    config = {"APP_ENV": "development", "ALEXA_VERIFY": "0", "TWILIO_AUTH_TOKEN": SIMULATOR_TOKEN,
              "BUILD_DIR": args.build_dir, "DATABASE_URL": args.database_url}
    out = out or sys.stdout
    try:
        app = create_app({k: v for k, v in config.items() if v})
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(__doc__.split("\n\n", 1)[1].split("\n\n")[1], file=out)
    Simulator(app, args.caller, args.lang).run(_prompted(stdin or sys.stdin, out), out)
    return 0


def _prompted(stdin: TextIO, out: TextIO) -> Iterator[str]:
    read: Callable[[], str] = stdin.readline
    while True:
        print("keys> ", end="", file=out, flush=True)
        line = read()
        if not line:
            return
        yield line.rstrip("\n")


if __name__ == "__main__":
    sys.exit(main())
