"""`python -m voice_app program-password`: print a hash of a new program-view password, to set
as `PROGRAM_PASSWORD_HASH`. Reads the password twice from the terminal (or once from standard
input when it is not a terminal), never from the command line, where it would be in the shell's
history."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence

from werkzeug.security import generate_password_hash

MIN_LENGTH = 12


def main(argv: Sequence[str] = ()) -> int:
    if argv:
        print("usage: python -m voice_app program-password (it asks for the password)",
              file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("New program-view password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_LENGTH:
        print(f"error: use at least {MIN_LENGTH} characters (a few words is easiest)",
              file=sys.stderr)
        return 1
    print(generate_password_hash(password))
    return 0
