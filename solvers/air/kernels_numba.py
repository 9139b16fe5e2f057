"""Compiled CPU kernels (numba): the reference kernels fused into single parallel loops.

Each kernel is one pass over the interior box with no temporary arrays: the
``k, j`` rows are shared among threads (``prange``), ``i`` runs innermost over
contiguous memory; Smagorinsky's, like the flux scheme's transport kernels
(:mod:`.kernels_flux_numba`), runs over spans of a plane's rows as one flat
run instead (:mod:`.kernels_numba_planes`; 0.23 -> 0.16 ms on the 10 MW
hall's grid).  The arithmetic follows :mod:`.kernels_numpy` term by term,
so the two agree to rounding.  Compiled once and cached on disk
(``cache=True``).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from solvers.backend import OneThread, serial_cells

from .boundary import fill_periodic
from .kernels_flux_numba import heat_update, momentum_update
from .kernels_numba_mg import (
    JIT as _JIT,
)
from .kernels_numba_mg import (
    _axpy2_dot,
    _chunks,
    _copy_dot,
    _dot,
    _mg_apply_dot,
    _mg_coarse_solve,
    _mg_prolong,
    _mg_prolong_moved,
    _mg_residual_norms,
    _mg_residual_restrict,
    _mg_restrict_moved,
    _mg_smooth,
    _mg_smooth_from_zero,
    _xpby,
)
from .kernels_numba_planes import INTERIOR, PARTS, CellFlags, flat, span, strides
from .kernels_numpy import NumpyKernels


@njit(**_JIT)
def _fill_axis(f0, f1, f2, nut, ops, coef, kappa, inv_prt, axis):
    """One axis of a ghost plan (see :func:`.boundary.apply_plan`) on up to three fields.

    The three axes' loops are written out: one loop through transposed views
    took 1.7x as long (numba's dispatch of non-contiguous arrays), one through
    flat indices 3x, one through an index helper 7x.  Along x the rows go in
    one plane at a time, every operation over the plane before the next
    plane: the layers at a row's two ends are a few cache lines, which an
    operation at a time over all rows swept once for each operation (x:
    16.5 -> 10 us, a velocity fill 38 -> 31 us on the hall's grid).
    """
    nz, ny, nx = f0.shape
    if axis == 0:
        for k in range(nz):
            for o in range(ops.shape[0]):
                which, ghost, source, first = ops[o, 0], ops[o, 1], ops[o, 2], ops[o, 3]
                a = f0 if which == 0 else (f1 if which == 1 else f2)
                scale, offset, flux = coef[o, 0], coef[o, 1], coef[o, 2]
                for j in range(ny):
                    v = scale * a[k, j, source] + offset
                    if flux != 0:
                        v += flux / (kappa + inv_prt * nut[k, j, first])
                    a[k, j, ghost] = v
        return
    for o in range(ops.shape[0]):
        which, ghost, source, first = ops[o, 0], ops[o, 1], ops[o, 2], ops[o, 3]
        a = f0 if which == 0 else (f1 if which == 1 else f2)
        scale, offset, flux = coef[o, 0], coef[o, 1], coef[o, 2]
        if axis == 1:
            for k in range(nz):
                for i in range(nx):
                    v = scale * a[k, source, i] + offset
                    if flux != 0:
                        v += flux / (kappa + inv_prt * nut[k, first, i])
                    a[k, ghost, i] = v
        else:
            for j in range(ny):
                for i in range(nx):
                    v = scale * a[source, j, i] + offset
                    if flux != 0:
                        v += flux / (kappa + inv_prt * nut[first, j, i])
                    a[ghost, j, i] = v


@njit(inline="always")
def _shear(a, b, qa, qb, s, n, c, d, s2):
    """``s2 += (da/dd + db/dc)²`` over a span: ``a``, ``b`` the c and d face velocities.

    Centred differences of cell-centred velocities; ``qa = 0.25 / h_d``,
    ``qb = 0.25 / h_c``; ``c`` and ``d`` the flat strides of the two axes.
    """
    a1, a2, a3, a4 = a[s + d :], a[s + d + c :], a[s - d :], a[s + c - d :]
    b1, b2, b3, b4 = b[s + c :], b[s + c + d :], b[s - c :], b[s + d - c :]
    for i in range(n):
        shear = qa * (a1[i] + a2[i] - a3[i] - a4[i]) + qb * (b1[i] + b2[i] - b3[i] - b4[i])
        s2[i] += shear * shear


@njit(parallel=True, **_JIT)
def _smagorinsky(u, v, w, cs_delta2, ihx, ihy, ihz, qx, qy, qz, two, flags, g, nz, ny, row, plane,
                 out):  # fmt: skip
    # spans of flat runs as the flux kernels loop (kernels_numba_planes), scalars in
    # the fields' precision, so that the loops vectorise; q* = 0.25 / h*
    for item in prange(nz * PARTS):
        s, n = span(item, g, ny, row, plane)
        s2 = np.empty(n, dtype=out.dtype)
        u0, u1, v0, v1, w0, w1 = u[s:], u[s + 1 :], v[s:], v[s + row :], w[s:], w[s + plane :]
        for i in range(n):
            sxx = (u1[i] - u0[i]) * ihx
            syy = (v1[i] - v0[i]) * ihy
            szz = (w1[i] - w0[i]) * ihz
            s2[i] = two * (sxx * sxx + syy * syy + szz * szz)
        _shear(u, v, qy, qx, s, n, 1, row, s2)  # x, y
        _shear(u, w, qz, qx, s, n, 1, plane, s2)  # x, z
        _shear(v, w, qz, qy, s, n, row, plane, s2)  # y, z
        fl, o = flags[s : s + n], out[s : s + n]
        for i in range(n):
            o[i] = cs_delta2 * np.sqrt(s2[i]) if fl[i] & INTERIOR else o[i]


@njit(parallel=True, **_JIT)
def _divergence(u, v, w, ihx, ihy, ihz, scale, fluid, g, nz, ny, nx, out):
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        u0, u1 = u[k, j, g:], u[k, j, g + 1 :]
        v0, v1 = v[k, j, g:], v[k, j + 1, g:]
        w0, w1 = w[k, j, g:], w[k + 1, j, g:]
        fl, o = fluid[k, j, g:], out[k, j, g:]
        for i in range(nx):
            div = (u1[i] - u0[i]) * ihx + (v1[i] - v0[i]) * ihy + (w1[i] - w0[i]) * ihz
            o[i] = scale * div if fl[i] else scale - scale


@njit(parallel=True, **_JIT)
def _project(q, p, open_c, dt_h, dk, dj, di, g, nz, ny, nx):
    """``q -= dt/h (p - p_below)`` on open faces; ``dt_h`` = dt / h in the fields' precision."""
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        qr, pr, pb, oc = q[k, j, g:], p[k, j, g:], p[k - dk, j - dj, g - di :], open_c[k, j, g:]
        for i in range(nx):
            step = dt_h * (pr[i] - pb[i])
            qr[i] -= step if oc[i] else step - step


@njit(parallel=True, **_JIT)
def _average(a, b, g, nz, ny, nx):
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            b[k, j, i] = 0.5 * (a[k, j, i] + b[k, j, i])


@njit(parallel=True, **_JIT)
def _extrapolate(p, last, theta):
    # by rows, ghosts included: the engine hands out a few rows at a time
    # (numba.parallel_chunksize), which for single cells would be 100,000 chunks
    nz, ny, nx = p.shape
    for kj in prange(nz * ny):
        pr, lr = p[kj // ny, kj % ny], last[kj // ny, kj % ny]
        for i in range(nx):
            now = pr[i]
            pr[i] = now + theta * (now - lr[i])
            lr[i] = now


@njit(parallel=True, **_JIT)
def _max_abs_bits(a, offset, magnitude, best, g, nz, ny, nx):
    """Per block of rows, the largest ``|a - offset|`` as the bits of a float (``best``).

    A float's bits with the sign cleared (``& magnitude``) order as unsigned
    integers the way the magnitudes do, with every NaN above infinity: so an
    integer maximum, which vectorises (a float maximum that must keep NaN does
    not: 95 -> 35 µs on the hall's grid), finds the largest magnitude and any
    NaN at once.  ``best`` holds unsigned integers of ``a``'s width.
    """
    rows = nz * ny
    blocks = best.size
    for blk in prange(blocks):
        diff = np.empty(nx, dtype=a.dtype)
        bits = diff.view(best.dtype)
        top = magnitude - magnitude
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            r = a[kj // ny + g, kj % ny + g, g:]
            for i in range(nx):
                diff[i] = r[i] - offset
            for i in range(nx):
                b = bits[i] & magnitude
                top = b if b > top else top
        best[blk] = top


#: Unsigned integer of each float width, and the mask that clears its sign bit.
_BITS = {4: (np.uint32, np.uint32(0x7FFF_FFFF)), 8: (np.uint64, np.uint64(0x7FFF_FFFF_FFFF_FFFF))}


def _max_abs(a, offset, g, nz, ny, nx):
    """Largest ``|a - offset|`` over the interior; NaN if any value is NaN."""
    uint, magnitude = _BITS[a.itemsize]
    best = np.zeros(_chunks(nz * ny), dtype=uint)
    _max_abs_bits(a, a.dtype.type(offset), magnitude, best, g, nz, ny, nx)
    return float(best.max().view(a.dtype))


class NumbaKernels(NumpyKernels):
    """The kernels of :class:`.NumpyKernels`, compiled: same signatures, same answers."""

    name = "numba"

    def __init__(self):
        super().__init__(np)
        self._flags = CellFlags()

    def scalar_update(self, T, vel, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        f = T.dtype.type
        nut, half_k = (T, f(0)) if nu_t is None else (nu_t, f(0.5 * inv_prt))
        heat_update(flat(T), *(flat(v) for v in vel), f(kappa), flat(nut), half_k,
                    self._flags.scalar(fluid, g, n3), *(f(1.0 / hh) for hh in h), f(dt), g,
                    *n3[:2], *strides(T), flat(out))  # fmt: skip

    def momentum_update(self, c, vel, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        f = T.dtype.type
        nut, a1, a4 = (vel[c], f(0), f(0)) if nu_t is None else (nu_t, f(1), f(0.25))
        momentum_update(flat(vel[c]), *(flat(v) for v in vel), flat(T), f(nu), flat(nut), a1, a4,
                        self._flags.velocity(open_c, g, n3), *(f(1.0 / hh) for hh in h), f(dt),
                        f(buoyancy_c), f(0.5), f(t_ref), c, g, *n3[:2], *strides(T),
                        flat(out))  # fmt: skip

    def smagorinsky(self, vel, cs_delta2, g, n3, h, out):
        f = out.dtype.type
        inv_h = [f(1.0 / hh) for hh in h]
        quarter = [f(0.25 / hh) for hh in h]
        _smagorinsky(*(flat(v) for v in vel), f(cs_delta2), *inv_h, *quarter, f(2.0),
                     self._flags.interior(out, g, n3), g, *n3[:2], *strides(out),
                     flat(out))  # fmt: skip

    def divergence(self, vel, h, scale, fluid, g, n3, out):
        f = out.dtype.type
        _divergence(*vel, *(f(1.0 / hh) for hh in h), f(scale), fluid, g, *n3, out)

    def project(self, c, vel_c, p, open_c, h, dt, g, n3):
        dk, dj, di = int(c == 2), int(c == 1), int(c == 0)
        _project(vel_c, p, open_c, vel_c.dtype.type(dt / h[c]), dk, dj, di, g, *n3)

    def max_abs(self, a, g, n3, offset=0.0):
        return _max_abs(a, offset, g, *n3)

    def average(self, a, b, g, n3):
        _average(a, b, g, *n3)

    def extrapolate(self, p, last, theta):
        _extrapolate(p, last, p.dtype.type(theta))

    def fill_ghosts(self, plan, fields, nu_t=None):
        dtype = fields[0].dtype
        tables = plan.device.get(("numba", dtype))
        if tables is None:
            # the coefficients in the fields' precision, so the arithmetic stays in it
            coef = tuple(c.astype(dtype) for c in plan.coefficients)
            scalars = (dtype.type(plan.kappa), dtype.type(plan.inv_prt))
            tables = plan.device[("numba", dtype)] = (coef, scalars)
        coef, (kappa, inv_prt) = tables
        f = (*fields, *(fields[0],) * (3 - len(fields)))
        nut = nu_t if nu_t is not None else f[0]
        for axis in range(3):
            if len(plan.ops[axis]):
                _fill_axis(*f, nut, plan.ops[axis], coef[axis], kappa, inv_prt, axis)

    # multigrid
    def _level(self, lev):
        """A level's stencil arguments ``(cx, cy, cz, 1/hx², 1/hy², 1/hz²)``, periodic axes,
        and whether it is small enough to run on one thread
        (:func:`solvers.backend.serial_cells`: a big grid's coarse levels are).

        Built once per level (kept in ``lev.kernel_args``): the byte copies
        of 0/1 coefficients cost a pass over the grid, and on the coarse
        levels even rebuilding the tuple is a fair part of a kernel's few
        microseconds.  ``1/h²`` is in the arrays' precision (see
        :mod:`.kernels_numba_mg`).
        """
        args = lev.kernel_args.get("numba")
        if args is None:
            real = lev.diag.dtype.type
            coef = lev.coef
            if all(np.array_equal(c, c != 0) for c in coef):
                # the fine level's faces are open (1) or shut (0): a byte each
                # instead of 4 or 8 moves less through the cache, same values
                coef = tuple(c.astype(np.uint8) for c in coef)
            stencil = (*coef, *(real(1.0 / h**2) for h in lev.h))
            axes = tuple(a for a in range(3) if lev.periodic[a] and lev.n3[2 - a] > 1)
            small = int(np.prod(lev.n3)) < serial_cells()
            args = lev.kernel_args["numba"] = (stencil, axes, small)
        return args

    def _on(self, lev, kernel, *args):
        """``kernel(*args)``, on one thread if ``lev`` is a small level."""
        if not self._level(lev)[2]:
            return kernel(*args)
        with OneThread(numba):
            return kernel(*args)

    def mg_fill_periodic(self, lev, a):
        for axis in self._level(lev)[1]:
            fill_periodic(a, axis, lev.n3[2 - axis], lev.g)

    def mg_apply(self, lev, x, out):
        self.mg_apply_dot(lev, x, out)

    def mg_apply_dot(self, lev, x, out):
        return float(_mg_apply_dot(x, *self._level(lev)[0], lev.diag, lev.g, *lev.n3, out))

    def mg_residual_of(self, lev, x, b, r):
        self.mg_fill_periodic(lev, x)
        # the residual's pass with its two norms, which cost next to nothing here
        _mg_residual_norms(x, b, *self._level(lev)[0], lev.diag, lev.g, *lev.n3, r)

    def mg_smooth(self, lev, colour):
        stencil, axes, _ = self._level(lev)
        for axis in axes:
            fill_periodic(lev.x, axis, lev.n3[2 - axis], lev.g)
        self._on(lev, _mg_smooth, lev.x, lev.b, *stencil, lev.inv_diag, colour, lev.g, *lev.n3)

    def mg_smooth_from_zero(self, lev, colour):
        self._on(lev, _mg_smooth_from_zero, lev.x, lev.b, lev.inv_diag, colour, lev.g, *lev.n3)

    def mg_residual_restrict(self, fine, coarse):
        stencil, axes, _ = self._level(fine)
        for axis in axes:
            fill_periodic(fine.x, axis, fine.n3[2 - axis], fine.g)
        fx, fy, fz = fine.factor
        scale = fine.diag.dtype.type(1.0 / (fx * fy * fz))
        self._on(
            fine, _mg_residual_restrict, fine.x, fine.b, *stencil, fine.diag, fine.g, *fine.n3,
            fz, fy, fx, scale, coarse.b, coarse.g, *coarse.n3,
        )  # fmt: skip

    def mg_prolong(self, coarse, fine):
        fx, fy, fz = fine.factor
        self._on(fine, _mg_prolong, coarse.x, coarse.g, fz, fy, fx, fine.x, fine.g, *fine.n3)

    def mg_restrict_moved(self, fine, coarse):
        self.mg_fill_periodic(fine, fine.x)
        real, moved = fine.x.dtype.type, fine.moved
        ny, nx = fine.x.shape[1:]
        fx, fy, fz = fine.factor
        _mg_restrict_moved(moved.cells, moved.own, moved.owner, flat(fine.x), flat(fine.b),
                           *(flat(c) for c in fine.coef), flat(fine.diag),
                           *(real(1.0 / h**2) for h in fine.h), nx, nx * ny,
                           real(1.0 / (fx * fy * fz)), flat(coarse.b))  # fmt: skip

    def mg_prolong_moved(self, coarse, fine):
        moved = fine.moved
        _mg_prolong_moved(moved.cells, moved.own, moved.owner, flat(coarse.x), flat(fine.x))

    def mg_coarse_solve(self, lev, pinv, flat):
        _mg_coarse_solve(pinv, flat, lev.b, lev.x)

    def mg_dot(self, lev, a, b):
        return float(_dot(a, b, lev.g, *lev.n3))

    def mg_residual_norms(self, lev, x, b, r):
        self.mg_fill_periodic(lev, x)
        bb, rr = _mg_residual_norms(x, b, *self._level(lev)[0], lev.diag, lev.g, *lev.n3, r)
        return float(bb), float(rr)

    def mg_copy_dot(self, lev, z, r, d):
        return float(_copy_dot(z, r, d, lev.g, *lev.n3))

    def mg_axpy2_dot(self, lev, alpha, d, q, p, r):
        alpha = p.dtype.type(alpha)
        return float(_axpy2_dot(alpha, d, q, p, r, lev.g, *lev.n3))

    def mg_xpby(self, lev, z, beta, d):
        _xpby(z, d.dtype.type(beta), d, lev.g, *lev.n3)
