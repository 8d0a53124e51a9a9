"""The command line: parses options, calls the build, turns domain errors into one-line messages.

    python -m audio_build check [PATHS]    validate scripts, report every problem, exit 1 if any
    python -m audio_build list [PATHS]     a table of the library
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import AudioBuildError, ScriptErrors
from .library import load_library
from .timing import estimate_variant


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.command(args) or 0)
    except ScriptErrors as failure:
        for error in failure.errors:
            print(error.format(), file=sys.stderr)
        count = len(failure.errors)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return 1
    except AudioBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m audio_build",
                                     description="Check, list and build the practice library.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="validate practice scripts")
    check.add_argument("paths", nargs="*", type=Path,
                       help="scripts or folders (default: scripts/meditations)")
    check.set_defaults(command=run_check)
    listing = commands.add_parser("list", help="list the practices")
    listing.add_argument("paths", nargs="*", type=Path)
    listing.set_defaults(command=run_list)
    return parser


def run_check(args: argparse.Namespace) -> int:
    library = load_library(args.paths)
    count = len(library.practices)
    print(f"{count} practice{'s' if count != 1 else ''} checked, no problems")
    return 0


def run_list(args: argparse.Namespace) -> int:
    library = load_library(args.paths)
    rows = [("id", "title", "lengths", "steps", "words", "speech min")]
    for practice in library.practices:
        estimates = [estimate_variant(practice, m) for m in practice.lengths]
        rows.append((
            practice.practice_id,
            practice.title,
            ", ".join(str(m) for m in practice.lengths),
            " / ".join(str(len(practice.steps_for(m))) for m in practice.lengths),
            " / ".join(str(e.words) for e in estimates),
            " / ".join(f"{e.speech_ms / 60_000:.1f}" for e in estimates),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print("\nsteps, words and speech minutes are per length; speech is estimated at a calm "
          "110 words a minute")
    return 0
