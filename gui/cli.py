"""``halltwin gui [FILE]``: the desktop app's command, plugged into the core CLI."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gui`` sub-command (entry point ``halltwin.commands:gui``)."""
    parser = subparsers.add_parser("gui", help="open the desktop app")
    parser.add_argument("file", nargs="?", help="layout to open, or a run file (.h5) to replay")
    parser.add_argument("--screenshot", metavar="PNG",
                        help="render the window, save it to PNG and exit (for checks)")
    parser.add_argument("--select", metavar="IDS", default="",
                        help="comma-separated component ids to show selected (with --screenshot)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the main window; Qt is imported only now."""
    from gui.app import run_app

    select = [cid for cid in args.select.split(",") if cid]
    return run_app(args.file, screenshot=args.screenshot, select=select)
