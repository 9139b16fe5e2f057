"""numba agrees with the NumPy reference on every kernel and on whole steps.

Random fields on a small 3-D grid with an obstacle, in float64 and float32;
float32 tolerances are a few units of its rounding (1e-5 relative).
"""

import numpy as np
import pytest

from solvers.air.grid import GHOST, PERIODIC, Grid, Wall
from solvers.air.kernels_numba import NumbaKernels
from solvers.air.kernels_numpy import NumpyKernels
from solvers.air.multigrid import PoissonMG
from solvers.backend import select_backend

from .helpers import closed_room

TOL = {np.float64: 1e-12, np.float32: 2e-5}
SHAPE = (12, 10, 8)
N3 = (SHAPE[2], SHAPE[1], SHAPE[0])
H = (0.1, 0.12, 0.15)


def _fields(dtype, seed=0):
    rng = np.random.default_rng(seed)
    grid = Grid(SHAPE, H, {"x-": PERIODIC, "x+": PERIODIC, "y+": Wall("noslip", (1.0, 0.0))})
    grid.add_obstacle((0.3, 0.3, 0.3), (0.6, 0.6, 0.6))
    shape = grid.padded
    vel = [rng.standard_normal(shape).astype(dtype) for _ in range(3)]
    T = (20 + rng.standard_normal(shape)).astype(dtype)
    nut = (1e-3 * rng.random(shape)).astype(dtype)
    return grid, vel, T, nut


def _close(a, b, dtype):
    scale = max(1.0, float(np.abs(b).max()))
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL[dtype] * scale)


@pytest.fixture(scope="module")
def pair():
    return NumpyKernels(), NumbaKernels()


def _layer(a):
    """The first z layer of a padded 3-D field with its ghosts: a 2-D grid's field."""
    return np.ascontiguousarray(a[: 1 + 2 * GHOST])


def _flux_fields(dtype, flat, seed=0):
    """Fields of :func:`_fields` and the grid's masks, on its first z layer if ``flat``."""
    grid, vel, T, nut = _fields(dtype, seed)
    fluid, masks = grid.fluid_mask(), grid.face_masks()
    if not flat:
        return N3, vel, T, nut, fluid, masks
    layer = lambda arrays: [_layer(a) for a in arrays]  # noqa: E731
    return (1, *N3[1:]), layer(vel), _layer(T), _layer(nut), _layer(fluid), layer(masks)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_nut", [False, True])
