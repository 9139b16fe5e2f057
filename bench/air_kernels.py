"""Bandwidth helpers for ``bench/air.py``: STREAM copy/triad, a 7-point sweep, per-kernel rates.

Effective bandwidth of a kernel = the bytes it must move at least (each
array it reads or writes once per cell) / its time.  The roofline is the
triad bandwidth measured in the same run, with the same backend's threads.
"""

from __future__ import annotations

import time

import numpy as np

from solvers.air.grid import GHOST

_CUDA_SWEEP = r"""
extern "C" __global__ void sweep(const REAL *a, REAL *out, REAL c, int nz, int ny, int nx) {
    long long t = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (t >= (long long)nz * ny * nx) return;
    int i = t % nx + 1; long long r = t / nx; int j = r % ny + 1; int k = r / ny + 1;
    long long Y = nx + 2, Z = (long long)(nx + 2) * (ny + 2);
    long long p = (k * (long long)(ny + 2) + j) * (nx + 2) + i;
    out[p] = a[p] + c * (a[p - 1] + a[p + 1] + a[p - Y] + a[p + Y] + a[p - Z] + a[p + Z]
                         - 6 * a[p]);
}
"""


def _best(fn, sync, reps=5):
    fn()
    sync()
    best = np.inf
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def _numba_kernels():
    from numba import njit, prange

    @njit(parallel=True, cache=True)
    def copy(a, b):
        for i in prange(a.size):
            b[i] = a[i]

    @njit(parallel=True, cache=True)
    def triad(a, b, c, s):
        for i in prange(a.size):
            a[i] = b[i] + s * c[i]

    @njit(parallel=True, cache=True)
    def sweep(a, out, c):
        nz, ny, nx = a.shape
        for kj in prange((nz - 2) * (ny - 2)):
            k = kj // (ny - 2) + 1
            j = kj % (ny - 2) + 1
            for i in range(1, nx - 1):
                out[k, j, i] = a[k, j, i] + c * (a[k, j, i - 1] + a[k, j, i + 1] + a[k, j - 1, i]
                                                 + a[k, j + 1, i] + a[k - 1, j, i] + a[k + 1, j, i]
                                                 - 6 * a[k, j, i])

    return copy, triad, sweep


def stream(backend, dtype, n=1 << 27):
    """Copy and triad bandwidth (GB/s) of the backend's memory with ``n`` elements per array.

    The default 2^27 elements (0.5 GB per float32 array) is far beyond any
    cache, so this is the DRAM / HBM roofline.
    """
    xp, sync = backend.xp, backend.synchronize
    scalar = np.dtype(dtype).type(3.0)
    size = np.dtype(dtype).itemsize
    a, b, c = (xp.ones(n, dtype=dtype) for _ in range(3))
    if backend.is_gpu:
        cp = backend.xp
        copy_k = cp.ElementwiseKernel("T x", "T y", "y = x", "halltwin_copy")
        triad_k = cp.ElementwiseKernel("T y, T z, T s", "T x", "x = y + s * z", "halltwin_triad")
        t_copy = _best(lambda: copy_k(a, b), sync)
        t_triad = _best(lambda: triad_k(b, c, scalar, a), sync)
    else:
        copy, triad, _ = _numba_kernels()
        t_copy = _best(lambda: copy(a, b), sync)
        t_triad = _best(lambda: triad(a, b, c, scalar), sync)
    return {"copy": 2 * n * size / t_copy / 1e9, "triad": 3 * n * size / t_triad / 1e9}


def stencil_sweep(backend, shape, dtype):
    """Seconds for one 7-point stencil sweep (read one array, write one) on the grid ``shape``."""
    nx, ny, nz = shape
    xp = backend.xp
    c = np.dtype(dtype).type(0.1)
    a = xp.ones((nz + 2, ny + 2, nx + 2), dtype=dtype)
    out = xp.zeros_like(a)
    if backend.is_gpu:
        real = "double" if np.dtype(dtype) == np.float64 else "float"
        fn = backend.xp.RawModule(code=_CUDA_SWEEP.replace("REAL", real)).get_function("sweep")
        blocks = (nx * ny * nz + 255) // 256
        args = (a, out, c, np.int32(nz), np.int32(ny), np.int32(nx))
        return _best(lambda: fn((blocks,), (256,), args), backend.synchronize)
    if backend.name == "numba":
        sweep = _numba_kernels()[2]
        return _best(lambda: sweep(a, out, c), backend.synchronize)
    return numpy_sweep(a, out)


