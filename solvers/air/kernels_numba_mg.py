"""Compiled CPU kernels (numba) of the multigrid-preconditioned CG pressure solve.

Same conventions as :mod:`.kernels_numba`: one parallel pass per kernel over
the interior box (ghost width ``g``), rows shared among threads.  Used
through :class:`.kernels_numba.NumbaKernels`.
"""

from __future__ import annotations

from numba import njit, prange

# Options of every compiled kernel.  error_model "numpy": no ZeroDivisionError
# checks in the loops; fastmath without nnan/ninf, so NaN still propagates and
# is caught.
JIT = {
    "cache": True,
    "nogil": True,
    "error_model": "numpy",
    "fastmath": {"nsz", "arcp", "contract", "afn", "reassoc"},
}
_JIT = JIT


@njit(inline="always")
def _neighbours(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, i):
    return (
        (cx[k, j, i] * x[k, j, i - 1] + cx[k, j, i + 1] * x[k, j, i + 1]) * ihx2
        + (cy[k, j, i] * x[k, j - 1, i] + cy[k, j + 1, i] * x[k, j + 1, i]) * ihy2
        + (cz[k, j, i] * x[k - 1, j, i] + cz[k + 1, j, i] * x[k + 1, j, i]) * ihz2
    )


@njit(parallel=True, **_JIT)
def _mg_smooth(x, b, cx, cy, cz, inv_diag, ihx2, ihy2, ihz2, colour, g, nz, ny, nx):
    for kj in prange(nz * ny):
        kk = kj // ny
        jj = kj % ny
        k, j = kk + g, jj + g
        for i in range(g + (colour + kk + jj) % 2, g + nx, 2):
            x[k, j, i] = (
                b[k, j, i] + _neighbours(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, i)
            ) * inv_diag[k, j, i]


@njit(parallel=True, **_JIT)
def _mg_residual(x, b, cx, cy, cz, diag, ihx2, ihy2, ihz2, sign, g, nz, ny, nx, out):
    """out = b - A x (sign = 1, b used) or A x (sign = 0)."""
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            ax = diag[k, j, i] * x[k, j, i] - _neighbours(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, i)
            out[k, j, i] = b[k, j, i] - ax if sign else ax


@njit(parallel=True, **_JIT)
def _mg_restrict(r, fz, fy, fx, g, b, gc, nzc, nyc, nxc):
    scale = 1.0 / (fz * fy * fx)
    for kj in prange(nzc * nyc):
        kc = kj // nyc
        jc = kj % nyc
        for ic in range(nxc):
            s = 0.0
            for a in range(fz):
                for bb in range(fy):
                    for c in range(fx):
                        s += r[g + kc * fz + a, g + jc * fy + bb, g + ic * fx + c]
            b[gc + kc, gc + jc, gc + ic] = s * scale


@njit(parallel=True, **_JIT)
def _mg_prolong(e, gc, fz, fy, fx, x, g, nz, ny, nx):
    # factors are 1 or 2, so a shift by (f - 1) divides; an integer division in
    # the inner loop would cost more than the memory traffic
    sz, sy, sx = fz - 1, fy - 1, fx - 1
    for kj in prange(nz * ny):
        kk = kj // ny
        jj = kj % ny
        kc = gc + (kk >> sz)
        jc = gc + (jj >> sy)
        for ii in range(nx):
            x[g + kk, g + jj, g + ii] += e[kc, jc, gc + (ii >> sx)]


@njit(parallel=True, **_JIT)
def _dot(a, b, g, nz, ny, nx):
    total = 0.0
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        row = 0.0
        for i in range(g, g + nx):
            row += a[k, j, i] * b[k, j, i]
        total += row
    return total


@njit(parallel=True, **_JIT)
def _axpy2(alpha, d, q, p, r, g, nz, ny, nx):
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            p[k, j, i] += alpha * d[k, j, i]
            r[k, j, i] -= alpha * q[k, j, i]


@njit(parallel=True, **_JIT)
def _xpby(z, beta, d, g, nz, ny, nx):
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            d[k, j, i] = z[k, j, i] + beta * d[k, j, i]
