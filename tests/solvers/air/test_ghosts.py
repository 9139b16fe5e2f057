"""Ghost fills: each wall condition holds exactly, and every backend fills alike.

The reference (:func:`solvers.air.boundary.apply_plan`) is checked against
what each condition means at the wall: a fixed temperature is the mean of a
ghost and its mirror, a heat flux the jump ``q h / k`` per cell with the
conductivity of the cell next to the wall (eddy viscosity included), an
adiabatic or free-slip wall a mirror, a no-slip wall's tangential velocity
the wall's own, the normal velocity 0 on the wall and odd across it, a
periodic axis a wrap.  The numba and CuPy fills must then equal the
reference (CuPy: on a GPU and as CUDA source on the CPU).
"""

import numpy as np
import pytest

from solvers.air import AirProperties, AirSolver, Grid, Wall
from solvers.air.boundary import (
    apply_plan,
    cell_even_plan,
    temperature_plan,
    velocity_plan,
)
from solvers.air.grid import GHOST as G
from solvers.air.grid import PERIODIC
from solvers.air.kernels_cupy import CupyKernels
from solvers.air.kernels_numba import NumbaKernels
from solvers.backend import select_backend

SHAPE = (6, 5, 4)  # nx, ny, nz
SPACING = (0.5, 0.4, 0.25)
RHO_CP, KAPPA, INV_PRT = 1.19 * 1006.0, 2.2e-5, 1 / 0.85
Q_TOP, Q_SOUTH = 35.0, -12.0  # heat fluxes into the air (W/m²)
LID = (0.7, -0.2)  # the moving wall y-: (u, w) in m/s
T_WALL = 18.5


def mixed_grid():
    """x periodic; y- a moving, 18.5 °C no-slip wall, y+ free-slip with a heat flux;
    z- an adiabatic no-slip floor, z+ a no-slip ceiling with a heat flux."""
    return Grid(SHAPE, SPACING, {
        "x-": PERIODIC, "x+": PERIODIC,
        "y-": Wall(tangential=LID, temperature=T_WALL),
        "y+": Wall(velocity="freeslip", heat_flux=Q_SOUTH),
        "z+": Wall(heat_flux=Q_TOP),
    })  # fmt: skip


def random_fields(grid, dtype, seed=3):
    rng = np.random.default_rng(seed)
    field = lambda: rng.uniform(15.0, 30.0, grid.padded).astype(dtype)  # noqa: E731
    nu_t = rng.uniform(0.0, 0.05, grid.padded).astype(dtype)
    return [field() for _ in range(3)], field(), nu_t


def y_layer(a, j):
    return a[G:-G, j, G:-G]


def z_layer(a, k):
    return a[k, G:-G, G:-G]


def test_temperature_ghosts_meet_each_wall_condition():
    grid = mixed_grid()
    nx, ny, nz = SHAPE
    _, T, nu_t = random_fields(grid, np.float64)
    apply_plan(temperature_plan(grid, RHO_CP, KAPPA, INV_PRT, eddy=True), (T,), nu_t)
    inner = T[G:-G, G:-G, G:-G]
    # periodic x: ghosts are the far side's interior
    np.testing.assert_array_equal(T[G:-G, G:-G, :G], inner[:, :, nx - G:])
    np.testing.assert_array_equal(T[G:-G, G:-G, G + nx:], inner[:, :, :G])
    for m in range(G):
        # y-: the wall temperature is the mean of each ghost and its mirror
        ghost, mirror = y_layer(T, G - 1 - m), y_layer(T, G + m)
        np.testing.assert_allclose(0.5 * (ghost + mirror), T_WALL, rtol=0, atol=1e-12)
        # y+: the flux q = k (T_ghost - T_mirror) / ((2m + 1) h), k of the wall cells
        ghost, mirror = y_layer(T, G + ny + m), y_layer(T, G + ny - 1 - m)
        k = RHO_CP * (KAPPA + INV_PRT * y_layer(nu_t, G + ny - 1))
        np.testing.assert_allclose(k * (ghost - mirror) / ((2 * m + 1) * SPACING[1]), Q_SOUTH,
                                   rtol=1e-12)  # fmt: skip
        # z-: adiabatic, a mirror
        np.testing.assert_array_equal(z_layer(T, G - 1 - m), z_layer(T, G + m))
        ghost, mirror = z_layer(T, G + nz + m), z_layer(T, G + nz - 1 - m)
        k = RHO_CP * (KAPPA + INV_PRT * z_layer(nu_t, G + nz - 1))
        np.testing.assert_allclose(k * (ghost - mirror) / ((2 * m + 1) * SPACING[2]), Q_TOP,
                                   rtol=1e-12)  # fmt: skip


def test_heat_flux_without_eddy_viscosity_uses_the_molecular_conductivity():
    grid = mixed_grid()
    nz = SHAPE[2]
    _, T, _ = random_fields(grid, np.float64)
    apply_plan(temperature_plan(grid, RHO_CP, KAPPA), (T,))
    jump = z_layer(T, G + nz) - z_layer(T, G + nz - 1)
    np.testing.assert_allclose(jump, Q_TOP * SPACING[2] / (RHO_CP * KAPPA), rtol=1e-12)


