"""Multigrid aggregates: a wall one cell thick costs CG no more iterations than one on the
coarse cells' boundaries, and the V-cycle stays what CG needs.

The reference for "as if the coarse levels saw the wall" is the same wall
moved by one cell to where every coarse level's cell boundaries run along it
(a face index that is a multiple of 16 or 32): the plain geometric hierarchy
represents that wall on every level.  Before the aggregates, a one-cell slab
one cell lower took 12-14 iterations instead of 3 to 1e-3, and three
partitions with doorways 11 instead of 3.
"""

import numpy as np
import pytest

from solvers.air.aggregates import _block_average, coarsen
from solvers.air.grid import GHOST, PERIODIC, Grid
from solvers.air.kernels_numba import NumbaKernels
from solvers.air.kernels_numpy import NumpyKernels, shifted
from solvers.air.multigrid import PoissonMG
from solvers.backend import select_backend

from .test_multigrid import _grid, assert_symmetric_positive


def _slab(index, periodic=False):
    """A 32 x 32 x 16 box with a floor slab one cell thick at z-index ``index`` and one
    1 x 1 m hole in it."""
    grid = Grid((32, 32, 16), (0.25,) * 3, {"x-": PERIODIC, "x+": PERIODIC} if periodic else {})
    grid.solid[index] = True
    grid.solid[index, 8:12, 8:12] = False
    return grid


def _partitions(columns):
    """A 64 x 64 x 32 box with walls one cell thick across x at ``columns``, each with a
    1 m doorway."""
    grid = Grid((64, 64, 32), (0.25,) * 3, {})
    for i in columns:
        grid.solid[:, :, i] = True
        grid.solid[:, 28:32, i] = False
    return grid


def _solver(grid, kernels=None, dtype=np.float32):
    n3 = (grid.nz, grid.ny, grid.nx)
    periodic = tuple(grid.periodic(a) for a in range(3))
    return PoissonMG(grid.face_masks(), n3, GHOST, grid.spacing, periodic,
                     kernels or NumpyKernels(), select_backend("numpy"), dtype)  # fmt: skip


def _rhs(grid, fine, seed, dtype=np.float32):
    """A random right-hand side with no constant part (A's null space), zero in solids."""
    fluid = ~grid.solid
    b = np.zeros(fine.x.shape, dtype=dtype)
    inner = shifted(b, fine.g, fine.n3)
    inner[...] = np.random.default_rng(seed).standard_normal(fine.n3) * fluid
    inner -= inner.sum() / fluid.sum() * fluid
    return b


def _iterations(grid):
    """CG's iterations from zero to 1e-3 and 1e-5 (float32)."""
    mg = _solver(grid)
    b = _rhs(grid, mg.levels[0], 0)
    out = []
    for rtol in (1e-3, 1e-5):
        mg.solve(np.zeros_like(b), b, rtol)
        out.append(mg.iterations)
    return out


@pytest.mark.parametrize(("hidden", "aligned", "periodic"),
                         [(6, 7, False), (9, 7, False), (6, 7, True)])  # fmt: skip
def test_a_slab_inside_coarse_cells(hidden, aligned, periodic):
    """Index 7's top face is a boundary of every coarse level; 6's bottom face is one on
    the first coarse level only, 9's top face on none."""
    assert _solver(_slab(hidden, periodic)).levels[1].moved is not None
    for got, reference in zip(_iterations(_slab(hidden, periodic)),
                              _iterations(_slab(aligned, periodic)), strict=True):  # fmt: skip
        assert got <= reference + 1


def test_partitions_inside_coarse_cells():
    """Walls at columns 15, 31, 47 end on boundaries of every coarse level (16, 32, 48)."""
    for got, reference in zip(_iterations(_partitions((14, 32, 49))),
                              _iterations(_partitions((15, 31, 47))), strict=True):  # fmt: skip
        assert got <= reference + 1


