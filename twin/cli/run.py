"""``halltwin run``: one transient run of a hall under a scenario, recorded to a run file.

A progress line shows simulated time, speed (simulated s per wall s) and the
time left; Ctrl-C stops cleanly and leaves a valid file marked ``aborted``.
Inputs are checked before the run file is created, so a bad layout or
scenario leaves nothing behind.
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
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser("run", help="run a hall through a scenario into a run file")
    parser.add_argument("layout", help="layout file (.json)")
    parser.add_argument("-s", "--scenario", help="scenario file (default: steady operation)")
    parser.add_argument("--until", type=float, metavar="SECONDS",
                        help="stop at this simulated time (default: the scenario's duration)")
    parser.add_argument("-o", "--output", metavar="RUN.h5",
                        help="run file (default: <layout>--<scenario>.h5 here)")
    parser.add_argument("--backend", default="auto", choices=["auto", "numpy", "numba", "cupy"],
                        help="array backend of the air model")
    parser.add_argument("--grid", type=float, metavar="METRES",
                        help="air grid spacing (default: the layout's grid_m)")
    parser.add_argument("--no-air", action="store_true",
                        help="coolant side only: the room is one well-mixed node of air")
    parser.add_argument("--courant", type=float, default=4.0, metavar="C",
                        help="cells the fastest air crosses per air step (default 4; larger "
                             "is faster and less accurate)")
    parser.add_argument("--dt", type=float, default=1.0, metavar="SECONDS",
                        help="network and controls step (default 1 s)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(func=run)


def _progress(snapshot, started: float) -> str:
    wall = max(clock.perf_counter() - started, 1e-9)
    speed = snapshot.time / wall
    left = (snapshot.duration - snapshot.time) / speed if speed > 0 else float("inf")
    width = 30
    done = int(width * snapshot.time / snapshot.duration)
    return (f"\r[{'#' * done}{'.' * (width - done)}] {snapshot.time:8.1f} / "
            f"{snapshot.duration:g} s  {speed:6.1f}x real time  ETA {left:6.0f} s  "
            f"IT {snapshot.it_power / 1e3:8.0f} kW")


def run(args: argparse.Namespace) -> int:
    """Check the inputs, run, record; exit 0 complete, 1 failed, 130 aborted."""
    # Imported here, not at the top, so `halltwin --version` and --help stay fast.
    from twin.engine import COURANT_RANGE, EngineOptions, Simulation, default_scenario
    from twin.engine.recording import open_run_file
    from twin.runs import RunReader

    report = validate_files(args.layout, args.scenario)
    if report.errors:
        raise ValidationError(report.errors)
    scenario = report.scenario or default_scenario()
    check_number("--until", args.until, "s")
    check_number("--dt", args.dt, "s", most=60.0)
    check_number("--grid", args.grid, "m")
    low, high = COURANT_RANGE
    if not low <= args.courant <= high:
        raise UserError(f"--courant must be between {low:g} and {high:g}, got {args.courant:g}")
    output = check_output("-o", args.output or f"{Path(args.layout).stem}--"
                          f"{Path(args.scenario).stem if args.scenario else 'steady'}.h5",
                          {"layout": args.layout, "scenario": args.scenario}, HDF5_SUFFIXES)
    options = EngineOptions(network_dt=args.dt, air=not args.no_air, air_spacing=args.grid,
                            backend=args.backend, courant=args.courant)
    sim = Simulation(report.layout, scenario, options)
    if sim.air is not None:
        print(f"air: {sim.backend.name} backend ({sim.backend.reason}), grid "
              f"{' x '.join(str(n) for n in sim.air.solver.grid.shape)} cells", file=sys.stderr)
    sim.writer = open_run_file(sim, output)
    status, started, shown = "complete", clock.perf_counter(), 0.0
    try:
        for snapshot in sim.iter_run(args.until):
            if not args.quiet and clock.perf_counter() - shown > 0.5:
                print(_progress(snapshot, started), end="", file=sys.stderr, flush=True)
                shown = clock.perf_counter()
    except KeyboardInterrupt:
        status = "aborted"
    except RuntimeError as error:
        status = "failed"
        print(f"\nhalltwin run: {error}", file=sys.stderr)
    finally:
        sim.writer.close(status)
    if not args.quiet:
        print(file=sys.stderr)
    print(f"{output}: {status} at {sim.time:g} s of {scenario.duration:g} s "
          f"({clock.perf_counter() - started:.1f} s wall)")
    with RunReader(output) as reader:
        events = reader.events()
        if events.first_abnormal() is not None:
            print("cascade:")
            for line in events.cascade():
                print(f"  {line}")
    return {"complete": 0, "aborted": 130, "failed": 1}[status]
