"""``halltwin validate LAYOUT [SCENARIO]``: check files, print a summary or the problems."""

from __future__ import annotations

import argparse
import sys

from twin.validation import validate_files
from twin.validation.summary import summarize


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command."""
    parser = subparsers.add_parser(
        "validate", help="check a layout (and a scenario) file",
        description="Check a layout, and optionally a scenario for it. Exit 0 with a summary "
                    "when valid; exit 1 with one line per problem otherwise.")
    parser.add_argument("layout", help="layout file (.json)")
    parser.add_argument("scenario", nargs="?", help="scenario file (.json)")
    parser.add_argument("--quiet", action="store_true", help="print problems only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate and report; return 0 when there is no error, 1 otherwise."""
    report = validate_files(args.layout, args.scenario)
    for problem in report.errors + report.warnings:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    if report.errors:
        count = len(report.errors)
        print(f"{count} problem{'s' if count > 1 else ''} found; nothing was run or written",
              file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{args.layout}: valid ({report.layout.name})")
        for line in summarize(report.layout):
            print(f"  {line}")
        if report.scenario is not None:
            scenario = report.scenario
            print(f"{args.scenario}: valid ({scenario.name}: {len(scenario.events)} events over "
                  f"{scenario.duration:g} s)")
    return 0