def test_velocity_ghosts_meet_each_wall_condition():
    grid = mixed_grid()
    nx, ny, nz = SHAPE
    (u, v, w), _, _ = random_fields(grid, np.float64)
    apply_plan(velocity_plan(grid), (u, v, w))
    # periodic x: every component wraps, the normal one's face n + G included
    np.testing.assert_array_equal(u[..., G + nx], u[..., G])
    np.testing.assert_array_equal(w[..., :G], w[..., nx:nx + G])
    # the wall-normal component: 0 on the wall faces, odd images across them
    for j in (G, G + ny):
        assert not y_layer(v, j).any()
    for m in range(1, G + 1):
        np.testing.assert_array_equal(y_layer(v, G - m), -y_layer(v, G + m))
        np.testing.assert_array_equal(z_layer(w, G - m), -z_layer(w, G + m))
    np.testing.assert_array_equal(z_layer(w, G + nz + 1), -z_layer(w, G + nz - 1))
    for m in range(G):
        # y-: moving no-slip, u and w average to the lid's velocity at the wall
        # (w away from the floor and ceiling, whose fill comes after and wins)
        for comp, speed, z in ((u, LID[0], slice(None)), (w, LID[1], slice(1, -1))):
            mean = 0.5 * (y_layer(comp, G - 1 - m) + y_layer(comp, G + m))[z]
            np.testing.assert_allclose(mean, speed, rtol=0, atol=1e-12)
        # y+: free-slip, a mirror
        np.testing.assert_array_equal(y_layer(u, G + ny + m), y_layer(u, G + ny - 1 - m))
        # z+: still no-slip, zero at the wall
        mean = 0.5 * (z_layer(v, G + nz + m) + z_layer(v, G + nz - 1 - m))
        np.testing.assert_allclose(mean, 0.0, rtol=0, atol=1e-12)


def test_cell_even_fill_is_a_mirror_or_a_wrap():
    grid = mixed_grid()
    _, a, _ = random_fields(grid, np.float64)
    apply_plan(cell_even_plan(grid), (a,))
    nx, ny = SHAPE[0], SHAPE[1]
    np.testing.assert_array_equal(a[..., 0], a[..., nx])
    np.testing.assert_array_equal(a[:, G + ny + 1], a[:, G + ny - 2])
    np.testing.assert_array_equal(a[0], a[3])


def _plans(grid):
    return (("velocity", velocity_plan(grid), 3, False),
            ("temperature", temperature_plan(grid, RHO_CP, KAPPA, INV_PRT, eddy=True), 1, True),
            ("temperature, no eddy", temperature_plan(grid, RHO_CP, KAPPA), 1, False),
            ("cell", cell_even_plan(grid), 1, False))  # fmt: skip


def _compare(kernels, to_device, to_host, dtype):
    grid = mixed_grid()
    tol = 1e-14 if dtype == np.float64 else 2e-6  # rounding (fused multiply-adds)
    for label, plan, count, eddy in _plans(grid):
        vel, T, nu_t = random_fields(grid, dtype)
        fields = vel if count == 3 else [T]
        expected = [f.copy() for f in fields]
        apply_plan(plan, expected, nu_t if eddy else None)
        on = [to_device(f) for f in fields]
        kernels.fill_ghosts(plan, on, to_device(nu_t) if eddy else None)
        assert plan.device, f"{label}: the backend fell back to the reference"
        for got, want in zip(on, expected, strict=True):
            np.testing.assert_allclose(to_host(got), want, rtol=tol, atol=tol * 30,
                                       err_msg=label)  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numba_fill_equals_the_reference(dtype):
    _compare(NumbaKernels(), np.array, np.asarray, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cupy_fill_equals_the_reference(device, dtype):
    _compare(CupyKernels(device), device.to_device, device.to_host, dtype)


def test_plans_follow_a_changed_wall():
    grid = Grid((4, 4, 4), (0.5, 0.5, 0.5))
    solver = AirSolver(grid, AirProperties(), select_backend("numpy"))
    ghosts = solver.ghosts
    first = {kind: ghosts._plan(kind) for kind in ("velocity", "temperature", "cell")}
    assert ghosts._plan("temperature") is first["temperature"]  # same walls, same plan
    solver.set_wall("z+", Wall(heat_flux=10.0))
    assert ghosts._plan("temperature") is not first["temperature"]
    # a heat flux changes neither the velocity's ghosts nor a cell field's
    assert ghosts._plan("velocity") is first["velocity"]
    assert ghosts._plan("cell") is first["cell"]
    solver.set_wall("z+", Wall(velocity="freeslip", heat_flux=10.0))
    assert ghosts._plan("velocity") is not first["velocity"]
    solver.set_temperature(20.0)
    nz = grid.shape[2]
    jump = solver.T[G + nz, G:-G, G:-G] - solver.T[G + nz - 1, G:-G, G:-G]
    np.testing.assert_allclose(jump, 10.0 * 0.5 / (1.19 * 1006.0 * 2.2e-5), rtol=1e-12)
