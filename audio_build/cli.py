"""The command line: parses options, calls the build, turns domain errors into one-line messages.

    python -m audio_build check [PATHS]    validate scripts, report every problem, exit 1 if any
    python -m audio_build list [PATHS]     a table of the library
    python -m audio_build build [...]      MP3s, phone segments, prompts and build/catalog.json
    python -m audio_build skill-model      regenerate the Alexa interaction model from a catalog
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .build import DEFAULT_JOBS
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
    build = commands.add_parser("build", help="build the audio library and catalog")
    build.add_argument("--only", nargs="+", default=[], metavar="ID", help="practice ids")
    build.add_argument("--engine", choices=["piper", "gtts"], default="piper")
    build.add_argument("--voice", help="Piper .onnx voice path or name; gTTS 'lang[:tld]'")
    build.add_argument("--out", type=Path, default=Path("build"), help="output folder")
    build.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                       help="practices built in parallel (default: one per core, at most 4)")
    build.add_argument("--scripts", nargs="+", type=Path, default=[], metavar="PATH")
    build.add_argument("--crisis-line", default=os.environ.get("CRISIS_LINE", "988"))
    build.set_defaults(command=run_build)
    model = commands.add_parser("skill-model", help="write the Alexa interaction model")
    model.add_argument("--out", type=Path, default=Path("build"), help="build folder")
    model.set_defaults(command=run_skill_model)
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


def run_build(args: argparse.Namespace) -> int:
    from .build import BuildConfig, build_library
    from .progress import ProgressReporter, format_summary

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The committed Alexa model follows the service's library only: a build into another folder
    # (a test, a benchmark, a partial library) must not rewrite it.
    serving_library = args.out.resolve() == Path("build").resolve() and not args.scripts
    config = BuildConfig(out_dir=args.out, scripts=tuple(args.scripts), only=tuple(args.only),
                         engine=args.engine, voice=args.voice, jobs=max(1, args.jobs),
                         crisis_line=args.crisis_line,
                         skill_model_path=BuildConfig.skill_model_path if serving_library
                         else None)
    total = len(args.only) or len(load_library(args.scripts).practices)
    summary = build_library(config, progress=ProgressReporter(total))
    print(format_summary(summary))
    for failure in summary.failures:
        print(failure.format(), file=sys.stderr)
    return 1 if summary.failures else 0


def run_skill_model(args: argparse.Namespace) -> int:
    from .catalog import load_catalog
    from .skill_model import write_skill_model

    catalog = load_catalog(args.out)
    if catalog is None:
        raise AudioBuildError(f"no catalog in {args.out}: run python -m audio_build build first")
    path = Path("skill-package/interactionModels/custom/en-US.json")
    changed = write_skill_model(catalog, path)
    print(f"{path} {'written' if changed else 'unchanged'}")
    return 0
