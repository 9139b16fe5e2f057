"""Compiled CPU kernels (numba) of the multigrid-preconditioned CG pressure solve.

Same conventions as :mod:`.kernels_numba`: one parallel pass per kernel over
the interior box (ghost width ``g``), rows shared among threads.  Used
through :class:`.kernels_numba.NumbaKernels`.

Written so that LLVM vectorises the inner loops (``x`` innermost, 8–16 cells
per instruction); timings below are one core of the development VM on the
10 MW hall's fine level (112 × 88 × 22, float32).

* Every row is reached through 1-D views that start at the first interior
  cell (``x[k, j, g - 1:]`` for the west neighbour) and indexed from 0.  An
  index like ``i - 1`` with ``i`` from ``g`` could be negative as far as
  numba knows, so it wraps it (``i + n`` when negative) and the branch
  stops the vectoriser (a residual took 0.9 ms, now 0.12 ms).
* Scalars come in the arrays' precision (``1/h²`` as float32 for float32
  fields): a Python float is float64 and would promote the whole loop,
  halving the lanes.
* A red–black half-sweep computes the neighbour sums of the whole row into
  a scratch row (vectorised), then stores its colour's cells by a
  conditional store over the whole row (a masked vector store): 0.12 ms;
  a stride-2 loop over the colour does not vectorise (0.37 ms, or 0.17 ms
  as the store loop after the scratch row).
* The fields fit in the L3 cache, not in L2, so fewer bytes read is faster:
  fused kernels (residual and restriction; ``A x`` and its dot product; the
  CG update and ``r · r``) and 0/1 face coefficients as bytes (see
  :class:`.kernels_numba.NumbaKernels`).
* Reductions sum each row in float64 lanes, then the rows in float64: as
  accurate as a float64 sum of the float32 products, at vector speed.
"""

from __future__ import annotations

import numpy as np
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
def _chunks(rows):
    """Number of blocks of rows shared among threads; each allocates its scratch rows once.

    A fixed count (numba's thread count would be a dynamic global, which
    stops the on-disk cache): enough blocks to balance a few dozen threads,
    few enough that the allocations cost nothing next to the rows.
    """
    return min(rows, 64)


@njit(inline="always")
def _neighbours_row(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, g, nx, out):
    """``out[i] = sum_f c_f x_nb / h²`` along row ``(k, j)``, ``i = 0`` the first interior cell."""
    xw, xe = x[k, j, g - 1 :], x[k, j, g + 1 :]
    xs, xn = x[k, j - 1, g:], x[k, j + 1, g:]
    xd, xu = x[k - 1, j, g:], x[k + 1, j, g:]
    cw, ce = cx[k, j, g:], cx[k, j, g + 1 :]
    cs, cn = cy[k, j, g:], cy[k, j + 1, g:]
    cd, cu = cz[k, j, g:], cz[k + 1, j, g:]
    for i in range(nx):
        out[i] = (
            (cw[i] * xw[i] + ce[i] * xe[i]) * ihx2
            + (cs[i] * xs[i] + cn[i] * xn[i]) * ihy2
            + (cd[i] * xd[i] + cu[i] * xu[i]) * ihz2
        )


