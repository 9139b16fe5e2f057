"""Where a real hall's air step goes: every kernel's time per step, through the engine.

Usage::

    python bench/hall_step.py [--layout layouts/hall-10mw.json] [--backend numba]
                              [--threads N] [--spinup 20] [--seconds 20] [--courant 4]
                              [--spacing 0.25] [--sweeps 2] [--pressure-rtol R]

``bench/air.py`` times a stand-in room; this runs the example hall itself
through :class:`twin.engine.Simulation` (coolant loops, controls and the
room's patches included, no recording), so its ``dt`` is the one the hall's
own flow allows.  After the engine's spin-up it runs ``--seconds`` of the
scenario and prints: simulated seconds per wall second (over the whole run,
and the median and spread of its one-second windows), air steps and their
``dt``, CG iterations, the energy fixer's correction against the patches'
booked heat (K per fluid cell and step), and for each kernel and each Python-level part of the
step its milliseconds per air step and calls per step (wall time, measured
around each call; the parts overlap where one calls another, so they do not
add up to the step).  On the GPU a call's time is the host's: launching its
kernels, and waiting where it reads a result back (a maximum, a dot
product), which is when the GPU's queued work drains into it.  Nothing here
passes or fails on a time.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import solvers.air.multigrid as multigrid  # noqa: E402
from twin.engine import EngineOptions, Simulation  # noqa: E402
from twin.files import load_layout  # noqa: E402

#: Kernel methods timed on the solver's kernel sets.
SOLVER_KERNELS = ("smagorinsky", "max_abs", "divergence", "project", "extrapolate")
TRANSPORT_KERNELS = ("sl_trace", "sl_scalar", "sl_velocities", "diffuse_scalar",
                     "diffuse_velocity", "fluid_sums", "shift_back")  # fmt: skip
#: Ghost fills of the solver's :class:`solvers.air.boundary.Ghosts`.
FILLS = ("velocity", "temperature", "cell_even")


class Stopwatch:
    """Wraps callables so that each call adds its wall time and a count under a label."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)

    def wrap(self, owner, name, label=None):
        fn, label = getattr(owner, name), label or name

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1

        setattr(owner, name, timed)


def hall_arguments(parser: argparse.ArgumentParser, spinup: float) -> None:
    """Add the options every benchmark of a hall through the engine takes: the layout,
    backend, numba threads, air spin-up (default ``spinup`` s), cell size and pressure
    tolerance."""
    parser.add_argument("--layout", default="layouts/hall-10mw.json")
    parser.add_argument("--backend", default="numba")
    parser.add_argument("--threads", type=int, default=None, help="numba threads")
    parser.add_argument("--spinup", type=float, default=spinup, help="air spin-up (s)")
    parser.add_argument("--spacing", type=float, default=None,
                        help="air cell size (m); default: the layout's")  # fmt: skip
    parser.add_argument("--pressure-rtol", type=float, default=None,
                        help="pressure solve tolerance; default the engine's")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    hall_arguments(parser, spinup=20.0)
    parser.add_argument("--seconds", type=float, default=20.0, help="simulated time (s)")
    parser.add_argument("--courant", type=float, default=4.0, help="air Courant number")
    parser.add_argument("--sweeps", type=int, default=multigrid.SWEEPS,
                        help="red-black sweeps per multigrid level and direction")  # fmt: skip
    args = parser.parse_args(argv)
    multigrid.SWEEPS = args.sweeps

    options = EngineOptions(backend=args.backend, spin_up=args.spinup, courant=args.courant,
                            air_spacing=args.spacing, pressure_rtol=args.pressure_rtol)  # fmt: skip
    sim = Simulation(load_layout(args.layout), options=options)
    solver = sim.air.solver
    backend = solver.backend
    if args.threads and backend.name == "numba":
        backend.module("numba").set_num_threads(args.threads)
    watch = Stopwatch()
    for name in SOLVER_KERNELS:
        watch.wrap(solver.kernels, name)
    transport = solver.transport
    if solver.advection == "semi-lagrangian":
        for name in TRANSPORT_KERNELS:
            watch.wrap(transport.kernels, name)
        watch.wrap(transport.kernels, "fix_energy", "energy fix-up (all)")
    for name in FILLS:
        watch.wrap(solver.ghosts, name, f"ghosts: {name}")
    watch.wrap(solver.poisson, "solve", "pressure solve (all)")
    watch.wrap(solver.patches, "exchange", "patch exchange")
    dts, iterations, fixes = [], [], []
    step = solver.step

    def recorded_step(*args, **kwargs):
        start = time.perf_counter()
        dt = step(*args, **kwargs)
        watch.seconds["air step (all)"] += time.perf_counter() - start
        dts.append(dt)
        iterations.append(solver.poisson.iterations)
        if transport is not None:
            # device scalars on a GPU: read back after the timed run, not in it
            fixes.append((transport.correction, transport.booked))
        return dt

    solver.step = recorded_step
    # one-second windows: a process's speed on a shared VM varies by 5-10 %
    # from one run to the next but little within one, so the windows' median
    # says how fast this run was and the spread whether the machine was quiet
    windows, ends = [], [*np.arange(1.0, args.seconds, 1.0), args.seconds]
    start = time.perf_counter()
    for end in ends:
        begun = time.perf_counter()
        sim.run(end)
        backend.synchronize()
        windows.append(time.perf_counter() - begun)
    wall = time.perf_counter() - start
    steps = len(dts)
    threads = backend.module("numba").get_num_threads() if backend.name == "numba" else None
    print(f"layout {args.layout}, grid {' x '.join(map(str, solver.n3[::-1]))}, backend "
          f"{backend.name}{f', {threads} threads' if threads else ''}, Courant {args.courant:g}, "
          f"{args.sweeps} sweeps, pressure rtol {solver.pressure_rtol:g}")  # fmt: skip
    print(f"{args.seconds:g} s simulated in {wall:.2f} s: {args.seconds / wall:.2f}x real time; "
          f"{steps} air steps, {1e3 * wall / steps:.2f} ms each with the engine")  # fmt: skip
    rates = np.diff([0.0, *ends]) / np.array(windows)
    print(f"one-second windows: {np.median(rates):.2f}x real time (median), "
          f"{np.percentile(rates, 10):.2f}-{np.percentile(rates, 90):.2f}x (10-90 %)")  # fmt: skip
    dt = np.array(dts)
    print(f"dt mean {dt.mean():.4f} s, median {np.median(dt):.4f}, min {dt.min():.4f}; "
          f"CG iterations mean {np.mean(iterations):.2f}, max {max(iterations)}")  # fmt: skip
    if fixes:
        fix, booked = np.mean([[float(a), float(b)] for a, b in fixes], axis=0)
        print(f"energy fixer: {1e3 * fix:.2f} mK a fluid cell a step, the patches' booked heat "
              f"{1e3 * booked:.2f} mK")  # fmt: skip
    print(f"{'part':34s} {'ms/step':>8s} {'calls/step':>11s}")
    for label in sorted(watch.seconds, key=watch.seconds.get, reverse=True):
        per_step = 1e3 * watch.seconds[label] / steps
        calls = watch.calls[label] / steps if label in watch.calls else 1.0
        print(f"{label:34s} {per_step:8.3f} {calls:11.2f}")


if __name__ == "__main__":
    main()