@pytest.mark.parametrize("flat", [False, True], ids=["3-D", "2-D"])
def test_scalar_update(pair, dtype, with_nut, flat):
    """numba goes an axis a row at a time, each face's flux once per side; on a 2-D grid
    it skips z, as the reference does."""
    n3, vel, T, nut, fluid, _ = _flux_fields(dtype, flat)
    outs = []
    for k in pair:
        out = np.zeros_like(T)
        k.scalar_update(
            T, vel, 2e-3, nut if with_nut else None, 1 / 0.85, fluid, H, 0.01, GHOST, n3, out
        )
        outs.append(out)
    _close(outs[1], outs[0], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_nut", [False, True])
@pytest.mark.parametrize(
    "c, flat", [(0, False), (1, False), (2, False), (0, True), (1, True)],
    ids=["u-3-D", "v-3-D", "w-3-D", "u-2-D", "v-2-D"],
)  # a 2-D grid has no w to solve
def test_momentum_update(pair, dtype, c, with_nut, flat):
    n3, vel, T, nut, _, masks = _flux_fields(dtype, flat, seed=c)
    outs = []
    for k in pair:
        out = np.zeros_like(T)
        k.momentum_update(c, vel, T, 1.5e-3, nut if with_nut else None, masks[c], H, 0.01, 0.03,
                          20.0, GHOST, n3, out)  # fmt: skip
        outs.append(out)
    _close(outs[1], outs[0], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_smagorinsky_divergence_project_reductions_extrapolation(pair, dtype):
    grid, vel, T, _ = _fields(dtype)
    fluid = grid.fluid_mask()
    masks = grid.face_masks()
    results = []
    for k in pair:
        nut = np.zeros_like(T)
        k.smagorinsky(vel, 0.02, GHOST, N3, H, nut)
        div = np.zeros_like(T)
        k.divergence(vel, H, -3.0, fluid, GHOST, N3, div)
        moved = [v.copy() for v in vel]
        for c in range(3):
            k.project(c, moved[c], T, masks[c], H, 0.1, GHOST, N3)
        avg = T.copy()
        k.average(vel[0], avg, GHOST, N3)
        guess, last = T.copy(), vel[1].copy()
        k.extrapolate(guess, last, 0.7)
        results.append([nut, div, *moved, avg, guess, last,
                        np.array([k.max_abs(T, GHOST, N3, 20.0)])])  # fmt: skip
    for a, b in zip(results[1], results[0], strict=True):
        _close(a, b, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_abs_sees_sign_infinity_and_nan(pair, dtype):
    """The largest magnitude may be negative; infinity and NaN must come through."""
    _, _, T, _ = _fields(dtype)
    T[4, 5, 6] = -1e3
    T[0, 0, 0] = 1e6  # a ghost cell: not looked at
    for k in pair:
        assert k.max_abs(T, GHOST, N3, 20.0) == pytest.approx(1020.0, rel=1e-7)
    T[4, 5, 6] = -np.inf
    for k in pair:
        assert k.max_abs(T, GHOST, N3) == np.inf
    T[3, 5, 6] = np.nan
    for k in pair:
        assert np.isnan(k.max_abs(T, GHOST, N3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_multigrid_primitives_and_solve(dtype):
    grid, _, _, _ = _fields(dtype)
    periodic = tuple(grid.periodic(a) for a in range(3))
    backend = select_backend("numpy")
    solvers = [
        PoissonMG(grid.face_masks(), N3, GHOST, grid.spacing, periodic, k, backend, dtype)
        for k in (NumpyKernels(), NumbaKernels())
    ]
    rng = np.random.default_rng(3)
    b = np.zeros(grid.padded, dtype=dtype)
    inner = b[GHOST:-GHOST, GHOST:-GHOST, GHOST:-GHOST]
    inner[...] = rng.standard_normal(N3) * ~grid.solid
    inner -= inner.sum() / (~grid.solid).sum() * ~grid.solid
    # one V-cycle from the same residual gives the same correction on both
    corrections = []
    for mg in solvers:
        z = np.zeros_like(b)
        mg._precondition(b, z)
        corrections.append(z)
    _close(corrections[1], corrections[0], dtype)
    # and the full solve reaches the same pressure
    pressures = []
    for mg in solvers:
        p = np.zeros_like(b)
        mg.solve(p, b, rtol=1e-10 if dtype == np.float64 else 1e-5)
        pressures.append(p - p[GHOST:-GHOST, GHOST:-GHOST, GHOST:-GHOST].mean())
    _close(pressures[1], pressures[0], dtype if dtype == np.float64 else np.float32)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_whole_steps_agree(dtype):
    """Ten full steps of a closed room with a rack, an air unit and Smagorinsky viscosity."""
    states = []
    for name in ("numpy", "numba"):
        solver = closed_room(select_backend(name), dtype=dtype)
        for _ in range(10):
            solver.step()
        states.append((solver.temperature(), *solver.velocity_faces(), solver.time))
    for a, b in zip(states[1], states[0], strict=True):
        scale = max(1.0, float(np.nanmax(np.abs(b))))
        tol = 1e-10 if dtype == np.float64 else 1e-4
        np.testing.assert_allclose(a, b, rtol=0, atol=tol * scale)


def test_coarse_pseudo_inverse_drops_the_null_space():
    """A closed room's coarse operator is singular (constant pressure); its inverse must skip that.

    NumPy 2.5's ``pinv`` default kept the round-off eigenvalue and returned
    entries of 1e11: the projection failed.  A 16 × 16 Neumann Laplacian and
    a zero-mean right-hand side must be solved to round-off.
    """
    from solvers.air.multigrid import _pseudo_inverse

    n = 16
    lap = np.zeros((n * n, n * n))
    for j in range(n):
        for i in range(n):
            for dj, di in ((0, 1), (0, -1), (1, 0), (-1, 0)):
                if 0 <= j + dj < n and 0 <= i + di < n:
                    lap[j * n + i, j * n + i] += 1
                    lap[j * n + i, (j + dj) * n + i + di] -= 1
    b = np.random.default_rng(0).standard_normal(n * n)
    b -= b.mean()
    x = _pseudo_inverse(lap) @ b
    np.testing.assert_allclose(lap @ x, b, atol=1e-10)
    assert abs(x.sum()) < 1e-9  # no component along the null space
