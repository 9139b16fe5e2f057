"""Multigrid: the fused numba kernels agree with the reference; the V-cycle suits CG.

numba fuses the reference's primitives (half-sweep from zero, residual and
restriction, ``A x`` and ``x · A x``, the CG update and ``r · r``) and keeps
0/1 face coefficients as bytes; each fused kernel must give what the
reference's sequence of primitives gives, on every level of a hierarchy
with odd sizes (padded coarse cells), a periodic axis and an obstacle.
"""

import numpy as np
import pytest

from solvers.air.grid import GHOST, PERIODIC, Grid
from solvers.air.kernels_numba import NumbaKernels
from solvers.air.kernels_numpy import NumpyKernels, shifted
from solvers.air.multigrid import PoissonMG
from solvers.backend import select_backend

TOL = {np.float64: 1e-12, np.float32: 2e-5}


def _grid(shape=(27, 20, 11), periodic="y"):
    """A box with an obstacle, periodic along ``periodic``: 3 levels, odd sizes on the way down.

    Periodic along x (27 cells, odd), x never coarsens (factor 1); along y,
    x goes 27, 14, 7 with a padded cell on each coarse level.
    """
    walls = {f"{periodic}-": PERIODIC, f"{periodic}+": PERIODIC}
    grid = Grid(shape, (0.1, 0.12, 0.15), walls)
    grid.add_obstacle((0.3, 0.3, 0.0), (0.6, 0.6, 0.6 if shape[2] > 1 else 0.15))
    return grid


def _solvers(grid, dtype):
    n3 = (grid.shape[2], grid.shape[1], grid.shape[0])
    periodic = tuple(grid.periodic(a) for a in range(3))
    backend = select_backend("numpy")
    return [
        PoissonMG(grid.face_masks(), n3, GHOST, grid.spacing, periodic, k, backend, dtype)
        for k in (NumpyKernels(), NumbaKernels())
    ]


