"""CuPy kernels agree with the NumPy reference, on a GPU and as CUDA source on the CPU.

Same random fields as ``test_kernels.py``, copied to the device; float32
tolerances as there.  Also whole steps of the closed room and a Ghia cavity.
Every test runs on the ``device`` fixture of ``conftest.py``: the GPU
(skipped without CuPy and a GPU) and the CPU stand-in of
:mod:`.cuda_on_cpu` (skipped without a C++ compiler).
"""

import numpy as np
import pytest

from solvers.air import Grid, run_case
from solvers.air.grid import GHOST
from solvers.air.kernels_cupy import CupyKernels
from solvers.air.kernels_numpy import NumpyKernels
from solvers.air.multigrid import PoissonMG
from solvers.backend import select_backend

from .helpers import closed_room
from .test_aggregates import _slab
from .test_kernels import N3, TOL, H, _fields


@pytest.fixture(scope="module")
def kernels(device):
    return NumpyKernels(), CupyKernels(device)


@pytest.fixture(scope="module")
def dev(device):
    """``dev(a)``: ``a`` (an array or a list of arrays) copied to the device."""
    def copy(a):
        return [device.to_device(x) for x in a] if isinstance(a, list) else device.to_device(a)

    return copy


@pytest.fixture(scope="module")
def close(device):
    def check(on_device, host, dtype):
        scale = max(1.0, float(np.abs(host).max()))
        np.testing.assert_allclose(device.to_host(on_device), host, rtol=0,
                                   atol=TOL[dtype] * scale)  # fmt: skip

    return check


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_nut", [False, True])
def test_transport_kernels(device, dev, close, kernels, dtype, with_nut):
    ref, gpu = kernels
    grid, vel, T, nut = _fields(dtype)
    fluid, masks = grid.fluid_mask(), grid.face_masks()
    nut_h = nut if with_nut else None
    out = np.zeros_like(T)
    ref.scalar_update(T, vel, 2e-3, nut_h, 1 / 0.85, fluid, H, 0.01, GHOST, N3, out)
    d_out = device.xp.zeros_like(dev(T))
    gpu.scalar_update(
        dev(T),
        dev(vel),
        2e-3,
        None if nut_h is None else dev(nut),
        1 / 0.85,
        dev(fluid),
        H,
        0.01,
        GHOST,
        N3,
        d_out,
    )
    close(d_out, out, dtype)
    for c in range(3):
        ref.momentum_update(c, vel, T, 1.5e-3, nut_h, masks[c], H, 0.01, 0.03, 20.0, GHOST, N3, out)
        gpu.momentum_update(
            c,
            dev(vel),
            dev(T),
            1.5e-3,
            None if nut_h is None else dev(nut),
            dev(masks[c]),
            H,
            0.01,
            0.03,
            20.0,
            GHOST,
            N3,
            d_out,
        )
        close(d_out, out, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_other_kernels(dev, close, kernels, dtype):
    ref, gpu = kernels
    grid, vel, T, _ = _fields(dtype)
    fluid, masks = grid.fluid_mask(), grid.face_masks()
    out = np.zeros_like(T)
    d_out = dev(out)
    ref.smagorinsky(vel, 0.02, GHOST, N3, H, out)
    gpu.smagorinsky(dev(vel), 0.02, GHOST, N3, H, d_out)
    close(d_out, out, dtype)
    ref.divergence(vel, H, -3.0, fluid, GHOST, N3, out)
    gpu.divergence(dev(vel), H, -3.0, dev(fluid), GHOST, N3, d_out)
    close(d_out, out, dtype)
    for c in range(3):
        moved, d_moved = vel[c].copy(), dev(vel[c])
        ref.project(c, moved, T, masks[c], H, 0.1, GHOST, N3)
        gpu.project(c, d_moved, dev(T), dev(masks[c]), H, 0.1, GHOST, N3)
        close(d_moved, moved, dtype)
    avg, d_avg = T.copy(), dev(T)
    ref.average(vel[0], avg, GHOST, N3)
    gpu.average(dev(vel[0]), d_avg, GHOST, N3)
    close(d_avg, avg, dtype)
    guess, last = T.copy(), vel[1].copy()
    d_guess, d_last = dev(guess), dev(last)
    ref.extrapolate(guess, last, 0.7)
    gpu.extrapolate(d_guess, d_last, 0.7)
    close(d_guess, guess, dtype)
    close(d_last, last, dtype)
    assert gpu.max_abs(dev(T), GHOST, N3, 20.0) == pytest.approx(
        ref.max_abs(T, GHOST, N3, 20.0), rel=1e-6
    )
    T[3, 4, 5] = np.nan
    assert np.isnan(gpu.max_abs(dev(T), GHOST, N3))


@pytest.mark.parametrize("count", [1, 5, 7])
def test_batched_maxima_equal_the_reference(device, dev, kernels, count):
    """One launch for up to five arrays (more take several), each with its offset; NaN wins."""
    ref, gpu = kernels
    rng = np.random.default_rng(11)
    shape = tuple(n + 2 * GHOST for n in N3)
    arrays = [rng.normal(0.0, 1.0 + a, shape).astype(np.float32) for a in range(count)]
    arrays[0][GHOST, GHOST, GHOST] = 1e6  # an interior extreme
    arrays[-1][0, 0, 0] = -1e9  # a ghost: not looked at
    offsets = [0.5 * a for a in range(count)]
    expected = ref.max_abs_many(arrays, offsets, GHOST, N3)
    got = gpu.max_abs_many([dev(a) for a in arrays], offsets, GHOST, N3)
    np.testing.assert_allclose(got, expected, rtol=1e-7)
    arrays[count // 2][GHOST + 1, GHOST + 2, GHOST + 3] = np.nan
    got = gpu.max_abs_many([dev(a) for a in arrays], offsets, GHOST, N3)
    assert [np.isnan(x) for x in got] == [a == count // 2 for a in range(count)]


def _random_rhs(grid, n3, seed, dtype=np.float32):
    """A random right-hand side with no constant part (A's null space), zero in solids."""
    b = np.zeros(grid.padded, dtype=dtype)
    inner = b[GHOST:-GHOST, GHOST:-GHOST, GHOST:-GHOST]
    inner[...] = np.random.default_rng(seed).standard_normal(n3) * ~grid.solid
    inner -= inner.sum() / (~grid.solid).sum() * ~grid.solid
    return b


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_multigrid(device, dev, close, kernels, dtype):
    ref, gpu = kernels
    grid, _, _, _ = _fields(dtype)
    periodic = tuple(grid.periodic(a) for a in range(3))
    mgs = [
        PoissonMG(grid.face_masks(), N3, GHOST, grid.spacing, periodic, k, be, dtype)
        for k, be in ((ref, select_backend("numpy")), (gpu, device))
    ]
    b = _random_rhs(grid, N3, 3, dtype)
    z, d_z = np.zeros_like(b), dev(np.zeros_like(b))
    mgs[0]._precondition(b, z)
    mgs[1]._precondition(dev(b), d_z)
    close(d_z, z, dtype)
    p, d_p = np.zeros_like(b), dev(np.zeros_like(b))
    tol = 1e-10 if dtype == np.float64 else 1e-5
    mgs[0].solve(p, b, tol)
    mgs[1].solve(d_p, dev(b), tol)
    core = (slice(GHOST, -GHOST),) * 3
    close(d_p - d_p[core].mean(), p - p[core].mean(), dtype)


def test_cg_keeps_its_scalars_on_the_device(device, dev, kernels, monkeypatch):
    """The CuPy CG's dot products and step lengths stay device arrays, and the
    solve reads back once to start and once an iteration (the residual and the
    curvature together): a read-back makes the host wait for the GPU's queue.
    It takes the reference's iterations to the same tolerance."""
    ref, gpu = kernels
    grid, _, _, _ = _fields(np.float32)
    periodic = tuple(grid.periodic(a) for a in range(3))
    mgs = [PoissonMG(grid.face_masks(), N3, GHOST, grid.spacing, periodic, k, be, np.float32)
           for k, be in ((ref, select_backend("numpy")), (gpu, device))]  # fmt: skip
    b = _random_rhs(grid, N3, 5)
    d_b = dev(b)
    dot = gpu.mg_dot(mgs[1].levels[0], d_b, d_b)
    assert dot.shape == () and not isinstance(dot, float)
    reads = []
    to_host = gpu.to_host
    monkeypatch.setattr(gpu, "to_host", lambda *v: reads.append(len(v)) or to_host(*v))
    mgs[0].solve(np.zeros_like(b), b, 1e-5)
    mgs[1].solve(dev(np.zeros_like(b)), d_b, 1e-5)
    assert mgs[1].iterations == mgs[0].iterations >= 3
    assert reads == [2] * (1 + mgs[1].iterations)


def test_multigrid_levels_with_byte_and_float_faces(device, dev, close, kernels):
    """Three levels: the fine one's 0/1 faces go to the kernels as bytes, the middle
    one's averaged faces (fractions next to the obstacle) as floats; the V-cycle
    still equals the reference's."""
    ref, gpu = kernels
    grid = Grid((24, 20, 16), (0.1, 0.1, 0.1))
    grid.add_obstacle((0.75, 0.65, 0.0), (1.45, 1.15, 0.95))
    n3 = (16, 20, 24)
    mgs = [PoissonMG(grid.face_masks(), n3, GHOST, grid.spacing, (False,) * 3, k, be, np.float32)
           for k, be in ((ref, select_backend("numpy")), (gpu, device))]  # fmt: skip
    b = _random_rhs(grid, n3, 4)
    z, d_z = np.zeros_like(b), dev(np.zeros_like(b))
    mgs[0]._precondition(b, z)
    mgs[1]._precondition(dev(b), d_z)
    close(d_z, z, np.float32)
    assert [lev.kernel_args["cupy"][1] for lev in mgs[1].levels[:-1]] == ["u8", "real"]


@pytest.mark.parametrize("periodic", [False, True])
def test_multigrid_with_moved_cells(device, dev, close, kernels, periodic):
    """A slab one cell thick inside the coarse cells: its cells join other aggregates
    (test_aggregates.py), and the CUDA fix-ups of restriction and prolongation (atomic
    adds) give the reference's V-cycle and solve."""
    ref, gpu = kernels
    grid = _slab(9, periodic)
    n3 = (grid.nz, grid.ny, grid.nx)
    per = tuple(grid.periodic(a) for a in range(3))
    mgs = [PoissonMG(grid.face_masks(), n3, GHOST, grid.spacing, per, k, be, np.float32)
           for k, be in ((ref, select_backend("numpy")), (gpu, device))]  # fmt: skip
    assert mgs[1].levels[1].moved is not None
    b = _random_rhs(grid, n3, 6)
    z, d_z = np.zeros_like(b), dev(np.zeros_like(b))
    mgs[0]._precondition(b, z)
    mgs[1]._precondition(dev(b), d_z)
    close(d_z, z, np.float32)
    mgs[0].solve(np.zeros_like(b), b, 1e-5)
    mgs[1].solve(dev(np.zeros_like(b)), dev(b), 1e-5)
    assert abs(mgs[1].iterations - mgs[0].iterations) <= 1


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_whole_steps(device, dtype):
    states = []
    for backend in (select_backend("numpy"), device):
        solver = closed_room(backend, dtype=dtype)
        for _ in range(10):
            solver.step()
        reports = solver.patch_reports()
        states.append(
            (
                solver.temperature(),
                *solver.velocity_faces(),
                np.array([reports["rack"].heat, reports["unit"].heat]),
            )
        )
    for a, b in zip(states[1], states[0], strict=True):
        scale = max(1.0, float(np.nanmax(np.abs(b))))
        tol = 1e-10 if dtype == np.float64 else 1e-4
        np.testing.assert_allclose(a, b, rtol=0, atol=tol * scale)


def test_cavity(device):
    """Ghia Re 100 on 32² with the CuPy backend: the same bound as on the CPU (2 %)."""
    err = run_case("cavity", device, n=32, re=100)["reference_error"]
    assert err["u_rms"] <= 0.02 and err["v_rms"] <= 0.02
