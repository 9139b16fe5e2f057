"""Air-solver benchmark: time per step and its parts, against this machine's memory bandwidth.

Usage::

    python bench/air.py [--backend auto|numpy|numba|cupy] [--sizes 0.5M,4M,16M,hall]
                        [--steps 20] [--float64] [--threads N]
                        [--advection flux|semi-lagrangian] [--cfl C] [--spinup S]

For each grid: a hall-like room (0.25 m cells, rows of 20 kW racks as flow
patches, air units at a 20 °C setpoint, Smagorinsky viscosity, buoyancy) is
stepped; printed are ms per step and its parts (transport, pressure, other),
cell-steps per second, simulated seconds per wall second, the pressure
solve's share, and the step in single-sweep equivalents (step time / one
7-point stencil sweep of the same backend).  Each solver kernel's effective
bandwidth (minimum bytes it must move / its time) is compared with a
STREAM-style copy and triad measured in the same run.  ``hall`` is the 10 MW
example hall's grid (28 × 22 × 5.5 m at 0.25 m: 112 × 88 × 22 cells), and
``hall-0.1m`` the same room at 0.1 m (280 × 220 × 55 cells).

A py-pde peer column (the same heat step in py-pde) is printed only when
py-pde is installed.  Nothing here passes or fails on a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.air_kernels import kernel_table, stencil_sweep, stream  # noqa: E402
from solvers.air import AirProperties, AirSolver, Grid, Opening  # noqa: E402
from solvers.backend import select_backend  # noqa: E402

SIZES = {"0.5M": (128, 128, 32), "4M": (256, 256, 64), "16M": (512, 512, 64), "hall": (112, 88, 22),
         "hall-0.1m": (280, 220, 55)}
#: Cell size (m) of the named grids that are not at the default 0.25 m.
SPACING = {"hall-0.1m": 0.1}


def hall_problem(shape, backend, dtype, spacing=0.25, advection="flux", cfl=0.9):
    """A room of ``shape`` cells: rows of 20 kW racks and air units along both x-walls.

    Racks (0.5 × 1.0 × 2.0 m, 1.4 m³/s, inlet y-, outlet y+) stand 1 m apart
    in rows 4 m apart; each x-wall holds air units 1.5 m deep in 6 m
    segments that draw air in at the top and supply it at 20 °C into the
    room, 1.2 times the racks' flow in all.
    """
    nx, ny, nz = shape
    size = (nx * spacing, ny * spacing, nz * spacing)
    grid = Grid(shape, (spacing,) * 3)
    props = AirProperties(turbulence="smagorinsky", t_ref=24.0)
    height = min(2.0, size[2] - 2 * spacing)
    racks, units = [], []
    for y in np.arange(2.0, size[1] - 2.0, 4.0):
        for x in np.arange(3.0, size[0] - 3.5, 1.0):
            racks.append(((x, y, 0.0), (x + 0.5, y + 1.0, height)))
    for y in np.arange(0.0, size[1] - 5.9, 6.0):
        units.append((((0.0, y, 0.0), (1.5, y + 6.0, height)), "x+"))
        units.append((((size[0] - 1.5, y, 0.0), (size[0], y + 6.0, height)), "x-"))
    for box in racks + [u[0] for u in units]:
        grid.add_obstacle(*box)
    solver = AirSolver(
        grid, props, backend, dtype=dtype, profile=True, advection=advection, cfl=cfl
    )
    for i, box in enumerate(racks):
        solver.add_patch(f"R{i}", Opening(*box, "y-"), Opening(*box, "y+"))
        solver.set_patch(f"R{i}", 1.4, heat=20e3)
    total = 1.4 * len(racks)
    for i, (box, side) in enumerate(units):
        solver.add_patch(f"U{i}", Opening(*box, "z+"), Opening(*box, side))
        solver.set_patch(f"U{i}", 1.2 * total / len(units), setpoint=20.0, capacity=1e7)
    solver.set_temperature(24.0)
    return solver, len(racks), len(units)


def time_steps(solver, steps, spinup=0.0):
    """Run ``steps`` steps after a warm-up; returns (seconds per step, mean dt, parts per step).

    The warm-up is 3 steps, then ``spinup`` simulated seconds, so that the
    step length reflects developed room flow rather than the start from rest.
    """
    for _ in range(3):
        solver.step()
    solver.advance_to(solver.time + spinup)
    for key in solver.timings:
        solver.timings[key] = 0.0
    t0, start = solver.time, time.perf_counter()
    for _ in range(steps):
        solver.step()
    solver.backend.synchronize()
    wall = (time.perf_counter() - start) / steps
    parts = {key: value / steps for key, value in solver.timings.items()}
    return wall, (solver.time - t0) / steps, parts


def pde_peer(shape, steps=40):
    """ms per explicit heat step in py-pde on the same grid, or None when py-pde is absent.

    py-pde's own stepper, built and compiled once, then timed over ``steps``
    steps (best of three).  Timing ``solve`` calls instead counts the
    stepper's building and compiling, about 4 s a call, whose jitter alone
    is larger than 40 steps on the hall's grid.
    """
    try:
        import pde
    except ImportError:
        return None
    grid = pde.CartesianGrid([[0, n] for n in shape], list(shape))
    state = pde.ScalarField.random_uniform(grid)
    eq = pde.DiffusionPDE(diffusivity=0.1)
    euler = getattr(pde.solvers, "EulerSolver", None)
    solver = (euler(eq, adaptive=False) if euler is not None
              else pde.solvers.ExplicitSolver(eq, scheme="euler", adaptive=False))  # fmt: skip
    dt = 0.1
    stepper = solver.make_stepper(state, dt=dt)
    stepper(state, 0.0, dt)  # compiles
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        stepper(state, 0.0, steps * dt)
        best = min(best, time.perf_counter() - start)
    return best / steps * 1e3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--sizes", default="0.5M,4M,16M", help="names or NXxNYxNZ, comma-separated")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--float64", action="store_true", help="double precision (default float32)")
    parser.add_argument("--threads", type=int, default=None, help="numba threads")
    parser.add_argument("--advection", default="flux", choices=("flux", "semi-lagrangian"))
    parser.add_argument("--cfl", type=float, default=None,
                        help="step fraction (flux, default 0.9) or Courant number "
                        "(semi-lagrangian, default 4)")  # fmt: skip
    parser.add_argument("--spinup", type=float, default=0.0,
                        help="simulated seconds run before timing (s)")  # fmt: skip
    args = parser.parse_args(argv)
    cfl = args.cfl or (0.9 if args.advection == "flux" else 4.0)
    backend = select_backend(args.backend)
    if args.threads and backend.name == "numba":
        backend.module("numba").set_num_threads(args.threads)
    dtype = np.float64 if args.float64 else np.float32
    threads = backend.module("numba").get_num_threads() if backend.name == "numba" else None
    suffix = f", {threads} threads" if threads else ""
    print(f"backend {backend.name} on {backend.device}{suffix}")
    print(f"dtype {np.dtype(dtype).name}; {backend.reason}")
    print(f"advection {args.advection}, cfl {cfl:g}, spin-up {args.spinup:g} s")
    bw = stream(backend, dtype)
    print(f"STREAM-style bandwidth: copy {bw['copy']:.1f} GB/s, triad {bw['triad']:.1f} GB/s")
    for name in args.sizes.split(","):
        shape = SIZES.get(name) or tuple(int(v) for v in name.lower().split("x"))
        cells = int(np.prod(shape))
        solver, n_racks, n_units = hall_problem(shape, backend, dtype, SPACING.get(name, 0.25),
                                                args.advection, cfl)  # fmt: skip
        wall, dt, parts = time_steps(solver, args.steps, args.spinup)
        if solver.status != "ok":
            print(f"\n== {name}: the run stopped ({solver.status}): {solver.message}")
            continue
        sweep = stencil_sweep(backend, shape, dtype)
        print(f"\n== {name}: {shape[0]}x{shape[1]}x{shape[2]} = {cells / 1e6:.2f} M cells, "
              f"{n_racks} racks, {n_units} air units, {args.steps} steps")
        print(f"  step {wall * 1e3:9.2f} ms  (transport {parts['transport'] * 1e3:.2f}, "
              f"pressure {parts['pressure'] * 1e3:.2f} [{solver.pressure_iterations} CG it], "
              f"other {parts['other'] * 1e3:.2f})")
        print(f"  pressure share {parts['pressure'] / max(sum(parts.values()), 1e-30):6.1%}; "
              f"{cells / wall / 1e6:8.1f} M cell-steps/s; dt {dt * 1e3:.1f} ms -> "
              f"{dt / wall:6.2f} x real time")
        print(f"  7-point sweep {sweep * 1e3:.3f} ms -> step = {wall / sweep:6.1f} sweep "
              "equivalents")
        if backend.is_gpu:
            print(f"  {solver.kernels.graph_note}")
        print("  kernel                time(ms)   GB/s   % of triad")
        for row in kernel_table(solver):
            print(f"  {row[0]:20s} {row[1] * 1e3:9.3f} {row[2]:7.1f} {row[2] / bw['triad']:9.1%}")
        peer = pde_peer(shape) if backend.name != "cupy" else None
        if peer is None:
            print("  py-pde peer: skipped (py-pde is not installed)" if backend.name != "cupy"
                  else "  py-pde peer: CPU only")
        else:
            print(f"  py-pde heat step {peer:.1f} ms (this solver's full step {wall * 1e3:.1f} ms)")
        del solver


if __name__ == "__main__":
    main()
