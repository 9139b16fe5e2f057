"""``halltwin demo``: what can be shown headless today.

The coupled engine (issue 5) will run the default incident here; until then
the demo validates every example hall with each of its scenarios and prints
their summaries, which is what is true to show.
"""

from __future__ import annotations

import argparse

from twin.errors import UserError
from twin.examples import example_layouts, layouts_dir, scenarios_for
from twin.validation import validate_files
from twin.validation.summary import summarize


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser("demo", help="check and summarize the bundled example halls")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate each example with each of its scenarios; 1 if any fails."""
    layouts = example_layouts()
    if not layouts:
        raise UserError(f"{layouts_dir()}: no example layouts found")
    failed = 0
    for layout in layouts:
        report = validate_files(layout)
        print(f"{layout.name}: {'valid' if not report.errors else 'INVALID'}")
        for problem in report.problems:
            print(f"  {problem}")
        if report.layout is not None:
            for line in summarize(report.layout):
                print(f"  {line}")
        failed += bool(report.errors)
        for scenario in scenarios_for(layout):
            check = validate_files(layout, scenario)
            state = "valid" if not check.errors else "INVALID"
            name = check.scenario.name if check.scenario else scenario.name
            print(f"  scenario {scenario.name}: {state} - {name}")
            for problem in check.errors:
                print(f"    {problem}")
            failed += bool(check.errors)
    print("\nThe coupled engine is not built yet: this demo validates the examples only.")
    return 1 if failed else 0