def _random_interior(levels, name, dtype, seed):
    """The same random interior (zero ghosts) in array ``name`` of matching levels."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(levels[0].n3).astype(dtype)
    for lev in levels:
        arr = getattr(lev, name)
        arr.fill(0)
        shifted(arr, lev.g, lev.n3)[...] = values


def _close(a, b, dtype, lev=None):
    if lev is not None:
        a, b = shifted(a, lev.g, lev.n3), shifted(b, lev.g, lev.n3)
    scale = max(1.0, float(np.abs(b).max()))
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL[dtype] * scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("periodic", ["x", "y"])
def test_level_kernels_agree(dtype, periodic):
    ref, fast = _solvers(_grid(periodic=periodic), dtype)
    assert len(ref.levels) == 3
    pairs = zip(ref.levels[:-1], ref.levels[1:], strict=True)
    sizes = [zip(f.n3, c.n3, f.factor[::-1], strict=True) for f, c in pairs]
    assert any(nc * k > n for axes in sizes for n, nc, k in axes)  # padded coarse cells
    for index, pair in enumerate(zip(ref.levels[:-1], fast.levels[:-1], strict=True)):
        coarse = (ref.levels[index + 1], fast.levels[index + 1])
        for seed, colour in ((0, 0), (1, 1)):
            _random_interior(pair, "x", dtype, seed)
            _random_interior(pair, "b", dtype, seed + 10)
            ref.k.mg_smooth(pair[0], colour)
            fast.k.mg_smooth(pair[1], colour)
            _close(pair[1].x, pair[0].x, dtype, pair[0])
            ref.k.mg_smooth_from_zero(pair[0], colour)
            fast.k.mg_smooth_from_zero(pair[1], colour)
            _close(pair[1].x, pair[0].x, dtype, pair[0])
        _random_interior(pair, "x", dtype, 2)
        ref.k.mg_residual_restrict(pair[0], coarse[0])
        fast.k.mg_residual_restrict(pair[1], coarse[1])
        _close(coarse[1].b, coarse[0].b, dtype, coarse[0])
        _random_interior(coarse, "x", dtype, 3)
        ref.k.mg_prolong(coarse[0], pair[0])
        fast.k.mg_prolong(coarse[1], pair[1])
        _close(pair[1].x, pair[0].x, dtype, pair[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cg_kernels_agree(dtype):
    ref, fast = _solvers(_grid(), dtype)
    pair = (ref.levels[0], fast.levels[0])
    rng = np.random.default_rng(4)
    d, q, p, r = (rng.standard_normal(pair[0].x.shape).astype(dtype) for _ in range(4))
    results = []
    for mg, lev in zip((ref, fast), pair, strict=True):
        out = [a.copy() for a in (d, q, p, r)]
        mg.k.mg_fill_periodic(lev, out[0])
        curvature = mg.k.mg_apply_dot(lev, out[0], out[1])
        rr = mg.k.mg_axpy2_dot(lev, 0.3, out[0], out[1], out[2], out[3])
        dot = mg.k.mg_dot(lev, out[2], out[3])
        mg.k.mg_xpby(lev, out[3], 0.7, out[0])
        # the solve's start: the residual of p against q with both norms, d = r and r · r
        norms = mg.k.mg_residual_norms(lev, out[2], out[1], out[3])
        rz = mg.k.mg_copy_dot(lev, out[3], out[3], out[0])
        results.append((out, curvature, rr, dot, *norms, rz))
    (ref_arrays, *ref_values), (fast_arrays, *fast_values) = results
    for a, b in zip(fast_arrays, ref_arrays, strict=True):
        _close(a, b, dtype, pair[0])
    np.testing.assert_allclose(fast_values, ref_values, rtol=TOL[dtype])


def test_vcycle_is_symmetric_positive():
    grid = _grid()
    assert_symmetric_positive(_solvers(grid, np.float64)[0], grid)


def assert_symmetric_positive(mg, grid):
    """CG needs a symmetric positive definite preconditioner: ``u·Mv = v·Mu``, ``u·Mu > 0``."""
    fine = mg.levels[0]
    fluid = ~grid.solid
    rng = np.random.default_rng(5)
    vectors = []
    for _ in range(2):
        u = np.zeros_like(fine.x)
        inner = shifted(u, fine.g, fine.n3)
        inner[...] = rng.standard_normal(fine.n3) * fluid
        inner -= inner.sum() / fluid.sum() * fluid  # no constant part: A's null space
        mu = np.zeros_like(u)
        mg._precondition(u, mu)
        vectors.append((u, mu))
    (u, mu), (v, mv) = vectors
    dot = lambda a, b: float(np.sum(shifted(a, fine.g, fine.n3) * shifted(b, fine.g, fine.n3)))  # noqa: E731
    assert dot(u, mv) == pytest.approx(dot(v, mu), rel=1e-10)
    assert dot(u, mu) > 0 and dot(v, mv) > 0


@pytest.mark.parametrize("shape", [(48, 40, 1), (27, 20, 11)])
def test_solve_meets_the_tolerance(shape):
    """float32, both backends: the true residual meets rtol, in as few iterations on both."""
    grid = _grid(shape)
    mgs = _solvers(grid, np.float32)
    fine = mgs[0].levels[0]
    rng = np.random.default_rng(6)
    b = np.zeros_like(fine.x)
    inner = shifted(b, fine.g, fine.n3)
    inner[...] = rng.standard_normal(fine.n3) * ~grid.solid
    inner -= inner.sum() / (~grid.solid).sum() * ~grid.solid
    check = _solvers(grid, np.float64)[0]
    iterations = []
    for mg in mgs:
        p = np.zeros_like(b)
        mg.solve(p, b, 1e-4)
        iterations.append(mg.iterations)
        r = np.zeros(b.shape)
        check.k.mg_residual_of(check.levels[0], p.astype(float), b.astype(float), r)
        assert np.linalg.norm(shifted(r, fine.g, fine.n3)) <= 1.01e-4 * np.linalg.norm(inner)
    assert abs(iterations[0] - iterations[1]) <= 1


def test_small_levels_run_on_one_thread_and_give_the_threads_back(monkeypatch):
    """With sleeping (passive) OpenMP threads, numba smooths levels below
    ``SERIAL_CELLS`` on one thread (waking a second thread costs more than their
    work), the fine level on all threads, and every call leaves the thread count
    as it found it."""
    import numba

    import solvers.air.kernels_numba as kn
    from solvers.backend import SERIAL_CELLS

    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")

    grid = Grid((48, 40, 24), (0.1, 0.1, 0.1))
    grid.add_obstacle((1.0, 1.0, 0.0), (2.0, 2.0, 1.2))
    n3 = (24, 40, 48)
    mg = PoissonMG(grid.face_masks(), n3, GHOST, grid.spacing, (False,) * 3, NumbaKernels(),
                   select_backend("numpy"), np.float32)  # fmt: skip
    assert np.prod(n3) >= SERIAL_CELLS > np.prod(mg.levels[1].n3)
    seen = []
    smooth = kn._mg_smooth

    def recording(x, *args):
        seen.append((x.size, numba.get_num_threads()))
        return smooth(x, *args)

    monkeypatch.setattr(kn, "_mg_smooth", recording)
    threads = numba.get_num_threads()
    _random_interior(mg.levels[:1], "b", np.float32, 7)
    mg._cycle_from_r()
    assert numba.get_num_threads() == threads
    fine = mg.levels[0].x.size
    assert {t for size, t in seen if size == fine} == {threads}
    assert {t for size, t in seen if size != fine} == {1}
