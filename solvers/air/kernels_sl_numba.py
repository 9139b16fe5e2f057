"""Compiled CPU kernels (numba) of the semi-Lagrangian step.

The reference is :mod:`.kernels_sl_numpy`; each kernel here is one parallel
pass over the interior box (rows ``k, j`` shared among threads in blocks,
``i`` innermost, a few scratch rows per block and no whole-field
temporaries).  The trilinear interpolation is done as lerps along x, then
y, then z: the reference's weighted sum of eight corners to rounding, in
fewer operations.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from . import kernels_diffusion_numba as diffusion
from .kernels_numba_mg import JIT as _JIT
from .kernels_numba_mg import _chunks
from .kernels_numba_planes import CellFlags, flat, strides
from .kernels_sl_numpy import SemiLagrangianKernels


@njit(inline="always")
def _place(p, lo, n, periodic):
    # np.floor keeps the positions' precision (math.floor returns an int,
    # which promotes float32 to float64), and it is not Python's float ``%``,
    # whose sign fix-up costs 2.5x in the trace
    if periodic:
        return p - n * np.floor((p - lo) / n)
    return min(max(p, lo), lo + n)


# Each interpolating kernel works a row at a time in three loops.  The first
# finds every departure point's base cell and fractions and keeps them in
# scratch rows: arithmetic only, which LLVM vectorises (16 float32 lanes).  The
# second reads the eight corners by scalar loads and interpolates them along x
# into four scratch rows; the third, vectorised again, along y and z.  On the
# 10 MW hall (one core, Zen 5) two loops instead of one, the second reading
# and weighing all eight corners, took 2.9 -> 1.5 ms for the faces, 2.0 -> 1.2
# ms for the trace and 0.74 -> 0.50 ms for the heat: there the reads kept the
# whole loop scalar.  The third loop took 5-7 % more off the trace and the
# faces on an Emerald Rapids core (session 12), where the scalar weighing was
# bound by its 23 scalar float operations a point.


@njit(inline="always")
def _corner(pk, pj, pi, plane, row, real):
    """Flat index of the base corner of (pk, pj, pi) in a padded field, and its ``real`` fractions.

    Positions are placed inside the box (>= g - 0.5 > 0), so the unsigned
    conversion is floor and the base cell is never the last one: no clamping
    needed.  Unsigned 32-bit flat indices because numba wraps a signed index
    that might be negative (a branch per read) and 64-bit index arithmetic
    costs more.  Fields are below 2**32 cells (checked by :func:`.flat`).
    """
    k0, j0, i0 = np.uint32(pk), np.uint32(pj), np.uint32(pi)
    return k0 * plane + j0 * row + i0, pk - real(k0), pj - real(j0), pi - real(i0)


@njit(inline="always")
def _lerp(a, b, f):
    return a + f * (b - a)


@njit(inline="always")
def _x_lerps_row(a, plane, row, nx, corner, fi, lerps):
    """The reads: the four x-edges of each point's cell in the flat padded field ``a``, each
    interpolated along x into a scratch row of ``lerps``.

    Scalar loads: on the development VM's Zen 5 core they are 15-27 % faster
    than the AVX-512 gathers LLVM makes of the same reads (a gathered element
    costs about what a scalar load does).  Only the x-lerps stay in this
    scalar loop; the y and z ones run vectorised, in the loops that call :func:`_yz_lerp`.
    """
    one = np.uint32(1)
    e00, e01, e10, e11 = lerps[0], lerps[1], lerps[2], lerps[3]
    for ii in range(nx):
        low = corner[ii]
        high = low + plane
        fx = fi[ii]
        e00[ii] = _lerp(a[low], a[low + one], fx)
        e01[ii] = _lerp(a[low + row], a[low + row + one], fx)
        e10[ii] = _lerp(a[high], a[high + one], fx)
        e11[ii] = _lerp(a[high + row], a[high + row + one], fx)


@njit(inline="always")
def _yz_lerp(lerps, fk, fj, ii):
    """Trilinear value at point ``ii`` from its four x-lerps: along y, then z."""
    low = _lerp(lerps[0, ii], lerps[1, ii], fj[ii])
    return _lerp(low, _lerp(lerps[2, ii], lerps[3, ii], fj[ii]), fk[ii])


@njit(inline="always")
def _strides(a):
    """Plane and row strides (elements) of the padded field ``a``, unsigned for :func:`_corner`."""
    return np.uint32(a.shape[1] * a.shape[2]), np.uint32(a.shape[2])


# Positions are worked out in the fields' own precision: float32 fields get
# float32 positions (twice the vector lanes, fewer conversions); 1e-5 cells of
# position error at 100 cells, far below what the trilinear interpolation
# itself smooths.


@njit(inline="always")
def _box(a, g, nz, ny, nx):
    """``0.5``, the low wall ``g - 0.5`` and the axes' lengths in ``a``'s precision."""
    real = a.dtype.type
    return real(0.5), real(g - 0.5), real(nz), real(ny), real(nx)


@njit(inline="always")
def _corner_scratch(nx, dtype):
    """A block's scratch rows: base corners and fractions (:func:`_corners_row`), and x-lerps
    (:func:`_x_lerps_row`), in ``dtype``."""
    return (np.empty(nx, np.uint32), np.empty(nx, dtype), np.empty(nx, dtype), np.empty(nx, dtype),
            np.empty((4, nx), dtype))  # fmt: skip


@njit(inline="always")
def _corners_row(mk, mj, mi, sk, sj, si, plane, row, nx, corner, fk, fj, fi):
    """Base corners and fractions of the points (mk, mj, mi) + (sk, sj, si) of a row."""
    real = fk.dtype.type
    for ii in range(nx):
        corner[ii], fk[ii], fj[ii], fi[ii] = _corner(mk[ii] + sk, mj[ii] + sj, mi[ii] + si,
                                                     plane, row, real)  # fmt: skip


@njit(inline="always")
def _departure_corners_row(rk, rj, ri, zl, yl, xl, zh, yh, xh, sk, sj, si, lo, fz, fy, fx,
                           pz, py, px, plane, row, nx, corner, fk, fj, fi):  # fmt: skip
    """Base corners and fractions where the points (rk, rj, ri + ii) of a row depart from.

    Each moves back by the mean of two displacement rows (``zl``/``zh``...;
    the same row twice for a cell's own) and is placed in the box, then
    shifted by its field's stagger (sk, sj, si).
    """
    real = fk.dtype.type
    half = real(0.5)
    for ii in range(nx):
        pk = _place(rk - half * (zl[ii] + zh[ii]), lo, fz, pz)
        pj = _place(rj - half * (yl[ii] + yh[ii]), lo, fy, py)
        pi = _place(ri + real(ii) - half * (xl[ii] + xh[ii]), lo, fx, px)
        corner[ii], fk[ii], fj[ii], fi[ii] = _corner(pk + sk, pj + sj, pi + si, plane, row, real)


@njit(inline="always")
def _interpolate_row(a, plane, row, nx, corner, fk, fj, fi, lerps, scale, out):
    """``out = scale * a`` at the row's corners and fractions."""
    _x_lerps_row(a, plane, row, nx, corner, fi, lerps)
    for ii in range(nx):
        out[ii] = scale * _yz_lerp(lerps, fk, fj, ii)


@njit(inline="always")
def _interpolate_open_row(a, plane, row, nx, corner, fk, fj, fi, lerps, open_, keep, out):
    """``out = a`` at the row's corners and fractions where ``open_``, else ``keep``.

    Sampled everywhere, then selected: no slower than a branch (the points
    are placed in the box, so every read is valid).
    """
    _x_lerps_row(a, plane, row, nx, corner, fi, lerps)
    for ii in range(nx):
        moved = _yz_lerp(lerps, fk, fj, ii)
        out[ii] = moved if open_[ii] else keep[ii]


@njit(parallel=True, **_JIT)
def _trace(u, v, w, uf, vf, wf, sx, sy, sz, px, py, pz, g, nz, ny, nx, dx, dy, dz):
    """Displacement (index units) of each cell centre over one step back, midpoint rule.

    ``uf``, ``vf``, ``wf`` are the flat views of ``u``, ``v``, ``w`` (:func:`.flat`).
    """
    real = u.dtype.type
    half, lo, fz, fy, fx = _box(u, g, nz, ny, nx)
    zero = half - half
    plane, row = _strides(u)
    rows = nz * ny
    blocks = _chunks(rows)
    for blk in prange(blocks):
        # scratch rows: midpoints, then base corners and fractions
        mk, mj, mi = np.empty(nx, u.dtype), np.empty(nx, u.dtype), np.empty(nx, u.dtype)
        corner, fk, fj, fi, lerps = _corner_scratch(nx, u.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k = kj // ny + g
            j = kj % ny + g
            rk, rj = real(k), real(j)
            wl, wh, vl, vh = w[k, j, g:], w[k + 1, j, g:], v[k, j, g:], v[k, j + 1, g:]
            ul, uh = u[k, j, g:], u[k, j, g + 1 :]
            for ii in range(nx):
                mk[ii] = _place(rk - half * sz * (half * (wl[ii] + wh[ii])), lo, fz, pz)
                mj[ii] = _place(rj - half * sy * (half * (vl[ii] + vh[ii])), lo, fy, py)
                mi[ii] = _place(real(ii + g) - half * sx * (half * (ul[ii] + uh[ii])), lo, fx, px)
            _corners_row(mk, mj, mi, zero, zero, half, plane, row, nx, corner, fk, fj, fi)
            _interpolate_row(uf, plane, row, nx, corner, fk, fj, fi, lerps, sx, dx[k, j, g:])
            _corners_row(mk, mj, mi, zero, half, zero, plane, row, nx, corner, fk, fj, fi)
            _interpolate_row(vf, plane, row, nx, corner, fk, fj, fi, lerps, sy, dy[k, j, g:])
            _corners_row(mk, mj, mi, half, zero, zero, plane, row, nx, corner, fk, fj, fi)
            _interpolate_row(wf, plane, row, nx, corner, fk, fj, fi, lerps, sz, dz[k, j, g:])


@njit(parallel=True, **_JIT)
def _sl_scalar(q, qf, dx, dy, dz, mask, px, py, pz, g, nz, ny, nx, out):
    real = q.dtype.type
    half, lo, fz, fy, fx = _box(q, g, nz, ny, nx)
    zero = half - half
    plane, row = _strides(q)
    rows = nz * ny
    blocks = _chunks(rows)
    for blk in prange(blocks):
        corner, fk, fj, fi, lerps = _corner_scratch(nx, q.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k = kj // ny + g
            j = kj % ny + g
            oz, oy, ox = dz[k, j, g:], dy[k, j, g:], dx[k, j, g:]
            _departure_corners_row(real(k), real(j), real(g), oz, oy, ox, oz, oy, ox,
                                   zero, zero, zero, lo, fz, fy, fx, pz, py, px, plane, row, nx,
                                   corner, fk, fj, fi)  # fmt: skip
            _interpolate_open_row(qf, plane, row, nx, corner, fk, fj, fi, lerps, mask[k, j, g:],
                                  q[k, j, g:], out[k, j, g:])  # fmt: skip


@njit(parallel=True, **_JIT)
def _sl_faces(u, v, w, uf, vf, wf, dx, dy, dz, ou, ov, ow, cu, cv, cw, px, py, pz,
              g, nz, ny, nx, uo, vo, wo):  # fmt: skip
    """Each open face of the components ``cu``, ``cv``, ``cw`` (flags) takes its component at
    its departure point: the face's centre moved by the mean displacement of the two cells
    it parts.  Faces not open keep their value.

    One pass for the three: a cell's displacement row is read once for the
    three faces below it (2.75 ms against 3.15 ms in three passes, before
    the two-loop rows).  (The viscous step gains nothing that way: its rows
    are read as vectors, and they stay in cache from one pass to the next.)
    """
    real = u.dtype.type
    half, lo, fz, fy, fx = _box(u, g, nz, ny, nx)
    zero = half - half
    plane, row = _strides(u)
    rows = nz * ny
    blocks = _chunks(rows)
    for blk in prange(blocks):
        corner, fk, fj, fi, lerps = _corner_scratch(nx, u.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k = kj // ny + g
            j = kj % ny + g
            rk, rj, rg = real(k), real(j), real(g)
            zc, yc, xc = dz[k, j, g:], dy[k, j, g:], dx[k, j, g:]
            # the cell below along x, y and z, and the face's stagger
            if cu:
                _departure_corners_row(rk, rj, rg - half, dz[k, j, g - 1 :], dy[k, j, g - 1 :],
                                       dx[k, j, g - 1 :], zc, yc, xc, zero, zero, half, lo, fz,
                                       fy, fx, pz, py, px, plane, row, nx, corner, fk, fj, fi)
                _interpolate_open_row(uf, plane, row, nx, corner, fk, fj, fi, lerps, ou[k, j, g:],
                                      u[k, j, g:], uo[k, j, g:])
            if cv:
                _departure_corners_row(rk, rj - half, rg, dz[k, j - 1, g:], dy[k, j - 1, g:],
                                       dx[k, j - 1, g:], zc, yc, xc, zero, half, zero, lo, fz,
                                       fy, fx, pz, py, px, plane, row, nx, corner, fk, fj, fi)
                _interpolate_open_row(vf, plane, row, nx, corner, fk, fj, fi, lerps, ov[k, j, g:],
                                      v[k, j, g:], vo[k, j, g:])
            if cw:
                _departure_corners_row(rk - half, rj, rg, dz[k - 1, j, g:], dy[k - 1, j, g:],
                                       dx[k - 1, j, g:], zc, yc, xc, half, zero, zero, lo, fz,
                                       fy, fx, pz, py, px, plane, row, nx, corner, fk, fj, fi)
                _interpolate_open_row(wf, plane, row, nx, corner, fk, fj, fi, lerps, ow[k, j, g:],
                                      w[k, j, g:], wo[k, j, g:])


@njit(parallel=True, **_JIT)
def _fluid_sums(old, new, fluid, g, nz, ny, nx, sums):
    """Per block of rows: the four sums of ``fluid_sums`` (float64 lanes) into ``sums``."""
    rows = nz * ny
    blocks = sums.shape[0]
    for blk in prange(blocks):
        total = down = up = before = 0.0
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k, j = kj // ny + g, kj % ny + g
            a, b, f = old[k, j, g:], new[k, j, g:], fluid[k, j, g:]
            for i in range(nx):
                x, y = np.float64(b[i]), np.float64(a[i])
                d = y - x
                total += x if f[i] else 0.0
                before += y if f[i] else 0.0
                down += d if f[i] and d > 0 else 0.0
                up -= d if f[i] and d < 0 else 0.0
        sums[blk, 0], sums[blk, 1], sums[blk, 2], sums[blk, 3] = total, down, up, before


@njit(parallel=True, **_JIT)
def _shift_back(old, new, fluid, up, down, each, g, nz, ny, nx):
    zero = up - up
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        a, b, f = old[k, j, g:], new[k, j, g:], fluid[k, j, g:]
        for i in range(nx):
            move = up * max(a[i] - b[i], zero) - down * max(b[i] - a[i], zero) + each
            b[i] += move if f[i] else zero


class NumbaSemiLagrangianKernels(SemiLagrangianKernels):
    """The kernels of :class:`.SemiLagrangianKernels`, compiled: same signatures, same answers."""

    name = "numba"

    def __init__(self):
        super().__init__(np)
        self._flags = CellFlags()

    def sl_trace(self, vel, h, dt, periodic, g, n3, disp):
        real = vel[0].dtype.type
        _trace(*vel, *(flat(v) for v in vel), *(real(dt / hh) for hh in h), *periodic, g, *n3,
               *disp)  # fmt: skip
        self._fill_trace_ghosts(disp, periodic, g, n3)

    def sl_scalar(self, T, disp, fluid, periodic, g, n3, out):
        _sl_scalar(T, flat(T), *disp, fluid, *periodic, g, *n3, out)

    def sl_velocity(self, c, q, disp, open_c, periodic, g, n3, out):
        flags = (c == 0, c == 1, c == 2)
        _sl_faces(q, q, q, *(flat(q),) * 3, *disp, *(open_c,) * 3, *flags, *periodic, g, *n3,
                  out, out, out)  # fmt: skip

    def sl_velocities(self, vel, disp, open_, periodic, g, n3, out):
        has = (n3[2] > 1, n3[1] > 1, n3[0] > 1)
        _sl_faces(*vel, *(flat(v) for v in vel), *disp, *open_, *has, *periodic, g, *n3, *out)

    def diffuse_scalar(self, T, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        f = T.dtype.type
        nut, half_k = (T, f(0)) if nu_t is None else (nu_t, f(0.5 * inv_prt))
        inv_h = (f(1.0 / hh) for hh in h)
        flags = self._flags.scalar(fluid, g, n3)
        diffusion.diffuse_scalar(flat(T), f(kappa), flat(nut), half_k, flags, *inv_h, f(dt), g,
                                 *n3[:2], *strides(T), flat(out))  # fmt: skip

    def diffuse_velocity(self, c, q, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        f = q.dtype.type
        nut, a1, a4 = (q, f(0), f(0)) if nu_t is None else (nu_t, f(1), f(0.25))
        inv_h = (f(1.0 / hh) for hh in h)
        flags = self._flags.velocity(open_c, g, n3)
        diffusion.diffuse_velocity(flat(q), flat(T), f(nu), flat(nut), a1, a4, flags, *inv_h,
                                   f(dt), f(buoyancy_c), f(0.5), f(t_ref), c, g, *n3[:2],
                                   *strides(q), flat(out))  # fmt: skip

    def fluid_sums(self, old, new, fluid, g, n3):
        sums = np.zeros((_chunks(n3[0] * n3[1]), 4))
        _fluid_sums(old, new, fluid, g, *n3, sums)
        return tuple(float(x) for x in sums.sum(axis=0))

    def shift_back(self, old, new, fluid, up, down, each, g, n3):
        f = new.dtype.type
        _shift_back(old, new, fluid, f(up), f(down), f(each), g, *n3)
