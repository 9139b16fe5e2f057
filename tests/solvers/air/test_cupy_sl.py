"""CuPy semi-Lagrangian kernels agree with the NumPy reference.

Same random fields and step as ``test_semi_lagrangian.py``.  Every test
runs twice (the ``device`` fixture of ``conftest.py``): on the GPU through
CuPy (skipped without one) and, so that CI checks the CUDA source and the
host code too, compiled for the CPU by :mod:`.cuda_on_cpu` (skipped without
a C++ compiler).  Ten whole steps of the closed room are also checked for
their exact energy balance.
"""

import numpy as np
import pytest

from solvers.air.grid import GHOST, Grid
from solvers.air.kernels_sl_cupy import CupySemiLagrangianKernels
from solvers.air.kernels_sl_numpy import SemiLagrangianKernels
from solvers.air.patches import Opening, PatchSet
from solvers.backend import select_backend

from .test_kernels import N3, TOL, H, _fields
from .test_semi_lagrangian import DT, PERIODIC_X, _room


@pytest.fixture(scope="module")
def kernels(device):
    return SemiLagrangianKernels(), CupySemiLagrangianKernels(device)


def _close(device, dev, host, dtype):
    scale = max(1.0, float(np.abs(host).max()))
    np.testing.assert_allclose(device.to_host(dev), host, rtol=0, atol=TOL[dtype] * scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_advection_kernels(device, kernels, dtype):
    ref, gpu = kernels
    grid, vel, T, _ = _fields(dtype)
    d_vel = [device.to_device(v) for v in vel]
    fluid, masks = grid.fluid_mask(), grid.face_masks()
    disp = [np.zeros_like(v) for v in vel]
    d_disp = [device.to_device(d) for d in disp]
    ref.sl_trace(vel, H, DT, PERIODIC_X, GHOST, N3, disp)
    gpu.sl_trace(d_vel, H, DT, PERIODIC_X, GHOST, N3, d_disp)
    for a in range(3):
        _close(device, d_disp[a], disp[a], dtype)
    d_disp = [device.to_device(d) for d in disp]  # the same trace into both advections
    out = np.zeros_like(T)
    d_out = device.to_device(out)
    ref.sl_scalar(T, disp, fluid, PERIODIC_X, GHOST, N3, out)
    gpu.sl_scalar(
        device.to_device(T), d_disp, device.to_device(fluid), PERIODIC_X, GHOST, N3, d_out
    )
    _close(device, d_out, out, dtype)
    for c in range(3):
        ref.sl_velocity(c, vel[c], disp, masks[c], PERIODIC_X, GHOST, N3, out)
        gpu.sl_velocity(c, d_vel[c], d_disp, device.to_device(masks[c]), PERIODIC_X, GHOST, N3,
                        d_out)  # fmt: skip
        _close(device, d_out, out, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_nut", [False, True])
def test_diffusion_kernels(device, kernels, dtype, with_nut):
    ref, gpu = kernels
    grid, vel, T, nut = _fields(dtype)
    nut_h = nut if with_nut else None
    nut_d = device.to_device(nut) if with_nut else None
    fluid, masks = grid.fluid_mask(), grid.face_masks()
    out = np.zeros_like(T)
    d_out = device.to_device(out)
    ref.diffuse_scalar(T, 2e-3, nut_h, 1 / 0.85, fluid, H, 0.01, GHOST, N3, out)
    gpu.diffuse_scalar(device.to_device(T), 2e-3, nut_d, 1 / 0.85, device.to_device(fluid), H, 0.01,
                       GHOST, N3, d_out)  # fmt: skip
    _close(device, d_out, out, dtype)
    for c in range(3):
        ref.diffuse_velocity(c, vel[c], T, 1e-3, nut_h, masks[c], H, 0.01, 0.03, 20.0, GHOST, N3,
                             out)  # fmt: skip
        gpu.diffuse_velocity(c, device.to_device(vel[c]), device.to_device(T), 1e-3, nut_d,
                             device.to_device(masks[c]), H, 0.01, 0.03, 20.0, GHOST, N3,
                             d_out)  # fmt: skip
        _close(device, d_out, out, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_energy_fix_kernels(device, kernels, dtype):
    """The fix-up's three sums against a float64 sum, and its shift against the reference."""
    ref, gpu = kernels
    grid, _, T, _ = _fields(dtype)
    moved = (T + np.random.default_rng(5).normal(0.0, 0.5, T.shape)).astype(dtype)
    fluid = grid.fluid_mask()
    inner = (slice(GHOST, -GHOST),) * 3
    f = fluid[inner] > 0
    a, b = T[inner].astype(np.float64), moved[inner].astype(np.float64)
    exact = (b[f].sum(), np.maximum(a - b, 0)[f].sum(), np.maximum(b - a, 0)[f].sum(), a[f].sum())
    d_T, d_moved, d_fluid = (device.to_device(x) for x in (T, moved, fluid))
    np.testing.assert_allclose(gpu.fluid_sums(d_T, d_moved, d_fluid, GHOST, N3), exact,
                               rtol=1e-12)  # fmt: skip
    ref.shift_back(T, moved, fluid, 0.25, 0.5, 0.125, GHOST, N3)
    gpu.shift_back(d_T, d_moved, d_fluid, 0.25, 0.5, 0.125, GHOST, N3)
    _close(device, d_moved, moved, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "heat", [None, (300.0, -100.0, 400.0), (3e3, -1e3, 2.5e4)],
    ids=["no patches", "patches, a share back", "patches, all back and the rest spread"],
)
def test_energy_fix_on_the_device(device, kernels, dtype, heat):
    """The whole fix-up with its shares worked out on the device matches the reference's.

    The heat decides the path: a little is made up by moving cells part of the way
    back; a lot needs them all the way back and the rest spread evenly.
    """
    ref, gpu = kernels
    grid, _, T, _ = _fields(dtype)
    moved = (T + np.random.default_rng(6).normal(0.0, 0.5, T.shape)).astype(dtype)
    fluid = grid.fluid_mask()
    cells = int((fluid[(slice(GHOST, -GHOST),) * 3] > 0).sum())
    scale = 0.1 / (1.19 * 1006.0 * 0.001)
    host_heat = None if heat is None else np.array(heat)
    d_T, d_moved, d_fluid = (device.to_device(x) for x in (T, moved, fluid))
    d_heat = None if heat is None else device.to_device(host_heat)
    expected = ref.fix_energy(T, moved, fluid, host_heat, scale, cells, GHOST, N3)
    found = gpu.fix_energy(d_T, d_moved, d_fluid, d_heat, scale, cells, GHOST, N3)
    np.testing.assert_allclose([float(x) for x in found], expected, rtol=1e-9, atol=1e-15)
    _close(device, d_moved, moved, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_patch_exchange_in_one_kernel(device, dtype):
    """The fused exchange books and fills as the reference does: a rack at its set heat, an
    air unit held to its capacity, one at its setpoint, and a patch with no flow."""
    grid = Grid((16, 12, 8), (0.25, 0.25, 0.25))
    boxes = {"rack": ((1.0, 1.0, 0.0), (1.5, 2.0, 1.5)),
             "weak unit": ((2.5, 0.0, 0.0), (3.5, 0.5, 1.0)),
             "unit": ((0.0, 2.0, 0.0), (0.5, 3.0, 1.0)),
             "idle": ((3.0, 2.0, 0.0), (3.5, 2.5, 1.0))}  # fmt: skip
    sides = {"rack": ("y-", "y+"), "weak unit": ("z+", "y+"), "unit": ("z+", "x+"),
             "idle": ("x-", "y+")}  # fmt: skip
    for box in boxes.values():
        grid.add_obstacle(*box)
    T = (24.0 + np.random.default_rng(8).normal(0.0, 2.0, grid.padded)).astype(dtype)
    results = []
    for backend in (select_backend("numpy"), device):
        patches = PatchSet(grid, backend, dtype, 1.19, 1006.0)
        patches.through_flow = True
        for name, box in boxes.items():
            patches.add(name, Opening(*box, sides[name][0]), Opening(*box, sides[name][1]))
        patches.set("rack", 0.3, heat=8e3)
        patches.set("weak unit", 0.5, setpoint=18.0, capacity=1e3)
        patches.set("unit", 0.4, setpoint=22.0, capacity=1e5)
        patches.set("idle", 0.0, heat=5e3)
        vel = [backend.to_device(np.zeros(grid.padded, dtype)) for _ in range(3)]
        field = backend.to_device(T.copy())  # the numpy backend's own array: keep T
        heats = [backend.to_host(patches.exchange(field, vel, dt)) for dt in (0.1, 0.2)]
        reports = patches.reports()
        results.append((backend.to_host(field), *heats,
                        np.array([[r.sink_temperature, r.source_temperature, r.heat, r.energy]
                                  for r in reports.values()])))  # fmt: skip
    (filled, *found), (expected_T, *expected) = results[1], results[0]
    assert not np.array_equal(expected_T, T), "the source cells were filled"
    np.testing.assert_array_equal(filled, expected_T)
    for a, b in zip(found, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)
    heat = expected[-1][:, 2]
    assert heat[0] == 8e3 and heat[1] == -1e3 and heat[3] == 0.0
    assert -1e5 < heat[2] < 0


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_whole_steps_and_energy(device, dtype):
    states = []
    for backend in (select_backend("numpy"), device):
        solver = _room(backend, dtype)
        start = solver.heat_content()
        for _ in range(10):
            solver.step()
        booked = sum(r.energy for r in solver.patch_reports().values())
        assert solver.heat_content() - start == pytest.approx(booked, rel=1e-9 if dtype ==
                                                              "float64" else 1e-4)  # fmt: skip
        states.append((solver.temperature(), *solver.velocity_faces()))
    for a, b in zip(states[1], states[0], strict=True):
        scale = max(1.0, float(np.nanmax(np.abs(b))))
        tol = 1e-10 if dtype == "float64" else 1e-4
        np.testing.assert_allclose(a, b, rtol=0, atol=tol * scale)
