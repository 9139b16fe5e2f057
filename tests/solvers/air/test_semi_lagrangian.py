"""The semi-Lagrangian transport: exact cases, numba = NumPy, energy, bounds, mass.

Kernel comparisons use the random fields of ``test_kernels.py`` (with a
periodic x axis, so wrapping is exercised) and steps long enough to cross
several cells.
"""

import numpy as np
import pytest

from solvers.air import AirProperties, AirSolver, Grid, Opening
from solvers.air.boundary import fill_cell_even
from solvers.air.grid import GHOST, PERIODIC
from solvers.air.kernels_numpy import NumpyKernels
from solvers.air.kernels_sl_numba import NumbaSemiLagrangianKernels
from solvers.air.kernels_sl_numpy import SemiLagrangianKernels
from solvers.backend import select_backend

from .test_kernels import N3, H, _close, _fields

DT = 0.3  # random velocities of order 1 m/s on 0.1 m cells: a few cells per step
PERIODIC_X = (True, False, False)


@pytest.fixture(scope="module")
def pair():
    return SemiLagrangianKernels(), NumbaSemiLagrangianKernels()


def _layer(a):
    """The first z layer of a padded 3-D field with its ghosts: a 2-D grid's field."""
    return np.ascontiguousarray(a[: 1 + 2 * GHOST])