def test_the_cells_of_a_slab_join_the_side_they_open_to():
    """The slab at fine index 6 is the bottom of the first coarse level's layer 3; on the
    second level, layer 3 and layer 2 (below the slab) share blocks.  Each block keeps
    the layer below (the first part in cell order, of two of four cells); layer 3's
    cells join the block above, except in the one block of the hole, where the two
    layers are connected.  (A part beside that block may join it sideways instead: it
    opens into that block's cells of layer 3.)"""
    mg = _solver(_slab(6))
    assert mg.levels[0].moved is None
    first, second = mg.levels[1], mg.levels[2]
    moved = first.moved
    ny, nx = first.x.shape[1:]
    k = moved.cells // (ny * nx) - first.g
    assert set(k.tolist()) == {3}
    assert len(moved.cells) == 16 * 16 - 4  # the layer, less its four cells in that block
    row, plane = second.x.shape[2], second.x.shape[1] * second.x.shape[2]
    hole_block = (1 + second.g) * plane + (2 + second.g) * row + 2 + second.g
    up = moved.owner == moved.own + plane
    assert up.sum() >= len(up) - 4 * 4
    assert set((moved.owner[~up] - moved.own[~up]).tolist()) <= {1, -1, row, -row}
    assert set(moved.owner[~up].tolist()) <= {hole_block}


def test_levels_without_thin_walls_are_the_plain_average():
    """Where every block's cells are connected nothing moves, and the coarse faces are
    the plain average of the fine ones, bit for bit (odd sizes, a periodic axis and
    an obstacle)."""
    grid = _grid()
    mg = _solver(grid, dtype=np.float64)
    for fine, coarse in zip(mg.levels[:-1], mg.levels[1:], strict=True):
        assert fine.moved is None
        coef = [np.asarray(c, dtype=np.float64) for c in fine.coef]
        got, moved = coarsen(coef, fine.n3, fine.g, fine.factor, coarse.n3, fine.periodic)
        assert moved is None
        for a, b in zip(got, _block_average(coef, fine.n3, fine.g, fine.factor, coarse.n3),
                        strict=True):  # fmt: skip
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("periodic", [False, True])
def test_vcycle_with_moved_cells_is_symmetric_positive(periodic):
    grid = _slab(9, periodic)
    mg = _solver(grid, dtype=np.float64)
    assert any(lev.moved is not None for lev in mg.levels)
    assert_symmetric_positive(mg, grid)


@pytest.mark.parametrize("periodic", [False, True])
def test_numba_vcycle_with_moved_cells_equals_the_reference(periodic):
    grid = _slab(9, periodic)
    ref, fast = _solver(grid), _solver(grid, NumbaKernels())
    b = _rhs(grid, ref.levels[0], 3)
    z_ref, z_fast = np.zeros_like(b), np.zeros_like(b)
    ref._precondition(b, z_ref)
    fast._precondition(b, z_fast)
    scale = float(np.abs(z_ref).max())
    np.testing.assert_allclose(z_fast, z_ref, rtol=0, atol=2e-5 * scale)


def test_a_level_whose_walls_the_next_would_lose_is_the_coarsest():
    """A 24 x 24 x 12 box coarsens to 12 x 12 x 6 (864 cells) and then 6 x 6 x 3.  With a
    slab at z-index 6, the last step would move 140 of its cells (the slab runs
    through its blocks), so the 864-cell level is solved directly instead; at index
    7 the slab lies on that step's block boundaries and the hierarchy keeps its
    third level."""
    def levels(index):
        grid = Grid((24, 24, 12), (0.25,) * 3, {})
        grid.solid[index] = True
        grid.solid[index, 4:8, 4:8] = False
        return [lev.n3 for lev in _solver(grid).levels]

    assert levels(6) == [(12, 24, 24), (6, 12, 12)]
    assert levels(7) == [(12, 24, 24), (6, 12, 12), (3, 6, 6)]
