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
    parser.add_argument("--sweep", metavar="SWEEP.h5",
                        help="show this sweep summary (halltwin sweep -o) in the Sweep panel")
    # The packaged app's way to run gui.warmup (a frozen app has no `python -m`).
    parser.add_argument("--warm-kernels", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-air", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the main window; Qt is imported only now."""
    if args.warm_kernels:
        from gui.warmup import main

        return main(["--no-air"] if args.no_air else [])
    from gui.app import run_app

    select = [cid for cid in args.select.split(",") if cid]
    return run_app(args.file, screenshot=args.screenshot, select=select, sweep=args.sweep)