def numpy_sweep(a, out):
    """Seconds for the same sweep in plain NumPy idiom (slices and temporaries)."""

    def run():
        out[1:-1, 1:-1, 1:-1] = a[1:-1, 1:-1, 1:-1] + 0.1 * (
            a[1:-1, 1:-1, :-2] + a[1:-1, 1:-1, 2:] + a[1:-1, :-2, 1:-1] + a[1:-1, 2:, 1:-1]
            + a[:-2, 1:-1, 1:-1] + a[2:, 1:-1, 1:-1] - 6 * a[1:-1, 1:-1, 1:-1])

    return _best(run, lambda: None, reps=3)


def kernel_table(solver):
    """Rows (name, seconds, effective GB/s) for the solver's kernels on its own arrays."""
    k, g, n3, h = solver.kernels, GHOST, solver.n3, solver.grid.spacing
    b = solver.dtype.itemsize
    cells = int(np.prod(n3))
    nut_bytes = b if solver.nu_t is not None else 0
    sync = solver.backend.synchronize
    fine = solver.poisson.levels[0]
    rows = [
        ("scalar_update", lambda: k.scalar_update(solver.T, solver.vel, 2e-5, solver.nu_t, 1.2,
                                                  solver.fluid, h, 1e-3, g, n3, solver.T_new),
         5 * b + 1 + nut_bytes),
        ("momentum_update u", lambda: k.momentum_update(0, solver.vel, solver.T, 1.5e-5,
                                                        solver.nu_t,
                                                        solver.open[0], h, 1e-3, 0.0, 24.0, g, n3,
                                                        solver.vel_new[0]),
         6 * b + 1 + nut_bytes),
        ("divergence", lambda: k.divergence(solver.vel, h, 1.0, solver.fluid, g, n3, solver.rhs),
         4 * b + 1),
        ("project u", lambda: k.project(0, solver.vel_new[0], solver.p, solver.open[0], h, 0.0, g,
                                        n3), 3 * b + 1),
        ("mg_smooth (half)", lambda: k.mg_smooth(fine, 0), 7 * b),
        ("mg_residual", lambda: k.mg_residual(fine), 7 * b),
    ]
    sl = solver.transport
    if solver.advection == "semi-lagrangian":
        per = sl.periodic
        rows += [
            ("sl_trace", lambda: sl.kernels.sl_trace(solver.vel, h, 0.1, per, g, n3, sl.disp),
             6 * b),
            ("sl_scalar", lambda: sl.kernels.sl_scalar(solver.T, sl.disp, solver.fluid, per, g, n3,
                                                       solver.T_new), 5 * b + 1),
            ("sl_velocities", lambda: sl.kernels.sl_velocities(
                solver.vel, sl.disp, solver.open, per, g, n3, solver.vel_new), 9 * b + 3),
            ("diffuse_scalar", lambda: sl.kernels.diffuse_scalar(solver.T, 2e-5, solver.nu_t, 1.2,
                                                                 solver.fluid, h, 1e-3, g, n3,
                                                                 solver.T_new),
             2 * b + 1 + nut_bytes),
            ("diffuse_velocity u", lambda: sl.kernels.diffuse_velocity(
                0, solver.vel[0], solver.T, 1.5e-5, solver.nu_t, solver.open[0], h, 1e-3, 0.0,
                24.0, g, n3, solver.vel_new[0]), 3 * b + 1 + nut_bytes),
        ]
    if solver.nu_t is not None:
        rows.insert(2, ("smagorinsky", lambda: k.smagorinsky(solver.vel, 1e-3, g, n3, h,
                                                              solver.nu_t), 4 * b))
    out = []
    for name, fn, per_cell in rows:
        seconds = _best(fn, sync)
        out.append((name, seconds, per_cell * cells / seconds / 1e9))
    if not solver.backend.is_gpu:
        nx, ny, nz = solver.grid.shape
        a = np.ones((nz + 2, ny + 2, nx + 2), dtype=solver.dtype)
        seconds = numpy_sweep(a, np.zeros_like(a))
        out.append(("7-point, NumPy idiom", seconds, 2 * b * cells / seconds / 1e9))
        if solver.backend.name == "numba":
            seconds = stencil_sweep(solver.backend, (nx, ny, nz), solver.dtype)
            out.append(("7-point, numba", seconds, 2 * b * cells / seconds / 1e9))
    else:
        nx, ny, nz = solver.grid.shape
        seconds = stencil_sweep(solver.backend, (nx, ny, nz), solver.dtype)
        out.append(("7-point, CUDA", seconds, 2 * b * cells / seconds / 1e9))
    return out
