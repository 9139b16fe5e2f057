"""Thin walls against the pressure solve, and what hot-aisle containment does to a hall.

Usage::

    python bench/thin_walls.py [--backend numba] [--spacing 0.25] [--coupled SECONDS]

The pressure solve's V-cycle coarsens 2x on each axis.  A wall one cell
thick lies on a coarse level's cell boundaries only for some positions;
elsewhere it runs through coarse cells, and with plain blocks as coarse
cells the coarse levels saw its two sides as one and CG needed several times
the iterations.  The coarse cells are now aggregates that never join the
sides of a wall (``solvers/air/aggregates.py``).  This prints CG's
iterations from zero to 1e-3 and 1e-5 of the right-hand side (random, zero
sum, float32) on:

- a 64 x 64 x 32 box: open; with a one-cell floor slab at fine index 15
  (its top face on every level's boundary) and at index 14 (hidden from the
  second level on), each with two small holes; with three one-cell
  partitions with doorways;
- the 10 MW example hall's grid (``--spacing``) as laid out, and with
  hot-aisle containment added as solid panels (:func:`containment_panels`).

The layout format has no panels, so they are added to the air grid here.
``--coupled SECONDS`` also runs the hall through the engine for that long,
with and without the panels, and prints the racks' inlet temperatures over
the last minute and the CG iterations per air step.  Prints figures; passes
or fails nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import twin.engine.air as hall_air  # noqa: E402
from solvers.air.grid import GHOST, Grid  # noqa: E402
from solvers.air.multigrid import PoissonMG  # noqa: E402
from solvers.air.solver import make_kernels  # noqa: E402
from solvers.backend import select_backend  # noqa: E402
from twin.engine import EngineOptions, Simulation, default_scenario  # noqa: E402
from twin.files import load_layout  # noqa: E402

HALL = Path(__file__).resolve().parent.parent / "layouts" / "hall-10mw.json"
#: The hall's hot aisles (y from, to; m) between its rows, which run from x = 8.0 to 15.2 m.
HOT_AISLES = ((4.2, 5.4), (10.8, 12.0), (17.4, 18.6))
ROWS_X = (8.0, 15.2)
#: Top of the racks and underside of the drop ceiling (m).
RACK_TOP, CEILING = 2.3, 3.5
#: The gaps behind the four fan walls (x from, to, y from, to; m): their air returns there.
FAN_WALL_RETURNS = ((0.0, 0.5, 2.0, 10.0), (0.0, 0.5, 12.0, 20.0),
                    (27.5, 28.0, 2.0, 10.0), (27.5, 28.0, 12.0, 20.0))  # fmt: skip


def containment_panels(cell: float) -> list[tuple[tuple, tuple]]:
    """Hot-aisle containment of the 10 MW hall as solid boxes ``(lo, hi)`` (m), one cell thick.

    Each hot aisle gets doors at both ends and walls from the racks' tops up
    to a drop ceiling; the ceiling covers the hall except over the hot aisles
    (their chimneys) and over the gaps behind the fan walls, so that the
    racks' exhaust reaches the fan walls through the plenum above it.
    """
    x0, x1 = ROWS_X
    boxes = []
    for y0, y1 in HOT_AISLES:
        boxes += [((x0 - cell, y0, 0.0), (x0, y1, CEILING)),  # doors
                  ((x1, y0, 0.0), (x1 + cell, y1, CEILING)),
                  ((x0, y0 - cell, RACK_TOP), (x1, y0, CEILING)),  # walls above the racks
                  ((x0, y1, RACK_TOP), (x1, y1 + cell, CEILING))]  # fmt: skip
    holes = [(x0, x1, y0, y1) for y0, y1 in HOT_AISLES] + list(FAN_WALL_RETURNS)
    width, depth = 28.0, 22.0
    nx, ny = round(width / cell), round(depth / cell)
    for j in range(ny):  # the ceiling, row by row, as runs of cells outside the holes
        y = (j + 0.5) * cell
        covered = [not any(a <= (i + 0.5) * cell <= b and c <= y <= d for a, b, c, d in holes)
                   for i in range(nx)] + [False]  # fmt: skip
        start = None
        for i, solid in enumerate(covered):
            if solid and start is None:
                start = i
            elif not solid and start is not None:
                boxes.append(((start * cell, j * cell, CEILING),
                              (i * cell, (j + 1) * cell, CEILING + cell)))
                start = None
    return boxes


def box_grids() -> dict[str, Grid]:
    """The 64 x 64 x 32 test boxes (0.25 m cells)."""
    grids = {}
    for name, slab in (("open", None), ("slab at index 15", 3.75), ("slab at index 14", 3.5),
                       ("three partitions", None)):  # fmt: skip
        grid = Grid.from_box((16.0, 16.0, 8.0), 0.25)
        if slab is not None:  # a floor slab with two holes of 1 x 1 m and 1 x 0.25 m
            for lo, hi in (((0, 0), (3, 16)), ((4, 0), (16, 16)), ((3, 0), (4, 6)),
                           ((3, 7), (4, 16))):  # fmt: skip
                grid.add_obstacle((*lo, slab), (*hi, slab + 0.25))
        if name == "three partitions":  # walls across x, each with a 1 m doorway
            for x in (3.75, 8.0, 12.25):
                grid.add_obstacle((x, 0, 0), (x + 0.25, 7, 8))
                grid.add_obstacle((x, 8, 0), (x + 0.25, 16, 8))
        grids[name] = grid
    return grids


def hall_grid(contained: bool, spacing: float = 0.25) -> Grid:
    """The 10 MW hall's air grid with its equipment, and the panels if ``contained``."""
    layout = load_layout(HALL)
    grid = Grid.from_box((layout.hall.width, layout.hall.depth, layout.hall.height), spacing)
    for box in (*layout.racks, *layout.cdus, *layout.air_units):
        grid.add_obstacle(*hall_air.box_corners(box))
    for lo, hi in containment_panels(spacing) if contained else ():
        grid.add_obstacle(lo, hi)
    return grid


