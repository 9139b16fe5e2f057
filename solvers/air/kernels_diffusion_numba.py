"""Compiled CPU kernels (numba) of the semi-Lagrangian step's diffusion: heat and each velocity.

The reference is :meth:`.SemiLagrangianKernels.diffuse_scalar` and
:meth:`.SemiLagrangianKernels.diffuse_velocity`.  Written as the other numba
kernels are, so that LLVM vectorises them: 1-D views indexed from 0 (an
index like ``i - 1`` that numba cannot prove non-negative gets a
wraparound branch, which stops the vectoriser), scalars in the fields'
precision (a Python float would promote float32 loops to float64), no
branch on a mask inside the loop, and the three axes' fluxes summed in one
loop (a loop per axis into a scratch row took longer: heat 0.20 -> 0.14-0.16
ms, a velocity component 0.22 -> 0.20 ms on the 10 MW hall's grid, one core).
On a 2-D grid the z "neighbours" are the cell itself, so their differences,
and fluxes, are exactly 0.

Each loop runs over spans of a z-plane's interior rows as one flat run of
cells, with per-cell flags (:mod:`.kernels_numba_planes`): on the hall's
grid heat 0.15 -> 0.11 ms against a row at a time.  The heat kernel also
reads one flag byte a cell for its faces instead of seven fluid bytes.
"""

from __future__ import annotations

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


@njit(parallel=True, **_JIT)
def diffuse_scalar(T, kappa, nut, half_k, flags, ihx, ihy, ihz, dt, g, nz, ny, row, plane, out):
    """``out = T + dt div(kappa_eff grad T)`` in fluid cells, ``T`` in other interior cells (K).

    The fields are the flat views of padded arrays with ``row`` and
    ``plane`` strides; ``flags`` is :func:`.scalar_flags`'s.
    """
    d = plane if nz > 1 else 0
    ihx2, ihy2, ihz2 = ihx * ihx, ihy * ihy, ihz * ihz
    zero = dt - dt
    for item in prange(nz * PARTS):
        s, n = span(item, g, ny, row, plane)
        tc, nc, fl, o = T[s : s + n], nut[s : s + n], flags[s : s + n], out[s : s + n]
        tw, te, ts, tn = T[s - 1 : s + n - 1], T[s + 1 : s + n + 1], T[s - row :], T[s + row :]
        nw, ne, ns, nn = nut[s - 1 :], nut[s + 1 :], nut[s - row :], nut[s + row :]
        td, tu, nd, nu = T[s - d :], T[s + d :], nut[s - d :], nut[s + d :]
        for i in range(n):
            c, m, b = tc[i], nc[i], fl[i]
            # each face's flux kappa_eff (T_nb - T_c) where both cells are fluid
            w = (kappa + half_k * (nw[i] + m)) * (tw[i] - c)
            e = (kappa + half_k * (m + ne[i])) * (te[i] - c)
            x = (w if b & WEST else zero) + (e if b & EAST else zero)
            w = (kappa + half_k * (ns[i] + m)) * (ts[i] - c)
            e = (kappa + half_k * (m + nn[i])) * (tn[i] - c)
            y = (w if b & SOUTH else zero) + (e if b & NORTH else zero)
            w = (kappa + half_k * (nd[i] + m)) * (td[i] - c)
            e = (kappa + half_k * (m + nu[i])) * (tu[i] - c)
            z = (w if b & DOWN else zero) + (e if b & UP else zero)
            new = c + dt * (x * ihx2 + y * ihy2 + z * ihz2)
            o[i] = new if b & ACTIVE else (c if b & INTERIOR else o[i])


@njit(inline="always")
def _viscous_term(qc, ql, qh, nc, nl, nh, mc, ml, mh, nu, along, across, ih2):
    """``(F_low - F_high) / h`` of one axis at one face: the viscous fluxes' net gain (m/s²).

    Along the component's own axis a side's eddy viscosity is its cell's
    (``along`` = ``a1``, ``across`` = 0); across it, the mean of the four
    cells around the edge (``along`` = 0, ``across`` = ``a4``).
    """
    low = nu + along * nl + across * (nc + nl + mc + ml)
    high = nu + along * nc + across * (nh + nc + mh + mc)
    return (high * (qh - qc) - low * (qc - ql)) * ih2


@njit(parallel=True, **_JIT)
def diffuse_velocity(q, T, nu, nut, a1, a4, flags, ihx, ihy, ihz, dt, force, half, t_ref, c, g,
                     nz, ny, row, plane, out):  # fmt: skip
    """Viscous step of face component ``c`` with buoyancy: ``out = q + dt (force (T_face -
    t_ref) + div(nu_eff grad q))`` on open faces, ``q`` on the other interior ones (m/s).

    Flat views as in :func:`diffuse_scalar`; ``flags`` is :func:`.velocity_flags`'s.
    ``a1``/``a4`` are 1/0.25 with an eddy viscosity and 0 without (``nut`` is
    then any array of the shape).  ``m*`` views are the eddy viscosity of the
    cells across the face (the face's other cell), which edges across the
    component share with the ``n*`` views.
    """
    back = plane if c == 2 else (row if c == 1 else 1)
    d = plane if nz > 1 else 0
    zero = nu - nu
    # the eddy weights of each axis: along the component (a1) or across it (a4)
    sx, xx = (a1, zero) if c == 0 else (zero, a4)
    sy, xy = (a1, zero) if c == 1 else (zero, a4)
    sz, xz = (a1, zero) if c == 2 else (zero, a4)
    ihx2, ihy2, ihz2 = ihx * ihx, ihy * ihy, ihz * ihz
    for item in prange(nz * PARTS):
        s, n = span(item, g, ny, row, plane)
        b_ = s - back
        qc, fl, o, tc, tb = q[s : s + n], flags[s : s + n], out[s : s + n], T[s:], T[b_:]
        nc, mc = nut[s:], nut[b_:]
        qw, qe, nw, ne = q[s - 1 :], q[s + 1 :], nut[s - 1 :], nut[s + 1 :]
        mw, me = nut[b_ - 1 :], nut[b_ + 1 :]
        qs, qn, ns, nn = q[s - row :], q[s + row :], nut[s - row :], nut[s + row :]
        ms, mn = nut[b_ - row :], nut[b_ + row :]
        qd, qu, nd, nu_ = q[s - d :], q[s + d :], nut[s - d :], nut[s + d :]
        md, mu = nut[b_ - d :], nut[b_ + d :]
        for i in range(n):
            v, m_c, m_b = qc[i], nc[i], mc[i]
            tend = force * (half * (tb[i] + tc[i]) - t_ref)
            tend += _viscous_term(v, qw[i], qe[i], m_c, nw[i], ne[i], m_b, mw[i], me[i], nu, sx,
                                  xx, ihx2)  # fmt: skip
            tend += _viscous_term(v, qs[i], qn[i], m_c, ns[i], nn[i], m_b, ms[i], mn[i], nu, sy,
                                  xy, ihy2)  # fmt: skip
            tend += _viscous_term(v, qd[i], qu[i], m_c, nd[i], nu_[i], m_b, md[i], mu[i], nu, sz,
                                  xz, ihz2)  # fmt: skip
            b = fl[i]
            o[i] = v + dt * tend if b & ACTIVE else (v if b & INTERIOR else o[i])
