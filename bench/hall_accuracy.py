"""How far a hall's rack inlet temperatures move with the air model's step length.

Usage::

    python bench/hall_accuracy.py [--layout layouts/hall-10mw.json] [--threads N]
                                  [--spinup 60] [--until 300] [--window 60]
                                  [--spacing H] [--pressure-rtol R] [--runs 1 2 4 4:2 8]
                                  [--save FOLDER]

Each run is a Courant number ``C`` of the semi-Lagrangian scheme (the
fastest air crosses ``C`` cells a step); ``C:K`` to move heat in ``K``
sub-steps of ``dt / K`` (the old velocity held, the patches' exchange and
the energy fixer every sub-step) while momentum still takes the whole step;
or ``flux`` for the explicit flux scheme (second-order bounded transport in
steps of about half a cell: the one the verification cases hold to their
published answers).  ``C:K`` tells how much of the inlets' error at a long
step is the heat transport's and how much the flow's.  Every run starts from
rest, spins the air up for ``--spinup`` s, then runs the steady scenario to
``--until`` s; each rack's inlet temperature is read every second over the
last ``--window`` s.  The first run is the reference: the table gives, per
run, the wall time, the mean and largest difference of the racks' mean
inlets from the reference's (K), and the inlets' standard deviation over the
window (their swings, K), the mean over racks and the largest.  Nothing here
passes or fails.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hall_step import hall_arguments  # noqa: E402
from solvers.air.semi_lagrangian import SemiLagrangianTransport  # noqa: E402
from solvers.backend import select_backend  # noqa: E402
from twin.engine import COURANT_RANGE, EngineOptions, Simulation, air  # noqa: E402
from twin.files import load_layout  # noqa: E402


def parse_run(text: str) -> tuple[float | None, int]:
    """``"C"`` or ``"C:K"`` -> (Courant number, heat sub-steps); ``"flux"`` -> (None, 1)."""
    if text == "flux":
        return None, 1
    courant, _, substeps = text.partition(":")
    try:
        courant, substeps = float(courant), int(substeps or 1)
    except ValueError:
        courant = substeps = None
    low, high = COURANT_RANGE
    if courant is None or not low <= courant <= high or substeps < 1:
        raise argparse.ArgumentTypeError(f"run {text!r}: give C, C:K or flux (C from {low:g} "
                                         f"to {high:g}, K a whole number >= 1)")  # fmt: skip
    return courant, substeps


@contextlib.contextmanager
def flux_scheme(on: bool):
    """Within the block (if ``on``), the engine's halls use the explicit flux scheme."""
    build = air.build_hall_air
    if on:
        air.build_hall_air = functools.partial(build, advection="flux")
    try:
        yield
    finally:
        air.build_hall_air = build


@contextlib.contextmanager
def heat_in_substeps(substeps: int):
    """Within the block, semi-Lagrangian transport carries heat in ``substeps`` steps of
    ``dt / substeps`` and momentum in one (the air's spin-up included)."""

    def advance(transport, dt):
        s = transport.solver
        for i in range(substeps):
            transport.advect_heat(dt / substeps)
            if i < substeps - 1:
                s.T, s.T_stage = s.T_stage, s.T
        n = transport._substeps(dt)
        s.T_new, s.T_stage = transport._diffuse_heat(s.T_stage, s.T_new, dt, n)
        transport.trace(dt)
        transport.advect_momentum(dt, n)

    whole_step = SemiLagrangianTransport.advance
    if substeps > 1:
        SemiLagrangianTransport.advance = advance
    try:
        yield
    finally:
        SemiLagrangianTransport.advance = whole_step


def inlets(layout, courant: float | None, substeps: int, args) -> tuple[np.ndarray, float]:
    """Each second's rack inlets over the window (seconds x racks, degC), and the wall time."""
    start = time.perf_counter()
    options = EngineOptions(backend=args.backend, spin_up=args.spinup, courant=courant or 4.0,
                            air_spacing=args.spacing, pressure_rtol=args.pressure_rtol)  # fmt: skip
    if args.threads and args.backend == "numba":
        select_backend("numba").module("numba").set_num_threads(args.threads)
    rows = []
    with heat_in_substeps(substeps), flux_scheme(courant is None):
        sim = Simulation(layout, options=options)
        for t in np.arange(1.0, args.until + 0.5, 1.0):
            sim.run(t)
            if t > args.until - args.window:
                rows.append(np.array(sim.air.rack_inlet(), dtype=float))
    return np.array(rows), time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    hall_arguments(parser, spinup=60.0)
    parser.add_argument("--until", type=float, default=300.0, help="scenario time (s)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds compared")
    parser.add_argument("--runs", nargs="+", default=["1", "2", "4", "4:2", "8"],
                        help="C or C:K per run; the first is the reference")  # fmt: skip
    parser.add_argument("--save", type=Path, default=None,
                        help="folder for each run's inlets (.npy, seconds x racks)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        runs = [(text, *parse_run(text)) for text in args.runs]
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    layout = load_layout(args.layout)
    print(f"layout {args.layout}, spacing {args.spacing or layout.hall.grid:g} m, "
          f"backend {args.backend}, spin-up {args.spinup:g} s, inlets "
          f"over {args.until - args.window:g}-{args.until:g} s")  # fmt: skip
    print(f"{'run':>6s} {'wall s':>7s} {'mean |d| K':>11s} {'max |d| K':>10s} "
          f"{'swing mean K':>13s} {'swing max K':>12s}")  # fmt: skip
    reference = None
    for text, courant, substeps in runs:
        rows, wall = inlets(layout, courant, substeps, args)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            name = "flux" if courant is None else f"C{courant:g}_K{substeps}"
            np.save(args.save / f"inlets_{name}.npy", rows)
        mean = rows.mean(axis=0)
        reference = mean if reference is None else reference
        off, swing = np.abs(mean - reference), rows.std(axis=0)
        print(f"{text:>6s} {wall:7.0f} {off.mean():11.2f} {off.max():10.2f} "
              f"{swing.mean():13.3f} {swing.max():12.3f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
