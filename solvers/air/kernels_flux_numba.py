"""Compiled CPU kernels (numba) of the flux scheme's transport: one forward-Euler stage.

The reference is :meth:`.NumpyKernels.scalar_update` and
:meth:`.NumpyKernels.momentum_update`: bounded (van Leer limited, upwind)
advection plus diffusion through each face of a cell or a face's control
volume.  Each kernel is one parallel pass over the interior box, written to
vectorise as the other numba kernels are (see :mod:`.kernels_numba_mg`):
rows ``k, j`` shared among threads in blocks, each block with one scratch
row of tendencies; one loop per axis over a row's views indexed from 0,
scalars in the fields' precision, branches as selects.  A loop reads five
rows of the transported field, two of the carrying velocity and three of
the eddy viscosity (six across a component); the three axes in one loop
read too many rows at once and ran 1.6x as long.

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
from .kernels_numba_mg import _chunks, _row


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
def _heat_axis(T, vd, nut, fluid, k, j, g, nx, dk, dj, di, kappa_h, half_k_h, ih, zero, tend,
               first):  # fmt: skip
    """Add (or, ``first``, set) the net inflow along one axis to a row's tendencies (K/s).

    ``kappa_h`` = kappa / h and ``half_k_h`` = 0.5 / (Pr_t h) fold the
    spacing into the face diffusivity; a face carries nothing unless both
    its cells are fluid (or ghosts).
    """
    t2, t1 = _row(T, k, j, g, -2 * dk, -2 * dj, -2 * di), _row(T, k, j, g, -dk, -dj, -di)
    t0, p1 = _row(T, k, j, g, 0, 0, 0), _row(T, k, j, g, dk, dj, di)
    p2 = _row(T, k, j, g, 2 * dk, 2 * dj, 2 * di)
    low_v, high_v = _row(vd, k, j, g, 0, 0, 0), _row(vd, k, j, g, dk, dj, di)
    n1, n0, np1 = (_row(nut, k, j, g, -dk, -dj, -di), _row(nut, k, j, g, 0, 0, 0),
                   _row(nut, k, j, g, dk, dj, di))  # fmt: skip
    f1, f0, fp1 = (_row(fluid, k, j, g, -dk, -dj, -di), _row(fluid, k, j, g, 0, 0, 0),
                   _row(fluid, k, j, g, dk, dj, di))  # fmt: skip
    for i in range(nx):
        low = _face_flux(low_v[i], t2[i], t1[i], t0[i], p1[i], kappa_h + half_k_h * (n1[i] + n0[i]),
                         zero)  # fmt: skip
        high = _face_flux(high_v[i], t1[i], t0[i], p1[i], p2[i],
                          kappa_h + half_k_h * (n0[i] + np1[i]), zero)  # fmt: skip
        low = low if (f1[i] & f0[i]) != 0 else zero
        high = high if (f0[i] & fp1[i]) != 0 else zero
        term = (low - high) * ih
        tend[i] = term if first else tend[i] + term


@njit(parallel=True, **_JIT)
def heat_update(T, u, v, w, kappa, nut, half_k, fluid, ihx, ihy, ihz, dt, g, nz, ny, nx, out):
    """``out = T + dt (-div F)`` in fluid cells, ``T`` elsewhere (K).

    ``half_k`` = 0.5 / Pr_t (0 without an eddy viscosity); scalars in the
    fields' precision.
    """
    zero = dt - dt
    rows = nz * ny
    blocks = _chunks(rows)
    for blk in prange(blocks):
        tend = np.empty(nx, dtype=out.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k, j = kj // ny + g, kj % ny + g
            _heat_axis(T, u, nut, fluid, k, j, g, nx, 0, 0, 1, kappa * ihx, half_k * ihx, ihx,
                       zero, tend, True)  # fmt: skip
            _heat_axis(T, v, nut, fluid, k, j, g, nx, 0, 1, 0, kappa * ihy, half_k * ihy, ihy,
                       zero, tend, False)  # fmt: skip
            if nz > 1:
                _heat_axis(T, w, nut, fluid, k, j, g, nx, 1, 0, 0, kappa * ihz, half_k * ihz, ihz,
                           zero, tend, False)  # fmt: skip
            t0, f0, o = T[k, j, g:], fluid[k, j, g:], out[k, j, g:]
            for i in range(nx):
                o[i] = t0[i] + dt * tend[i] if f0[i] else t0[i]


@njit(inline="always")
def _momentum_axis(q, vd, nut, k, j, g, nx, c, dk, dj, di, nu, a1, a4, ih, zero, half, tend):
    """Add the net momentum inflow along axis d = (dk, dj, di) to a row of component ``c``.

    Along the component's own axis a side of the control volume is a cell
    centre: its carrier is the mean of the faces below and above, its eddy
    viscosity that cell's (weight ``a1``).  Across it a side is an edge:
    the carrier is the mean of the two d-faces beside the edge, the eddy
    viscosity the mean of the four cells around it (weight ``a4``).  The
    low side's carrier faces sit at ``x`` and 0, the high side's at
    ``x + d`` and ``d``, with ``x = -d`` along and ``-c`` across.
    """
    ck, cj, ci = int(c == 2), int(c == 1), int(c == 0)
    along = dk == ck and dj == cj and di == ci
    xk, xj, xi = (-dk, -dj, -di) if along else (-ck, -cj, -ci)
    w_cell, w_edge = (a1, zero) if along else (zero, a4)
    q2, q1 = _row(q, k, j, g, -2 * dk, -2 * dj, -2 * di), _row(q, k, j, g, -dk, -dj, -di)
    q0, p1 = _row(q, k, j, g, 0, 0, 0), _row(q, k, j, g, dk, dj, di)
    p2 = _row(q, k, j, g, 2 * dk, 2 * dj, 2 * di)
    low_a, low_b = _row(vd, k, j, g, xk, xj, xi), _row(vd, k, j, g, 0, 0, 0)
    high_a, high_b = _row(vd, k, j, g, dk + xk, dj + xj, di + xi), _row(vd, k, j, g, dk, dj, di)
    nl, nc, nh = (_row(nut, k, j, g, -dk, -dj, -di), _row(nut, k, j, g, 0, 0, 0),
                  _row(nut, k, j, g, dk, dj, di))  # fmt: skip
    ml, mc, mh = (_row(nut, k, j, g, xk - dk, xj - dj, xi - di), _row(nut, k, j, g, xk, xj, xi),
                  _row(nut, k, j, g, xk + dk, xj + dj, xi + di))  # fmt: skip
    for i in range(nx):
        nu_low = nu + w_cell * nl[i] + w_edge * (nc[i] + nl[i] + mc[i] + ml[i])
        nu_high = nu + w_cell * nc[i] + w_edge * (nh[i] + nc[i] + mh[i] + mc[i])
        low = _face_flux(half * (low_a[i] + low_b[i]), q2[i], q1[i], q0[i], p1[i], nu_low * ih,
                         zero)  # fmt: skip
        high = _face_flux(half * (high_a[i] + high_b[i]), q1[i], q0[i], p1[i], p2[i],
                          nu_high * ih, zero)  # fmt: skip
        tend[i] += (low - high) * ih


@njit(parallel=True, **_JIT)
def momentum_update(q, u, v, w, T, nu, nut, a1, a4, open_c, ihx, ihy, ihz, dt, force, half, t_ref,
                    c, g, nz, ny, nx, out):  # fmt: skip
    """``out = q + dt (force (T_face - t_ref) - div F)`` on open faces of component ``c`` (m/s).

    ``a1``, ``a4`` are 1 and 0.25 with an eddy viscosity and 0 without;
    ``half`` is 0.5; scalars in the fields' precision.
    """
    ck, cj, ci = int(c == 2), int(c == 1), int(c == 0)
    zero = dt - dt
    rows = nz * ny
    blocks = _chunks(rows)
    for blk in prange(blocks):
        tend = np.empty(nx, dtype=out.dtype)
        for kj in range(blk * rows // blocks, (blk + 1) * rows // blocks):
            k, j = kj // ny + g, kj % ny + g
            below, t0 = _row(T, k, j, g, -ck, -cj, -ci), T[k, j, g:]
            for i in range(nx):
                tend[i] = force * (half * (below[i] + t0[i]) - t_ref)
            _momentum_axis(q, u, nut, k, j, g, nx, c, 0, 0, 1, nu, a1, a4, ihx, zero, half, tend)
            _momentum_axis(q, v, nut, k, j, g, nx, c, 0, 1, 0, nu, a1, a4, ihy, zero, half, tend)
            if nz > 1:
                _momentum_axis(q, w, nut, k, j, g, nx, c, 1, 0, 0, nu, a1, a4, ihz, zero, half,
                               tend)  # fmt: skip
            q0, o, m = q[k, j, g:], out[k, j, g:], open_c[k, j, g:]
            for i in range(nx):
                o[i] = q0[i] + dt * tend[i] if m[i] else q0[i]
