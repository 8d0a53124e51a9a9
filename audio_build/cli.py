"""The command line: parses options, calls the build, turns domain errors into one-line messages.

    python -m audio_build check [PATHS]    validate scripts, report every problem, exit 1 if any
    python -m audio_build list [PATHS]     a table of the library
    python -m audio_build build [...]      MP3s, phone segments, prompts and build/catalog.json;
                                           exit 3 when some practices failed (each named, the
                                           catalog written with the rest), 1 on other errors
    python -m audio_build skill-model      regenerate the Alexa interaction model from the library
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .build import DEFAULT_JOBS
from .config import DEFAULT_CRISIS_DIR, DEFAULT_LIBRARY_PATH, DEFAULT_PROMPTS_DIR
from .errors import AudioBuildError, ScriptErrors
from .language import DEFAULT_LANGUAGE
from .lexicon import load_crisis_lexicons
from .library import load_languages, load_library
from .library_data import load_library_data
from .timing import estimate_variant, words_per_minute


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
    check.add_argument("--crisis-dir", type=Path, default=DEFAULT_CRISIS_DIR,
                       help="crisis lexicons, one <language>.yaml each (default: scripts/crisis)")
    check.add_argument("--library", type=Path, default=DEFAULT_LIBRARY_PATH,
                       help="needs and menus (default: scripts/library.yaml; checked with the "
                            "whole library)")
    check.add_argument("--prompts-dir", type=Path, default=DEFAULT_PROMPTS_DIR)
    check.set_defaults(command=run_check)
    listing = commands.add_parser("list", help="list the practices")
    listing.add_argument("paths", nargs="*", type=Path)
    listing.set_defaults(command=run_list)
    build = commands.add_parser("build", help="build the audio library and catalog")
    build.add_argument("--only", nargs="+", default=[], metavar="ID", help="practice ids")
    build.add_argument("--language", action="append", default=[], metavar="CODE",
                       help="build only this language (en, es; repeatable; default: all)")
    build.add_argument("--engine", choices=["piper", "kokoro", "gtts"],
                       help="engine for the languages built (default: each language's own, "
                       "from scripts/prompts/<lang>.yaml: English Piper, Spanish Kokoro); "
                       "without --language it applies to English only")
    build.add_argument("--voice", help="Piper .onnx voice path or name; Kokoro voice name "
                       "(ef_dora, em_alex, af_heart, am_michael) or style file (model: "
                       "KOKORO_MODEL); gTTS 'lang[:tld]'")
    build.add_argument("--out", type=Path, default=Path("build"), help="output folder")
    build.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                       help="practices built in parallel (default: one per core, at most 4)")
    build.add_argument("--scripts", nargs="+", type=Path, default=[], metavar="PATH")
    build.add_argument("--crisis-line", default=os.environ.get("CRISIS_LINE", "988"))
    build.add_argument("--crisis-line-es", default=os.environ.get("CRISIS_LINE_ES", ""),
                       help="a crisis line of its own for Spanish speakers (default: the main "
                       "line, with 988's 'press 2 for Spanish')")
    build.add_argument("--crisis-dir", type=Path, default=DEFAULT_CRISIS_DIR)
    build.add_argument("--library", type=Path, default=DEFAULT_LIBRARY_PATH)
    build.add_argument("--prompts-dir", type=Path, default=DEFAULT_PROMPTS_DIR)
    build.set_defaults(command=run_build)
    model = commands.add_parser("skill-model", help="write the Alexa interaction models from the "
                                "library (skill-package/interactionModels/custom/<locale>.json, "
                                "one per language)")
    model.add_argument("paths", nargs="*", type=Path, help="scripts (default: the library)")
    model.add_argument("--out-dir", type=Path, default=None,
                       help="where the <locale>.json files go (default: the skill package)")
    model.add_argument("--out", type=Path, default=None,
                       help="write (or check) only the English model, to this file")
    model.add_argument("--library", type=Path, default=DEFAULT_LIBRARY_PATH)
    model.add_argument("--prompts-dir", type=Path, default=DEFAULT_PROMPTS_DIR)
    model.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 if the committed model is stale")
    model.set_defaults(command=run_skill_model)
    return parser


def run_check(args: argparse.Namespace) -> int:
    libraries = load_languages(args.paths)
    library = libraries[DEFAULT_LANGUAGE]
    if not args.paths or args.library != DEFAULT_LIBRARY_PATH:
        load_library_data(library.practices, args.library, args.prompts_dir,
                          {code: lib.practices for code, lib in libraries.items()})
    lexicons = load_crisis_lexicons(args.crisis_dir)
    count = sum(len(lib.practices) for lib in libraries.values())
    languages = ", ".join(sorted(libraries))
    print(f"{count} practice{'s' if count != 1 else ''} ({languages}) and {len(lexicons)} "
          f"crisis lexicon{'s' if len(lexicons) != 1 else ''} checked, no problems")
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
    paces = sorted({(p.language, words_per_minute(p.language)) for p in library.practices})
    pace = ", ".join(f"{rate} ({language})" for language, rate in paces) or "110"
    print("\nsteps, words and speech minutes are per length; speech is estimated at a calm "
          f"{pace} words a minute")
    return 0


PARTIAL = 3
"""The build's exit status when some practices failed and the catalog holds the rest (each
failed one keeps its last build): `make run` serves them; anything else that fails exits 1."""


def run_build(args: argparse.Namespace) -> int:
    from .build import BuildConfig, build_library
    from .progress import ProgressReporter, format_summary

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    languages = tuple(args.language)
    if (args.engine or args.voice) and not languages:
        languages = (DEFAULT_LANGUAGE,)
        print("--engine/--voice without --language: building English only "
              "(add --language es to build Spanish with them)", file=sys.stderr)
    config = BuildConfig(out_dir=args.out, scripts=tuple(args.scripts), only=tuple(args.only),
                         engine=args.engine, voice=args.voice, jobs=max(1, args.jobs),
                         languages=languages,
                         crisis_line=args.crisis_line, crisis_dir=args.crisis_dir,
                         own_crisis_lines={"es": args.crisis_line_es} if args.crisis_line_es
                         else {},
                         library_path=args.library, prompts_dir=args.prompts_dir)
    libraries = load_languages(args.scripts)
    built = [lib for code, lib in libraries.items() if not languages or code in languages]
    total = len(args.only) * len(built) or sum(len(lib.practices) for lib in built)
    summary = build_library(config, progress=ProgressReporter(total))
    print(format_summary(summary))
    for failure in summary.failures:
        print(failure.format(), file=sys.stderr)
    return PARTIAL if summary.failures else 0


def run_skill_model(args: argparse.Namespace) -> int:
    from .skill_model import MODELS_DIR, write_models

    return write_models(args.paths, args.library, args.prompts_dir, args.out_dir or MODELS_DIR,
                        check=args.check, only=args.out)
