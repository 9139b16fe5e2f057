"""Compiled CPU kernels (numba) of the semi-Lagrangian step.

The reference is :mod:`.kernels_sl_numpy`; each kernel here is one parallel
pass over the interior box with no temporaries (rows ``k, j`` shared among
threads, ``i`` innermost), and the interpolation weights are summed in the
reference's order so that the two agree to rounding.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .kernels_numba import EddyViscosityArgument
from .kernels_numba_mg import JIT as _JIT
from .kernels_sl_numpy import SemiLagrangianKernels


@njit(inline="always")
def _place(p, g, n, periodic):
    lo = g - 0.5
    if periodic:
        return lo + (p - lo) % n
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


@njit(inline="always")
def _departure(u, v, w, pk, pj, pi, sx, sy, sz, px, py, pz, g, nz, ny, nx):
    """Midpoint-rule departure point of ``(pk, pj, pi)``; ``s*`` = dt / h (index units per m/s)."""
    ux = _sample(u, pk, pj, pi + 0.5)
    uy = _sample(v, pk, pj + 0.5, pi)
    uz = _sample(w, pk + 0.5, pj, pi)
    mk = _place(pk - 0.5 * sz * uz, g, nz, pz)
    mj = _place(pj - 0.5 * sy * uy, g, ny, py)
    mi = _place(pi - 0.5 * sx * ux, g, nx, px)
    ux = _sample(u, mk, mj, mi + 0.5)
    uy = _sample(v, mk, mj + 0.5, mi)
    uz = _sample(w, mk + 0.5, mj, mi)
    return (
        _place(pk - sz * uz, g, nz, pz),
        _place(pj - sy * uy, g, ny, py),
        _place(pi - sx * ux, g, nx, px),
    )


@njit(parallel=True, **_JIT)
def _sl(q, u, v, w, mask, ck, cj, ci, sx, sy, sz, px, py, pz, g, nz, ny, nx, out):
    """Advect ``q`` (cell data if ``ck = cj = ci = 0``, else faces of that axis) where ``mask``."""
    for kj in prange(nz * ny):
        k = kj // ny + g
        j = kj % ny + g
        for i in range(g, g + nx):
            if mask[k, j, i] == 0:
                out[k, j, i] = q[k, j, i]
                continue
            dk, dj, di = _departure(
                u, v, w, k - 0.5 * ck, j - 0.5 * cj, i - 0.5 * ci,
                sx, sy, sz, px, py, pz, g, nz, ny, nx,
            )  # fmt: skip
            out[k, j, i] = _sample(q, dk + 0.5 * ck, dj + 0.5 * cj, di + 0.5 * ci)


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

    def sl_scalar(self, T, vel, fluid, h, dt, periodic, g, n3, out):
        s = [dt / hh for hh in h]
        _sl(T, *vel, fluid, 0, 0, 0, *s, *periodic, g, *n3, out)

    def sl_velocity(self, c, vel, open_c, h, dt, periodic, g, n3, out):
        s = [dt / hh for hh in h]
        _sl(vel[c], *vel, open_c, int(c == 2), int(c == 1), int(c == 0), *s, *periodic, g, *n3,
            out)  # fmt: skip

    def diffuse_scalar(self, T, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        _diffuse_scalar(T, kappa, nut, has, inv_prt, fluid, *h, dt, g, *n3, out)

    def diffuse_velocity(self, c, q, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        _diffuse_velocity(q, T, nu, nut, has, open_c, *h, dt, buoyancy_c, t_ref, c, g, *n3, out)