def iterations(grid: Grid, backend, rtols=(1e-3, 1e-5), seed=0) -> list[int]:
    """CG iterations from zero to each relative tolerance on a random zero-sum right-hand side."""
    kernels = make_kernels(backend)
    n3 = (grid.nz, grid.ny, grid.nx)
    periodic = tuple(grid.periodic(a) for a in range(3))
    poisson = PoissonMG(grid.face_masks(), n3, GHOST, grid.spacing, periodic, kernels, backend,
                        np.float32)  # fmt: skip
    inside = (slice(GHOST, -GHOST),) * 3
    fluid = grid.fluid_mask()[inside].astype(bool)
    rhs = np.random.default_rng(seed).standard_normal(n3) * fluid
    rhs[fluid] -= rhs[fluid].mean()
    b = backend.to_device(np.pad(rhs, GHOST), np.float32)
    out = []
    for rtol in rtols:
        p = backend.xp.zeros_like(b)
        poisson.solve(p, b, rtol)
        out.append(poisson.iterations)
    return out


@contextlib.contextmanager
def panels_in_engine():
    """While open, the engine's hall air grids get :func:`containment_panels`."""
    plain = Grid.from_box

    def with_panels(size, spacing, boundaries=None):
        grid = plain(size, spacing, boundaries)
        for lo, hi in containment_panels(spacing):
            grid.add_obstacle(lo, hi)
        return grid

    hall_air.Grid.from_box = with_panels
    try:
        yield
    finally:
        hall_air.Grid.from_box = plain


def coupled(seconds: float, backend: str, contained: bool) -> None:
    """Run the hall through the engine and print its inlets and the CG iterations a step."""
    layout = load_layout(HALL)
    with panels_in_engine() if contained else contextlib.nullcontext():
        sim = Simulation(layout, default_scenario(seconds), EngineOptions(backend=backend))
    solver, counts = sim.air.solver, []
    step = solver.step

    def counted(*args, **kwargs):
        result = step(*args, **kwargs)
        counts.append(solver.poisson.iterations)
        return result

    solver.step = counted
    started, inlets = time.perf_counter(), []
    for _ in sim.iter_run():
        if sim.time > seconds - 60:
            inlets.append(sim.last["rack_inlet_temperature"])
    wall = time.perf_counter() - started
    inlets, ids = np.array(inlets), [r.id for r in layout.racks]
    print(f"hall {'with' if contained else 'without'} containment: {seconds:g} s in {wall:.0f} s "
          f"wall, {len(counts)} air steps, CG iterations a step {np.mean(counts):.2f} "
          f"(max {max(counts)})")  # fmt: skip
    for row in sorted({i[0] for i in ids}):
        part = inlets[:, [n for n, i in enumerate(ids) if i[0] == row]]
        print(f"  row {row}: inlets over the last minute mean {part.mean():.1f}, "
              f"max {part.max():.1f} degC")  # fmt: skip


def main() -> None:
    """Print the iteration counts (and, with ``--coupled``, the hall runs)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="numba")
    parser.add_argument("--spacing", type=float, default=0.25,
                        help="the hall's grid spacing (m; default its own 0.25)")
    parser.add_argument("--coupled", type=float, metavar="SECONDS",
                        help="also run the hall through the engine this long, both ways")
    args = parser.parse_args()
    backend = select_backend(args.backend)
    print(f"CG iterations from zero to 1e-3 and 1e-5 ({backend.name}, float32)")
    grids = {**box_grids(), "10 MW hall": hall_grid(False, args.spacing),
             "10 MW hall, contained": hall_grid(True, args.spacing)}
    for name, grid in grids.items():
        shape = f"{grid.nx} x {grid.ny} x {grid.nz}"
        print(f"  {name:24s} {shape:14s} {' / '.join(map(str, iterations(grid, backend)))}")
    if args.coupled:
        for contained in (False, True):
            coupled(args.coupled, args.backend, contained)


if __name__ == "__main__":
    main()