@njit(parallel=True, **_JIT)
def _mg_smooth(x, b, cx, cy, cz, ihx2, ihy2, ihz2, inv_diag, colour, g, nz, ny, nx):
    rows = nz * ny
    blocks = _chunks(rows)
    for blk in prange(blocks):
        nb = np.empty(nx, dtype=x.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            kk, jj = kj // ny, kj % ny
            k, j = kk + g, jj + g
            _neighbours_row(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, g, nx, nb)
            xr, br, dr = x[k, j, g:], b[k, j, g:], inv_diag[k, j, g:]
            first = (colour + kk + jj) % 2
            for i in range(nx):
                if i % 2 == first:
                    xr[i] = (br[i] + nb[i]) * dr[i]


@njit(parallel=True, **_JIT)
def _mg_smooth_from_zero(x, b, inv_diag, colour, g, nz, ny, nx):
    """The half-sweep of ``colour`` from ``x = 0``: ``x = b / diag`` there, 0 elsewhere."""
    for kj in prange(nz * ny):
        kk, jj = kj // ny, kj % ny
        xr, br, dr = x[kk + g, jj + g, g:], b[kk + g, jj + g, g:], inv_diag[kk + g, jj + g, g:]
        first = (colour + kk + jj) % 2
        for i in range(nx):
            xr[i] = br[i] * dr[i] if i % 2 == first else 0
    # ghosts stay as they are: walls have zero coefficients and periodic ones are refilled


@njit(parallel=True, **_JIT)
def _mg_residual_norms(x, b, cx, cy, cz, ihx2, ihy2, ihz2, diag, g, nz, ny, nx, out):
    """``out = b - A x``; returns ``b · b`` and ``out · out`` (float64)."""
    rows = nz * ny
    blocks = _chunks(rows)
    bb = rr = 0.0
    for blk in prange(blocks):
        nb = np.empty(nx, dtype=x.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k, j = kj // ny + g, kj % ny + g
            _neighbours_row(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, g, nx, nb)
            xr, br, dr, o = x[k, j, g:], b[k, j, g:], diag[k, j, g:], out[k, j, g:]
            row_b = row_r = 0.0
            for i in range(nx):
                ri = br[i] - (dr[i] * xr[i] - nb[i])
                o[i] = ri
                row_b += br[i] * br[i]
                row_r += ri * ri
            bb += row_b
            rr += row_r
    return bb, rr


@njit(parallel=True, **_JIT)
def _mg_apply_dot(x, cx, cy, cz, ihx2, ihy2, ihz2, diag, g, nz, ny, nx, out):
    """``out = A x``; returns ``x · out`` (float64)."""
    rows = nz * ny
    blocks = _chunks(rows)
    total = 0.0
    for blk in prange(blocks):
        nb = np.empty(nx, dtype=x.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k, j = kj // ny + g, kj % ny + g
            _neighbours_row(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, g, nx, nb)
            xr, dr, o = x[k, j, g:], diag[k, j, g:], out[k, j, g:]
            row = 0.0
            for i in range(nx):
                ax = dr[i] * xr[i] - nb[i]
                o[i] = ax
                row += xr[i] * ax
            total += row
    return total


@njit(parallel=True, **_JIT)
def _mg_residual_restrict(
    x, b, cx, cy, cz, ihx2, ihy2, ihz2, diag, g, nz, ny, nx,
    fz, fy, fx, scale, bc, gc, nzc, nyc, nxc,
):  # fmt: skip
    """``bc`` = mean over each coarse cell's children of ``b - A x`` (no fine residual stored).

    Children beyond the fine interior (an odd size padded to the coarse
    grid) count as zero, like the never-written ghosts of the reference's
    residual array.
    """
    rows = nzc * nyc
    blocks = _chunks(rows)
    for blk in prange(blocks):
        nb = np.empty(nx, dtype=x.dtype)
        fine = np.empty(nxc * fx, dtype=x.dtype)  # the children's sum, at fine resolution
        for kjc in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            kc, jc = kjc // nyc, kjc % nyc
            fine[:] = 0  # the tail past nx stays 0
            for kk in range(kc * fz, min(kc * fz + fz, nz)):
                for jj in range(jc * fy, min(jc * fy + fy, ny)):
                    k, j = kk + g, jj + g
                    _neighbours_row(x, cx, cy, cz, ihx2, ihy2, ihz2, k, j, g, nx, nb)
                    xr, br, dr = x[k, j, g:], b[k, j, g:], diag[k, j, g:]
                    for i in range(nx):
                        fine[i] += br[i] - (dr[i] * xr[i] - nb[i])
            # pairs along x last, once per coarse row: a stride-2 loop is slow
            out = bc[gc + kc, gc + jc, gc:]
            if fx == 2:
                for ic in range(nxc):
                    out[ic] = (fine[2 * ic] + fine[2 * ic + 1]) * scale
            else:
                for ic in range(nxc):
                    out[ic] = fine[ic] * scale


@njit(parallel=True, **_JIT)
def _mg_prolong(e, gc, fz, fy, fx, x, g, nz, ny, nx):
    # factors are 1 or 2, so a shift by (f - 1) divides; along x each coarse
    # value goes to two neighbours (a gather e[i >> 1] would not vectorise)
    sz, sy = fz - 1, fy - 1
    for kj in prange(nz * ny):
        kk, jj = kj // ny, kj % ny
        er = e[gc + (kk >> sz), gc + (jj >> sy), gc:]
        xr = x[g + kk, g + jj, g:]
        if fx == 2:
            half = nx // 2
            for ic in range(half):
                xr[2 * ic] += er[ic]
                xr[2 * ic + 1] += er[ic]
            if nx % 2:
                xr[nx - 1] += er[half]
        else:
            for i in range(nx):
                xr[i] += er[i]


@njit(**_JIT)
def _mg_coarse_solve(pinv, flat, b, x):
    """``x = pinv b`` on the active cells ``flat`` (flat indices), 0 elsewhere (one thread).

    A few hundred cells: NumPy's fancy indexing and BLAS call cost more than
    the product itself.
    """
    bf, xf = b.reshape(-1), x.reshape(-1)
    n = flat.size
    rhs = np.empty(n, dtype=b.dtype)
    for c in range(n):
        rhs[c] = bf[flat[c]]
    xf[:] = 0
    for r in range(n):
        row = pinv[r]
        s = b.dtype.type(0)
        for c in range(n):
            s += row[c] * rhs[c]
        xf[flat[r]] = s


@njit(parallel=True, **_JIT)
def _dot(a, b, g, nz, ny, nx):
    total = 0.0
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        ar, br = a[k, j, g:], b[k, j, g:]
        row = 0.0
        for i in range(nx):
            row += ar[i] * br[i]
        total += row
    return total


@njit(parallel=True, **_JIT)
def _copy_dot(z, r, d, g, nz, ny, nx):
    """``d = z``; returns ``r · z`` (float64)."""
    total = 0.0
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        zr, rr, dr = z[k, j, g:], r[k, j, g:], d[k, j, g:]
        row = 0.0
        for i in range(nx):
            dr[i] = zr[i]
            row += rr[i] * zr[i]
        total += row
    return total


@njit(parallel=True, **_JIT)
def _axpy2_dot(alpha, d, q, p, r, g, nz, ny, nx):
    """``p += alpha d``, ``r -= alpha q``; returns ``r · r`` (float64)."""
    total = 0.0
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        dr, qr, pr, rr = d[k, j, g:], q[k, j, g:], p[k, j, g:], r[k, j, g:]
        row = 0.0
        for i in range(nx):
            pr[i] += alpha * dr[i]
            ri = rr[i] - alpha * qr[i]
            rr[i] = ri
            row += ri * ri
        total += row
    return total


@njit(parallel=True, **_JIT)
def _xpby(z, beta, d, g, nz, ny, nx):
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        zr, dr = z[k, j, g:], d[k, j, g:]
        for i in range(nx):
            dr[i] = zr[i] + beta * dr[i]


@njit(**_JIT)
def _mg_restrict_moved(cells, own, owner, x, b, cx, cy, cz, diag, ihx2, ihy2, ihz2, row, plane,
                       scale, bc):  # fmt: skip
    """Move each listed cell's share of the restricted residual (flat arrays) from its block's
    coarse cell ``own`` to the aggregate ``owner`` it joined (none: -1); see
    :mod:`.aggregates`.  One thread: the lists are short and share coarse cells."""
    for t in range(cells.size):
        c = cells[t]
        nb = ((cx[c] * x[c - 1] + cx[c + 1] * x[c + 1]) * ihx2
              + (cy[c] * x[c - row] + cy[c + row] * x[c + row]) * ihy2
              + (cz[c] * x[c - plane] + cz[c + plane] * x[c + plane]) * ihz2)  # fmt: skip
        share = scale * (b[c] - (diag[c] * x[c] - nb))
        bc[own[t]] -= share
        if owner[t] >= 0:
            bc[owner[t]] += share


@njit(**_JIT)
def _mg_prolong_moved(cells, own, owner, e, x):
    """Each listed cell takes its aggregate's correction ``e[owner]`` (0 for none) instead of
    its block's ``e[own]`` (flat arrays)."""
    for t in range(cells.size):
        joined = e[owner[t]] if owner[t] >= 0 else e[own[t]] - e[own[t]]
        x[cells[t]] += joined - e[own[t]]
