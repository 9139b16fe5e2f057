"""The ``halltwin`` command line.

Each sub-command lives in its own module with a ``register(subparsers)``
function that adds its parser and sets ``func`` (called with the parsed
arguments, returning the exit status).  Packages above ``twin`` (the Qt app)
add their commands through the ``halltwin.commands`` entry-point group, so the
core never imports them.  User mistakes raise
:class:`twin.errors.UserError` and are printed as one clear message with exit
status 1; they never show a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from twin import __version__
from twin.cli import check, demo, export, info, network, run, schema, sweep, validate, verify
from twin.errors import UserError

#: Sub-command modules, in the order ``halltwin --help`` lists them.
COMMANDS = [validate, check, run, sweep, info, export, demo, schema, network, verify]


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="halltwin",
        description="Digital twin of a liquid-cooled AI data hall.",
    )
    parser.add_argument("--version", action="version", version=f"halltwin {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    for plugin in entry_points(group="halltwin.commands"):
        plugin.load()(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as error:
        print(f"halltwin {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"halltwin {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`halltwin info RUN.h5 | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
