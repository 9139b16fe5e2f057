"""``halltwin check LAYOUT [--json]``: the liquid side's design check."""

from __future__ import annotations

import argparse
import json
import math

from twin.errors import ValidationError
from twin.validation import validate_files


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``check`` sub-command."""
    parser = subparsers.add_parser(
        "check", help="design check of the coolant loops at design load, with N+1",
        description="Steady state at design load: rack flows and temperatures, pipe "
                    "velocities, pump operating points, CDU loads, PUE/WUE and an N+1 verdict.")
    parser.add_argument("layout", help="layout file (.json)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def _finite(value):
    """JSON has no NaN: absent values become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def run(args: argparse.Namespace) -> int:
    """Validate the layout, then print its design check; 1 if the layout is invalid."""
    # Imported here, not at the top, so `halltwin --version` and --help stay fast.
    from twin.liquid.design_check import design_check
    from twin.liquid.report_text import render

    report = validate_files(args.layout)
    if report.errors:
        raise ValidationError(report.errors)
    result = design_check(report.layout)
    if args.json:
        print(json.dumps(_finite(result), indent=2))
    else:
        print(render(result))
    return 0