def _trace(kernels, vel, n3=N3, periodic=PERIODIC_X):
    disp = [np.zeros_like(v) for v in vel]
    kernels.sl_trace(vel, H, DT, periodic, GHOST, n3, disp)
    return disp


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sl_trace_agrees(pair, dtype):
    _, vel, _, _ = _fields(dtype)
    ref, new = (_trace(k, vel) for k in pair)
    for a in range(3):
        _close(new[a], ref[a], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sl_scalar_agrees(pair, dtype):
    grid, vel, T, _ = _fields(dtype)
    disp = _trace(pair[0], vel)
    outs = []
    for k in pair:
        out = np.zeros_like(T)
        k.sl_scalar(T, disp, grid.fluid_mask(), PERIODIC_X, GHOST, N3, out)
        outs.append(out)
    _close(outs[1], outs[0], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("c", [0, 1, 2])
def test_sl_velocity_agrees(pair, dtype, c):
    grid, vel, _, _ = _fields(dtype, seed=c)
    disp = _trace(pair[0], vel)
    outs = []
    for k in pair:
        out = np.zeros_like(vel[c])
        k.sl_velocity(c, vel[c], disp, grid.face_masks()[c], PERIODIC_X, GHOST, N3, out)
        outs.append(out)
    _close(outs[1], outs[0], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("flat", [False, True], ids=["3-D", "2-D"])
def test_sl_velocities_agree_with_each_component_alone(pair, dtype, flat):
    """numba moves the three components in one pass (the 2-D grid's two): the same
    faces as the reference's one component at a time, and a missing one untouched."""
    grid, vel, _, _ = _fields(dtype, seed=3)
    n3 = (1, *N3[1:]) if flat else N3
    masks = grid.face_masks()
    if flat:
        vel, masks = [_layer(v) for v in vel], [_layer(m) for m in masks]
    disp = _trace(pair[0], vel, n3)
    ref = [np.zeros_like(v) for v in vel]
    for c in range(3 - flat):
        pair[0].sl_velocity(c, vel[c], disp, masks[c], PERIODIC_X, GHOST, n3, ref[c])
    out = [np.zeros_like(v) for v in vel]
    pair[1].sl_velocities(vel, disp, masks, PERIODIC_X, GHOST, n3, out)
    for c in range(3):
        _close(out[c], ref[c], dtype)
    if flat:
        assert not out[2].any()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_energy_fix_kernels_agree(pair, dtype):
    """The fix-up's sums against a float64 NumPy sum, and its shift on both backends."""
    grid, _, T, _ = _fields(dtype)
    rng = np.random.default_rng(5)
    moved = (T + rng.normal(0.0, 0.5, T.shape)).astype(dtype)
    fluid = grid.fluid_mask()
    inner = (slice(GHOST, -GHOST),) * 3
    f = fluid[inner] > 0
    a, b = T[inner].astype(np.float64), moved[inner].astype(np.float64)
    exact = (b[f].sum(), np.maximum(a - b, 0)[f].sum(), np.maximum(b - a, 0)[f].sum(), a[f].sum())
    outs = []
    for k in pair:
        np.testing.assert_allclose(k.fluid_sums(T, moved, fluid, GHOST, N3), exact, rtol=1e-12)
        out = moved.copy()
        k.shift_back(T, out, fluid, 0.25, 0.5, 0.125, GHOST, N3)
        outs.append(out)
        np.testing.assert_array_equal(out[fluid == 0], moved[fluid == 0])  # solids untouched
    _close(outs[1], outs[0], dtype)
    # a quarter of the way back up, half of the way back down, plus 0.125 K everywhere
    expected = b + 0.25 * np.maximum(a - b, 0) - 0.5 * np.maximum(b - a, 0) + 0.125
    _close(outs[0][inner][f], expected[f], dtype)


def test_face_displacement_is_the_mean_of_its_cells():
    """In a linear velocity field u = a x the face trace is exact to second order.

    Each cell centre's displacement is ``dt u(x_mid)``; the exact departure of a
    point in ``u = a x`` is ``x exp(-a dt)``, and the midpoint rule gives
    ``x (1 - a dt + (a dt)^2 / 2)``, a linear function of ``x``: so the mean of
    two cells' displacements is the midpoint rule's displacement at the face
    between them, to rounding.
    """
    grid = Grid((16, 4, 4), H)
    a = 0.5  # 1/s
    xf = (np.arange(grid.padded[2]) - GHOST) * H[0]  # face positions, m
    u = np.broadcast_to(a * xf, grid.padded).copy()
    vel = [u, np.zeros(grid.padded), np.zeros(grid.padded)]
    n3 = (grid.nz, grid.ny, grid.nx)
    k = SemiLagrangianKernels()
    disp = _trace(k, vel, n3, (False, False, False))
    face_x = xf[GHOST + 1 : GHOST + grid.nx]
    rule = face_x * (a * DT - (a * DT) ** 2 / 2) / H[0]
    mean = 0.5 * (disp[0][GHOST, GHOST, GHOST : GHOST + grid.nx - 1]
                  + disp[0][GHOST, GHOST, GHOST + 1 : GHOST + grid.nx])  # fmt: skip
    np.testing.assert_allclose(mean, rule, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_nut", [False, True])
@pytest.mark.parametrize("flat", [False, True], ids=["3-D", "2-D"])
def test_diffusion_kernels_agree(pair, dtype, with_nut, flat):
    """numba sums the axes' fluxes in one loop (a 2-D grid's z fluxes exactly 0); the
    reference an axis at a time."""
    grid, vel, T, nut = _fields(dtype)
    n3 = (1, *N3[1:]) if flat else N3
    fluid, masks = grid.fluid_mask(), grid.face_masks()
    if flat:
        vel, masks = [_layer(v) for v in vel], [_layer(m) for m in masks]
        T, nut, fluid = _layer(T), _layer(nut), _layer(fluid)
    nut = nut if with_nut else None
    outs = []
    for k in pair:
        out = np.zeros_like(T)
        k.diffuse_scalar(T, 2e-3, nut, 1 / 0.85, fluid, H, 0.01, GHOST, n3, out)
        outs.append(out)
    _close(outs[1], outs[0], dtype)
    for c in range(3 - flat):
        outs = []
        for k in pair:
            out = np.zeros_like(T)
            k.diffuse_velocity(c, vel[c], T, 1e-3, nut, masks[c], H, 0.01, 0.03, 20.0, GHOST,
                               n3, out)  # fmt: skip
            outs.append(out)
        _close(outs[1], outs[0], dtype)


@pytest.mark.parametrize("with_nut", [False, True])
def test_diffusion_is_the_flux_schemes_diffusion(with_nut):
    """With no flow the verified flux kernels do pure diffusion: the new kernels must match."""
    grid, vel, T, nut = _fields(np.float64)
    nut = nut if with_nut else None
    still = [np.zeros_like(v) for v in vel]
    ref, new = np.zeros_like(T), np.zeros_like(T)
    fluid = grid.fluid_mask()
    NumpyKernels().scalar_update(T, still, 2e-3, nut, 1 / 0.85, fluid, H, 0.01, GHOST, N3, ref)
    SemiLagrangianKernels().diffuse_scalar(T, 2e-3, nut, 1 / 0.85, fluid, H, 0.01, GHOST, N3, new)
    _close(new, ref, np.float64)


def test_uniform_translation_by_whole_cells_is_exact(pair):
    """Uniform flow on a periodic box for 3 cells along x and 2 along y: a pure shift."""
    grid = Grid((12, 10, 6), H, {f: PERIODIC for f in ("x-", "x+", "y-", "y+", "z-", "z+")})
    rng = np.random.default_rng(3)
    T = rng.random(grid.padded)
    inner = T[GHOST:-GHOST, GHOST:-GHOST, GHOST:-GHOST].copy()
    vel = [np.full(grid.padded, 3 * H[0] / DT), np.full(grid.padded, 2 * H[1] / DT),
           np.zeros(grid.padded)]  # fmt: skip
    fill_cell_even(T, grid)
    expected = np.roll(inner, shift=(2, 3), axis=(1, 2))
    n3 = (grid.nz, grid.ny, grid.nx)
    for k in pair:
        out = np.zeros_like(T)
        disp = _trace(k, vel, n3, (True, True, True))
        k.sl_scalar(T, disp, grid.fluid_mask(), (True, True, True), GHOST, n3, out)
        np.testing.assert_allclose(out[GHOST:-GHOST, GHOST:-GHOST, GHOST:-GHOST], expected,
                                   rtol=0, atol=1e-12)  # fmt: skip


def _room(backend, dtype="float64", heat=10e3, cfl=3.0):
    """The closed room of ``helpers.closed_room`` with the semi-Lagrangian scheme."""
    grid = Grid.from_box((4.0, 3.0, 2.5), 0.25)
    rack = ((1.9, 1.0, 0.0), (2.6, 2.0, 2.0))
    unit = ((0.5, 0.0, 0.0), (1.5, 0.5, 1.5))
    grid.add_obstacle(*rack)
    grid.add_obstacle(*unit)
    solver = AirSolver(grid, AirProperties(turbulence="smagorinsky", t_ref=24.0), backend,
                       dtype=dtype, cfl=cfl, advection="semi-lagrangian")  # fmt: skip
    solver.add_patch("rack", Opening(*rack, "y-"), Opening(*rack, "y+"))
    solver.add_patch("unit", Opening(*unit, "z+"), Opening(*unit, "y+"))
    solver.set_patch("rack", 0.7, heat=heat)
    solver.set_patch("unit", 1.0, setpoint=20.0, capacity=20e3)
    solver.set_temperature(24.0)
    return solver


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_whole_steps_agree(dtype):
    states = []
    for name in ("numpy", "numba"):
        solver = _room(select_backend(name), dtype)
        for _ in range(10):
            solver.step()
        states.append((solver.temperature(), *solver.velocity_faces(), solver.time))
    for a, b in zip(states[1], states[0], strict=True):
        scale = max(1.0, float(np.nanmax(np.abs(b))))
        tol = 1e-10 if dtype == "float64" else 1e-4
        np.testing.assert_allclose(a, b, rtol=0, atol=tol * scale)


def test_energy_balance_mass_and_step_length():
    """The room gains exactly the patches' booked heat; div u at the solve's tolerance; long steps.

    The projection removes the divergence of the advected velocity down to the
    pressure solve's relative tolerance (its right-hand side is that
    divergence over ``dt``, left in ``solver.rhs`` by the last step).
    """
    solver = _room(select_backend("numba"))
    start = solver.heat_content()
    solver.advance_to(60.0)
    assert solver.status == "ok"
    removed = solver.dt * solver.kernels.max_abs(solver.rhs, GHOST, solver.n3)
    assert removed > 1.0  # 1/s: the projection had real work to do
    reports = solver.patch_reports()
    booked = sum(r.energy for r in reports.values())
    rack_energy = reports["rack"].energy
    assert rack_energy == pytest.approx(10e3 * 60.0, rel=1e-9)
    assert solver.heat_content() - start == pytest.approx(booked, abs=1e-9 * rack_energy)
    assert solver.divergence() <= solver.pressure_rtol * removed
    # the unit holds its 20 °C supply while its capacity allows
    assert reports["unit"].source_temperature == pytest.approx(20.0, abs=1e-9)
    # explicit steps for the same room would need the CFL limit with van Leer's factor 2
    speeds = [float(np.abs(v).max()) for v in solver.velocity_faces()]
    explicit = 0.9 / sum(2 * s / h for s, h in zip(speeds, solver.grid.spacing, strict=True))
    assert solver.dt > 3.0 * explicit


def test_no_new_extrema():
    """Random temperatures in [20, 30], patches moving air with no heat: bounds hold."""
    solver = _room(select_backend("numba"), heat=0.0)
    solver.set_patch("unit", 1.0, heat=0.0)
    rng = np.random.default_rng(5)
    solver.set_temperature(20.0 + 10.0 * rng.random((solver.grid.nz, solver.grid.ny,
                                                      solver.grid.nx)))  # fmt: skip
    for _ in range(40):
        solver.step()
        T = solver.temperature()
        assert np.nanmin(T) >= 20.0 - 1e-12
        assert np.nanmax(T) <= 30.0 + 1e-12


def test_unknown_scheme_and_bad_flux_cfl_are_refused():
    grid = Grid((4, 4, 1), (0.1, 0.1, 0.1))
    backend = select_backend("numpy")
    with pytest.raises(ValueError, match="advection must be one of"):
        AirSolver(grid, AirProperties(), backend, advection="upwind")
    with pytest.raises(ValueError, match="cfl"):
        AirSolver(grid, AirProperties(), backend, cfl=2.0)
