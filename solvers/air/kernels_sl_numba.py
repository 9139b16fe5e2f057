"""Compiled CPU kernels (numba) of the semi-Lagrangian step.

The reference is :mod:`.kernels_sl_numpy`; each kernel here is one parallel
pass over the interior box with no temporaries (rows ``k, j`` shared among
threads, ``i`` innermost), and the interpolation weights are summed in the
reference's order so that the two agree to rounding.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .kernels_numba import EddyViscosityArgument
from .kernels_numba_mg import JIT as _JIT
from .kernels_sl_numpy import SemiLagrangianKernels


@njit(inline="always")
def _place(p, g, n, periodic):
    # floor, not Python's float ``%`` (whose sign fix-up costs 2.5x in the trace)
    lo = g - 0.5
    if periodic:
        return p - n * math.floor((p - lo) / n)
    return min(max(p, lo), lo + n)


@njit(inline="always")
def _sample(a, pk, pj, pi):
    # positions are placed inside the box (>= g - 0.5 > 0), so int() is floor
    # and the base cell is never the last one: no clamping needed here
    k0, j0, i0 = int(pk), int(pj), int(pi)
    fk, fj, fi = pk - k0, pj - j0, pi - i0
    gk, gj, gi = 1.0 - fk, 1.0 - fj, 1.0 - fi
    out = gk * gj * gi * a[k0, j0, i0]
    out += gk * gj * fi * a[k0, j0, i0 + 1]
    out += gk * fj * gi * a[k0, j0 + 1, i0]
    out += gk * fj * fi * a[k0, j0 + 1, i0 + 1]
    out += fk * gj * gi * a[k0 + 1, j0, i0]
    out += fk * gj * fi * a[k0 + 1, j0, i0 + 1]
    out += fk * fj * gi * a[k0 + 1, j0 + 1, i0]
    out += fk * fj * fi * a[k0 + 1, j0 + 1, i0 + 1]
    return out


@njit(parallel=True, **_JIT)
def _trace(u, v, w, sx, sy, sz, px, py, pz, g, nz, ny, nx, dx, dy, dz):
    """Displacement (index units) of each cell centre over one step back, midpoint rule."""
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            mk = _place(k - 0.5 * sz * (0.5 * (w[k, j, i] + w[k + 1, j, i])), g, nz, pz)
            mj = _place(j - 0.5 * sy * (0.5 * (v[k, j, i] + v[k, j + 1, i])), g, ny, py)
            mi = _place(i - 0.5 * sx * (0.5 * (u[k, j, i] + u[k, j, i + 1])), g, nx, px)
            dx[k, j, i] = sx * _sample(u, mk, mj, mi + 0.5)
            dy[k, j, i] = sy * _sample(v, mk, mj + 0.5, mi)
            dz[k, j, i] = sz * _sample(w, mk + 0.5, mj, mi)


@njit(parallel=True, **_JIT)
def _sl_scalar(q, dx, dy, dz, mask, px, py, pz, g, nz, ny, nx, out):
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            # sampled everywhere, then selected: faster than a branch (positions
            # are placed in the box, so every read is valid)
            moved = _sample(
                q,
                _place(k - dz[k, j, i], g, nz, pz),
                _place(j - dy[k, j, i], g, ny, py),
                _place(i - dx[k, j, i], g, nx, px),
            )
            out[k, j, i] = moved if mask[k, j, i] else q[k, j, i]


@njit(parallel=True, **_JIT)
def _sl_face(q, dx, dy, dz, mask, ck, cj, ci, px, py, pz, g, nz, ny, nx, out):
    """Faces of the axis (ck, cj, ci): the mean displacement of the two cells they part."""
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            bk, bj, bi = k - ck, j - cj, i - ci
            pk = _place(k - 0.5 * ck - 0.5 * (dz[bk, bj, bi] + dz[k, j, i]), g, nz, pz)
            pj = _place(j - 0.5 * cj - 0.5 * (dy[bk, bj, bi] + dy[k, j, i]), g, ny, py)
            pi = _place(i - 0.5 * ci - 0.5 * (dx[bk, bj, bi] + dx[k, j, i]), g, nx, px)
            moved = _sample(q, pk + 0.5 * ck, pj + 0.5 * cj, pi + 0.5 * ci)
            out[k, j, i] = moved if mask[k, j, i] else q[k, j, i]


@njit(inline="always")
def _heat_flux(T, nut, has_nut, kappa, inv_prt, fluid, h, k, j, i, dk, dj, di):
    """Diffusive heat flux through the low face along (dk, dj, di) of cell (k, j, i)."""
    kf = kappa
    if has_nut:
        kf = kappa + 0.5 * inv_prt * (nut[k - dk, j - dj, i - di] + nut[k, j, i])
    flux = -kf * (T[k, j, i] - T[k - dk, j - dj, i - di]) / h
    return flux * (fluid[k - dk, j - dj, i - di] * fluid[k, j, i])


@njit(parallel=True, **_JIT)
def _diffuse_scalar(T, kappa, nut, has_nut, inv_prt, fluid, hx, hy, hz, dt, g, nz, ny, nx, out):
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            tend = (
                -(
                    _heat_flux(T, nut, has_nut, kappa, inv_prt, fluid, hx, k, j, i + 1, 0, 0, 1)
                    - _heat_flux(T, nut, has_nut, kappa, inv_prt, fluid, hx, k, j, i, 0, 0, 1)
                )
                / hx
            )
            tend -= (
                _heat_flux(T, nut, has_nut, kappa, inv_prt, fluid, hy, k, j + 1, i, 0, 1, 0)
                - _heat_flux(T, nut, has_nut, kappa, inv_prt, fluid, hy, k, j, i, 0, 1, 0)
            ) / hy
            if nz > 1:
                tend -= (
                    _heat_flux(T, nut, has_nut, kappa, inv_prt, fluid, hz, k + 1, j, i, 1, 0, 0)
                    - _heat_flux(T, nut, has_nut, kappa, inv_prt, fluid, hz, k, j, i, 1, 0, 0)
                ) / hz
            out[k, j, i] = T[k, j, i] + dt * fluid[k, j, i] * tend


@njit(inline="always")
def _viscous_flux(q, nut, has_nut, nu, h, k, j, i, ck, cj, ci, dk, dj, di, same):
    """Viscous flux of q through the low side along d of its control volume at (k, j, i)."""
    mk, mj, mi = k - dk, j - dj, i - di
    nuf = nu
    if has_nut:
        if same:
            nuf = nu + nut[mk, mj, mi]
        else:
            nuf = nu + 0.25 * (
                nut[k, j, i] + nut[mk, mj, mi] + nut[k - ck, j - cj, i - ci]
                + nut[mk - ck, mj - cj, mi - ci]
            )  # fmt: skip
    return -nuf * (q[k, j, i] - q[mk, mj, mi]) / h


@njit(parallel=True, **_JIT)
def _diffuse_velocity(
    q, T, nu, nut, has_nut, open_c, hx, hy, hz, dt, force, t_ref, c, g, nz, ny, nx, out
):
    ck, cj, ci = int(c == 2), int(c == 1), int(c == 0)
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            if open_c[k, j, i] == 0:
                out[k, j, i] = q[k, j, i]
                continue
            tend = force * (0.5 * (T[k - ck, j - cj, i - ci] + T[k, j, i]) - t_ref)
            tend -= (
                _viscous_flux(q, nut, has_nut, nu, hx, k, j, i + 1, ck, cj, ci, 0, 0, 1, c == 0)
                - _viscous_flux(q, nut, has_nut, nu, hx, k, j, i, ck, cj, ci, 0, 0, 1, c == 0)
            ) / hx
            tend -= (
                _viscous_flux(q, nut, has_nut, nu, hy, k, j + 1, i, ck, cj, ci, 0, 1, 0, c == 1)
                - _viscous_flux(q, nut, has_nut, nu, hy, k, j, i, ck, cj, ci, 0, 1, 0, c == 1)
            ) / hy
            if nz > 1:
                tend -= (
                    _viscous_flux(q, nut, has_nut, nu, hz, k + 1, j, i, ck, cj, ci, 1, 0, 0, c == 2)
                    - _viscous_flux(q, nut, has_nut, nu, hz, k, j, i, ck, cj, ci, 1, 0, 0, c == 2)
                ) / hz
            out[k, j, i] = q[k, j, i] + dt * tend


class NumbaSemiLagrangianKernels(EddyViscosityArgument, SemiLagrangianKernels):
    """The kernels of :class:`.SemiLagrangianKernels`, compiled: same signatures, same answers."""

    name = "numba"

    def __init__(self):
        super().__init__(np)

    def sl_trace(self, vel, h, dt, periodic, g, n3, disp):
        _trace(*vel, *(dt / hh for hh in h), *periodic, g, *n3, *disp)
        self._fill_trace_ghosts(disp, periodic, g, n3)

    def sl_scalar(self, T, disp, fluid, periodic, g, n3, out):
        _sl_scalar(T, *disp, fluid, *periodic, g, *n3, out)

    def sl_velocity(self, c, q, disp, open_c, periodic, g, n3, out):
        _sl_face(q, *disp, open_c, int(c == 2), int(c == 1), int(c == 0), *periodic, g, *n3, out)

    def diffuse_scalar(self, T, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        _diffuse_scalar(T, kappa, nut, has, inv_prt, fluid, *h, dt, g, *n3, out)

    def diffuse_velocity(self, c, q, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        _diffuse_velocity(q, T, nu, nut, has, open_c, *h, dt, buoyancy_c, t_ref, c, g, *n3, out)
