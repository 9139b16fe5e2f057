"""Compiled CPU kernels (numba) of the flux scheme's transport: one forward-Euler stage.

The reference is :meth:`.NumpyKernels.scalar_update` and
:meth:`.NumpyKernels.momentum_update`: bounded (van Leer limited, upwind)
advection plus diffusion through each face of a cell or a face's control
volume.  Each kernel is one parallel pass over spans of the z-planes'
interior rows taken as flat runs of cells, ghost columns included and
thrown away by per-cell flags (:mod:`.kernels_numba_planes`; against a row
at a time, on the 10 MW hall's grid heat 0.32 -> 0.23 ms and a velocity
component 0.41-0.43 -> 0.27-0.28 ms), written to vectorise as the other
numba kernels are (see :mod:`.kernels_numba_mg`): each span with one scratch
run of tendencies; one loop per axis over the span's views indexed from 0,
scalars in the fields' precision, branches as selects.  A loop reads five
runs of the transported field, two of the carrying velocity and three of
the eddy viscosity (six across a component); the three axes in one loop
read too many at once and ran 1.6x as long.

Each face's flux is computed twice, once for the cell on either side.
Computing it once (a row of x-face fluxes, the row before's y-face fluxes
kept) ran 1.5-2.5x as long: the extra passes through scratch rows cost more
than the arithmetic they save.  With the upwind values chosen before the
limiter, each face takes one division.

Without an eddy viscosity, the kernels take the transported field itself in
its place with weight 0 (numba compiles one signature per argument type).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .kernels_numba_mg import JIT as _JIT
from .kernels_numba_planes import (
    ACTIVE,
    DOWN,
    EAST,
    INTERIOR,
    NORTH,
    PARTS,
    SOUTH,
    UP,
    WEST,
    span,
)


@njit(inline="always")
def _limited(q_uu, q_u, q_d):
    """Van Leer's face value from the upwind-upwind, upwind and downwind values."""
    a = q_u - q_uu
    b = q_d - q_u
    ab = a * b
    return q_u + ab / (a + b) if ab > 0 else q_u


@njit(inline="always")
def _face_flux(carrier, q_m2, q_m1, q_0, q_p1, diffusion_h, zero):
    """``carrier q_face - diffusion (q_0 - q_m1) / h`` through the face between m1 and 0.

    ``diffusion_h`` is the face's diffusivity over the spacing (m/s); the
    upwind side is chosen first so that the limiter runs once.
    """
    up = carrier >= zero
    value = _limited(q_m2 if up else q_p1, q_m1 if up else q_0, q_0 if up else q_m1)
    return carrier * value - diffusion_h * (q_0 - q_m1)


@njit(inline="always")
def _heat_axis(T, vd, nut, flags, s, n, d, low_bit, high_bit, kappa_h, half_k_h, ih, zero, tend,
               first):  # fmt: skip
    """Add (or, ``first``, set) the net inflow along one axis to a span's tendencies (K/s).

    ``d`` is the axis' flat stride; ``kappa_h`` = kappa / h and ``half_k_h``
    = 0.5 / (Pr_t h) fold the spacing into the face diffusivity; a face
    carries nothing unless its flag bit (both its cells fluid) is set.
    """
    t2, t1, t0, p1, p2 = T[s - 2 * d :], T[s - d :], T[s:], T[s + d :], T[s + 2 * d :]
    low_v, high_v = vd[s:], vd[s + d :]
    n1, n0, np1 = nut[s - d :], nut[s:], nut[s + d :]
    fl = flags[s:]
    for i in range(n):
        low = _face_flux(low_v[i], t2[i], t1[i], t0[i], p1[i], kappa_h + half_k_h * (n1[i] + n0[i]),
                         zero)  # fmt: skip
        high = _face_flux(high_v[i], t1[i], t0[i], p1[i], p2[i],
                          kappa_h + half_k_h * (n0[i] + np1[i]), zero)  # fmt: skip
        b = fl[i]
        low = low if b & low_bit else zero
        high = high if b & high_bit else zero
        term = (low - high) * ih
        tend[i] = term if first else tend[i] + term


