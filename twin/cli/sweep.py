"""``halltwin sweep``: every single failure (or pair) of a hall, run on Dask and ranked.

Inputs are checked before any worker starts, and the summary is written to
a temporary file and renamed, so a bad layout or option leaves nothing
behind.  See ``docs/sweeps.md``.
"""

from __future__ import annotations

import argparse
import sys
import time as clock
from pathlib import Path

from twin.cli.arguments import HDF5_SUFFIXES, check_number, check_output
from twin.errors import UserError, ValidationError
from twin.validation import validate_files


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` sub-command."""
    parser = subparsers.add_parser(
        "sweep", help="run every single failure (or pair) of a hall and rank them",
        description="Run each N-1 (or N-2) contingency of a hall as a transient run on Dask "
                    "(a local cluster, or a scheduler by address), rank them worst first "
                    "and write a summary file.")
    parser.add_argument("layout", help="layout file (.json)")
    order = parser.add_mutually_exclusive_group()
    order.add_argument("--n-1", dest="order", action="store_const", const=1,
                       help="every single failure (the default)")
    order.add_argument("--n-2", dest="order", action="store_const", const=2,
                       help="every pair of single failures")
    parser.add_argument("--until", type=float, default=900.0, metavar="SECONDS",
                        help="end of each run; failures happen at 60 s (default 900 s)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="a running Dask scheduler (default: a local cluster)")
    where.add_argument("--workers", type=int, default=2, metavar="N",
                       help="worker processes of the local cluster (default 2)")
    parser.add_argument("-o", "--output", metavar="SWEEP.h5",
                        help="summary file (default: <layout>--sweep-n1.h5 here)")
    parser.add_argument("--keep-runs", metavar="DIR",
                        help="also write each contingency's full run file into DIR")
    parser.add_argument("--max-pairs", type=int, default=300, metavar="N",
                        help="N-2: refuse more pairs than this (default 300)")
    parser.add_argument("--sample", type=int, metavar="COUNT",
                        help="N-2: run this many pairs drawn at random instead of all")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    parser.add_argument("--air", action="store_true",
                        help="simulate the room air too (slow on a CPU; use with --grid)")
    parser.add_argument("--grid", type=float, metavar="METRES",
                        help="air grid spacing with --air (default: the layout's grid_m)")
    parser.add_argument("--top", type=int, default=20, metavar="N",
                        help="rows of the ranked table to print (default 20; 0: all)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(func=run, order=1)


def _check(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """Refuse bad options before anything starts; return the output and runs folder."""
    if args.workers < 1:
        raise UserError(f"--workers must be at least 1, got {args.workers}")
    if args.grid is not None and not args.air:
        raise UserError("--grid sets the air grid: it needs --air")
    if args.sample is not None and args.order != 2:
        raise UserError("--sample draws pairs of failures: it needs --n-2")
    if args.top < 0:
        raise UserError(f"--top must be 0 (all rows) or more, got {args.top}")
    check_number("--grid", args.grid, "m")
    check_number("--until", args.until, "s")
    if args.scheduler is not None and not args.scheduler.startswith(("tcp://", "tls://")):
        raise UserError(f"--scheduler must look like tcp://HOST:PORT, got {args.scheduler!r}")
    output = check_output("-o", args.output or f"{Path(args.layout).stem}--sweep-n{args.order}.h5",
                          {"layout": args.layout}, HDF5_SUFFIXES)
    runs = None
    if args.keep_runs is not None:
        runs = Path(args.keep_runs)
        if runs.exists() and not runs.is_dir():
            raise UserError(f"--keep-runs {runs}: not a folder")
    return output, runs


def _check_workers_memory(layout, grid: float | None, workers: int) -> None:
    """Refuse a local sweep whose workers' air models would not fit in memory together.

    Each worker process holds its own model at once, on the backend it picks
    (:class:`~twin.engine.EngineOptions`' default); one that runs out is
    killed and its contingencies fail one after another.
    """
    from solvers.backend import select_backend
    from twin.engine import EngineOptions
    from twin.engine.air import check_hall_air_memory

    backend = select_backend(EngineOptions().backend)
    try:
        check_hall_air_memory(layout, backend, grid, copies=workers)
    except UserError as error:
        for fewer in range(workers - 1, 0, -1):
            try:
                check_hall_air_memory(layout, backend, grid, copies=fewer)
            except UserError:
                continue
            raise UserError(f"--workers {workers}: {error}, or use --workers {fewer}") from None
        raise UserError(f"--workers {workers}: {error}") from None


def _progress(row: dict, done: int, total: int, started: float) -> str:
    wall = clock.perf_counter() - started
    left = wall / done * (total - done)
    width = 30
    filled = width * done // total
    return (f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} contingencies  "
            f"{wall:6.1f} s  ETA {left:5.0f} s  last: {row['id'][:24]:<24}")


def run(args: argparse.Namespace) -> int:
    """Check the inputs, run the sweep, print the ranked table, write the summary."""
    report = validate_files(args.layout)
    if report.errors:
        raise ValidationError(report.errors)
    output, runs = _check(args)
    # Imported here, not at the top, so `halltwin --version` and --help stay fast.
    from twin.sweeps import contingencies, rank, table, write_summary
    from twin.sweeps.contingencies import FAILURE_TIME
    from twin.sweeps.runner import connect, run_sweep

    cases = contingencies(report.layout, args.order, args.until, args.max_pairs, args.sample,
                          args.seed, Path(args.layout).name)
    if not cases:
        raise UserError(f"{args.layout}: no component whose failure the model knows")
    if args.air:
        # Set the room's air model up once here (no steps): a grid too coarse
        # for the hall is one clear message, not a failed task per contingency.
        from solvers.backend import select_backend
        from twin.engine.air import build_hall_air

        build_hall_air(report.layout, select_backend("numpy"), args.grid)
        if args.scheduler is None:
            _check_workers_memory(report.layout, args.grid, args.workers)
    if runs is not None:
        runs.mkdir(parents=True, exist_ok=True)
    options = {"air": args.air, "air_spacing": args.grid}
    where = args.scheduler or f"a local cluster of {args.workers} worker processes"
    print(f"{len(cases)} N-{args.order} contingencies of {args.layout} to {args.until:g} s, "
          f"{'with' if args.air else 'without'} the air model, on {where}", file=sys.stderr)
    started = clock.perf_counter()

    def show(row: dict, done: int, total: int) -> None:
        if not args.quiet:
            print(_progress(row, done, total, started), end="", file=sys.stderr, flush=True)

    try:
        with connect(args.scheduler, args.workers) as client:
            rows = run_sweep(client, report.layout, cases, options, runs, show)
    except OSError as error:  # no scheduler there, or it went away
        raise UserError(f"cannot reach the Dask scheduler {args.scheduler}: {error}") from None
    wall = clock.perf_counter() - started
    if not args.quiet:
        print(file=sys.stderr)
    ranked = rank(rows)
    write_summary(output, ranked, {
        "layout": Path(args.layout).name, "layout_name": report.layout.name,
        "order": args.order, "until_s": args.until, "failure_time_s": FAILURE_TIME,
        "air": int(args.air), "command_line": " ".join(sys.argv)})
    print("\n".join(table(ranked, args.top or None)))
    failed = sum(r["status"] != "complete" for r in ranked)
    print(f"{output}: {len(ranked)} contingencies in {wall:.1f} s"
          + (f"; {failed} runs failed" if failed else "")
          + (f"; run files in {runs}" if runs is not None else ""))
    return 1 if failed else 0