@njit(parallel=True, **_JIT)
def heat_update(T, u, v, w, kappa, nut, half_k, flags, ihx, ihy, ihz, dt, g, nz, ny, row, plane,
                out):  # fmt: skip
    """``out = T + dt (-div F)`` in fluid cells, ``T`` in the other interior ones (K).

    The fields are flat views of padded arrays with ``row`` and ``plane``
    strides; ``flags`` is :func:`.scalar_flags`'s; ``half_k`` = 0.5 / Pr_t
    (0 without an eddy viscosity); scalars in the fields' precision.
    """
    zero = dt - dt
    for item in prange(nz * PARTS):
        s, n = span(item, g, ny, row, plane)
        tend = np.empty(n, dtype=out.dtype)
        _heat_axis(T, u, nut, flags, s, n, 1, WEST, EAST, kappa * ihx, half_k * ihx, ihx, zero,
                   tend, True)  # fmt: skip
        _heat_axis(T, v, nut, flags, s, n, row, SOUTH, NORTH, kappa * ihy, half_k * ihy, ihy, zero,
                   tend, False)  # fmt: skip
        if nz > 1:
            _heat_axis(T, w, nut, flags, s, n, plane, DOWN, UP, kappa * ihz, half_k * ihz, ihz,
                       zero, tend, False)  # fmt: skip
        t0, fl, o = T[s : s + n], flags[s : s + n], out[s : s + n]
        for i in range(n):
            b = fl[i]
            o[i] = t0[i] + dt * tend[i] if b & ACTIVE else (t0[i] if b & INTERIOR else o[i])


@njit(inline="always")
def _momentum_axis(q, vd, nut, s, n, d, x, nu, w_cell, w_edge, ih, zero, half, tend):
    """Add the net momentum inflow along an axis of flat stride ``d`` to a span's tendencies.

    Along the component's own axis a side of the control volume is a cell
    centre: its carrier is the mean of the faces below and above, its eddy
    viscosity that cell's (weight ``w_cell``).  Across it a side is an edge:
    the carrier is the mean of the two d-faces beside the edge, the eddy
    viscosity the mean of the four cells around it (weight ``w_edge``).  The
    low side's carrier faces sit at ``x`` and 0, the high side's at
    ``x + d`` and ``d``, with ``x = -d`` along and minus the component's
    stride across.
    """
    q2, q1, q0, p1, p2 = q[s - 2 * d :], q[s - d :], q[s:], q[s + d :], q[s + 2 * d :]
    low_a, low_b, high_a, high_b = vd[s + x :], vd[s:], vd[s + d + x :], vd[s + d :]
    nl, nc, nh = nut[s - d :], nut[s:], nut[s + d :]
    ml, mc, mh = nut[s + x - d :], nut[s + x :], nut[s + x + d :]
    for i in range(n):
        nu_low = nu + w_cell * nl[i] + w_edge * (nc[i] + nl[i] + mc[i] + ml[i])
        nu_high = nu + w_cell * nc[i] + w_edge * (nh[i] + nc[i] + mh[i] + mc[i])
        low = _face_flux(half * (low_a[i] + low_b[i]), q2[i], q1[i], q0[i], p1[i], nu_low * ih,
                         zero)  # fmt: skip
        high = _face_flux(half * (high_a[i] + high_b[i]), q1[i], q0[i], p1[i], p2[i],
                          nu_high * ih, zero)  # fmt: skip
        tend[i] += (low - high) * ih


@njit(parallel=True, **_JIT)
def momentum_update(q, u, v, w, T, nu, nut, a1, a4, flags, ihx, ihy, ihz, dt, force, half, t_ref,
                    c, g, nz, ny, row, plane, out):  # fmt: skip
    """``out = q + dt (force (T_face - t_ref) - div F)`` on open faces of component ``c``,
    ``q`` on its other interior faces (m/s).

    Flat views as in :func:`heat_update`; ``flags`` is :func:`.velocity_flags`'s;
    ``a1``, ``a4`` are 1 and 0.25 with an eddy viscosity and 0 without;
    ``half`` is 0.5; scalars in the fields' precision.
    """
    own = plane if c == 2 else (row if c == 1 else 1)
    zero = dt - dt
    for item in prange(nz * PARTS):
        s, n = span(item, g, ny, row, plane)
        tend = np.empty(n, dtype=out.dtype)
        below, t0 = T[s - own :], T[s:]
        for i in range(n):
            tend[i] = force * (half * (below[i] + t0[i]) - t_ref)
        for axis in range(3 if nz > 1 else 2):
            d = 1 if axis == 0 else (row if axis == 1 else plane)
            along = axis == c
            w_cell, w_edge = (a1, zero) if along else (zero, a4)
            ih = ihx if axis == 0 else (ihy if axis == 1 else ihz)
            carrier = u if axis == 0 else (v if axis == 1 else w)
            _momentum_axis(q, carrier, nut, s, n, d, -d if along else -own, nu, w_cell, w_edge, ih,
                           zero, half, tend)  # fmt: skip
        q0, fl, o = q[s : s + n], flags[s : s + n], out[s : s + n]
        for i in range(n):
            b = fl[i]
            o[i] = q0[i] + dt * tend[i] if b & ACTIVE else (q0[i] if b & INTERIOR else o[i])
