"""Compiled inner loops of the hydraulic solver (Numba).

* :func:`link_coefficients`: head loss h(q) and its gradient dh/dq of every
  link, turned into the GGA coefficients P = 1/(dh/dq) and Y = h/(dh/dq);
* :func:`assemble`: the node matrix Bᵀ·P·B (lower triangle, in the symmetric
  permuted order of the Cholesky factor) and its right-hand side;
* :func:`cholesky` / :func:`cholesky_solve`: numeric left-looking sparse
  Cholesky on a pattern fixed once per network (see :mod:`.ordering`).

Friction follows EPANET 2.2: Hazen–Williams, or Darcy–Weisbach with
Swamee–Jain for Re >= 4000, 64/Re for Re <= 2000 and Dunlop's cubic
interpolation between.  Units are SI (m, m³/s).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Smallest head-loss gradient in m per m³/s: links at (nearly) zero flow use
#: a linear law of this slope instead of a vanishing one, as EPANET's RQtol.
GMIN = 1.0e-6
#: Conductance used to pin a node's head at a valve setting (EPANET's CBIG).
CBIG = 1.0e8
HW_EXPONENT = 1.852
# The one link state link_coefficients evaluates (gga_kernel.M_OPEN).
S_OPEN = 1
#: ``ptype`` of a general-purpose valve: head loss from a curve.
GPV_CURVE = 3


@njit(cache=True)
def _darcy_factor(q, nu, diameter, erel):
    """Friction factor f and df/dq at flow q > 0 (EPANET's DW formulas)."""
    re = 4.0 * q / (math.pi * diameter * nu)
    if re <= 2000.0:
        f = 64.0 / re
        return f, -f / q
    if re >= 4000.0:
        y1 = 5.74 / re**0.9
        y2 = erel + y1
        y3 = -0.8685889638065036 * math.log(y2)
        f = 1.0 / (y3 * y3)
        return f, 1.8 * f * y1 * -0.8685889638065036 / (y2 * y3 * q)
    # Dunlop (1991) cubic between the laminar value at Re 2000 and
    # Swamee-Jain at Re 4000, matching value and slope at 4000.
    y2 = erel + 5.74 / 4000.0**0.9
    y3 = -0.8685889638065036 * math.log(y2)
    fa = 1.0 / (y3 * y3)
    fb = (2.0 + -0.0051421496579909388 / (y2 * y3)) * fa
    r = re / 2000.0
    x1 = 7.0 * fa - fb
    x2 = 0.128 - 17.0 * fa + 2.5 * fb
    x3 = -0.128 + 13.0 * fa - 2.0 * fb
    x4 = 0.032 - 3.0 * fa + 0.5 * fb
    f = x1 + r * (x2 + r * (x3 + r * x4))
    return f, (x2 + r * (2.0 * x3 + r * 3.0 * x4)) * r / q


@njit(cache=True)
def link_coefficients(kind, state, flow, resist, minor, diameter, erel, nu, darcy,
                      speed, ptype, pa, pb, pc, ppower, curve_ptr, curve_q, curve_h,
                      setting, hloss, hgrad):
    """Head loss h (m) and gradient dh/dq of each link at its current flow.

    ``kind``: 0 pipe, 1 pump, 2 valve.  ``state``: 0 closed (skipped),
    1 open, 2 active controller (skipped; set by the caller).  Pumps give a
    negative head loss (a head gain).  ``minor`` holds 8K/(g·π²·d⁴), the
    minor-loss resistance; ``resist`` the friction resistance (H-W) or
    8L/(g·π²·d⁵) (D-W).  Results go into ``hloss`` and ``hgrad``.
    """
    for k in range(kind.size):
        if state[k] != S_OPEN:
            continue
        q = flow[k]
        aq = abs(q)
        sgn = 1.0 if q >= 0.0 else -1.0
        if kind[k] == 1:
            s = speed[k]
            x = max(q, 1e-12)
            if ptype[k] == 0:
                # H = s²a − b s^(2−c) q^c
                r = pb[k] * s ** (2.0 - pc[k])
                g = pc[k] * r * x ** (pc[k] - 1.0)
                h = -(s * s * pa[k]) + r * x ** pc[k]
            elif ptype[k] == 1:
                lo, hi = curve_ptr[k], curve_ptr[k + 1]
                xs = x / s
                j = lo
                while j < hi - 2 and curve_q[j + 1] < xs:
                    j += 1
                slope = (curve_h[j + 1] - curve_h[j]) / (curve_q[j + 1] - curve_q[j])
                h0 = curve_h[j] - slope * curve_q[j]
                g = -slope * s
                h = -(s * s * h0) + g * x
            else:
                g = ppower[k] * s**3 / (x * x)
                h = -ppower[k] * s**3 / x
            if g < GMIN:
                g = GMIN
            hloss[k] = h
            hgrad[k] = g
            continue
        if kind[k] == 0:
            if darcy:
                x = max(aq, 1e-12)
                f, dfdq = _darcy_factor(x, nu[k], diameter[k], erel[k])
                h = resist[k] * f * x * x
                g = 2.0 * resist[k] * f * x + resist[k] * dfdq * x * x
            else:
                g = HW_EXPONENT * resist[k] * aq ** (HW_EXPONENT - 1.0)
                h = g * aq / HW_EXPONENT
            if g < GMIN:
                g = GMIN
                h = GMIN * aq
        elif ptype[k] == GPV_CURVE:
            # EPANET's gpvcoeff: the curve segment bracketing |q|.
            x = max(aq, 1e-12)
            lo, hi = curve_ptr[k], curve_ptr[k + 1]
            j = lo
            while j < hi - 2 and curve_q[j + 1] < x:
                j += 1
            slope = (curve_h[j + 1] - curve_h[j]) / (curve_q[j + 1] - curve_q[j])
            h = curve_h[j] + slope * (x - curve_q[j])
            g = max(slope, GMIN)
        else:
            h = 0.0
            g = 0.0
        # Minor losses (pipes and open valves).
        m = minor[k]
        if m > 0.0:
            h += m * aq * aq
            g += 2.0 * m * aq
        if g < GMIN:
            g = GMIN
            h = max(h, GMIN * aq)
        hloss[k] = sgn * h
        hgrad[k] = g


@njit(cache=True)
def node_excess(start, end, flow, skip, demand, emitter_flow, excess):
    """Net inflow minus outflow at every node (m³/s), ignoring links with ``skip``."""
    for i in range(excess.size):
        excess[i] = -demand[i] - emitter_flow[i]
    for k in range(start.size):
        if skip[k]:
            continue
        excess[start[k]] -= flow[k]
        excess[end[k]] += flow[k]


@njit(cache=True)
def assemble(start, end, row, head, flow, p, y, diag_pos, off_pos, rhs_const,
             emit_p, emit_c, pin_big, pin_head, ax, rhs):
    """Fill the lower-triangular matrix values ``ax`` and the right-hand side.

    ``row[i]`` is the permuted unknown index of node i (−1 for fixed heads);
    ``diag_pos``/``off_pos`` locate each diagonal and each link's off-diagonal
    in ``ax``.  ``rhs_const`` holds the per-unknown constant part (−demand and
    emitter terms); ``emit_p`` the emitter conductances; ``pin_big``/
    ``pin_head`` pin nodes held by active pressure valves.
    """
    ax[:] = 0.0
    for r in range(rhs.size):
        rhs[r] = rhs_const[r]
        ax[diag_pos[r]] = emit_p[r] + pin_big[r]
        rhs[r] += pin_big[r] * pin_head[r] + emit_c[r]
    for k in range(start.size):
        a, b = row[start[k]], row[end[k]]
        pk = p[k]
        c = flow[k] - y[k]
        if a >= 0:
            ax[diag_pos[a]] += pk
            rhs[a] -= c
            if b < 0:
                rhs[a] += pk * head[end[k]]
        if b >= 0:
            ax[diag_pos[b]] += pk
            rhs[b] += c
            if a < 0:
                rhs[b] += pk * head[start[k]]
        if a >= 0 and b >= 0:
            ax[off_pos[k]] -= pk


@njit(cache=True)
def cholesky(n, ap, ai, ax, lp, li, lx, work, first, head, nxt):
    """Numeric LLᵀ factor of the matrix (lower CSC ``ap/ai/ax``) into ``lx``.

    ``lp``/``li`` is the factor's pattern (rows sorted, diagonal first).
    Returns −1 on success, else the column whose pivot was not positive.
    """
    for j in range(n):
        head[j] = -1
    for j in range(n):
        for p in range(lp[j], lp[j + 1]):
            work[li[p]] = 0.0
        for p in range(ap[j], ap[j + 1]):
            work[ai[p]] = ax[p]
        k = head[j]
        while k != -1:
            knext = nxt[k]
            p0 = first[k]
            ljk = lx[p0]
            for p in range(p0, lp[k + 1]):
                work[li[p]] -= lx[p] * ljk
            p0 += 1
            first[k] = p0
            if p0 < lp[k + 1]:
                r = li[p0]
                nxt[k] = head[r]
                head[r] = k
            k = knext
        d = work[j]
        if not d > 0.0:
            return j
        ljj = math.sqrt(d)
        lx[lp[j]] = ljj
        for p in range(lp[j] + 1, lp[j + 1]):
            lx[p] = work[li[p]] / ljj
        if lp[j] + 1 < lp[j + 1]:
            first[j] = lp[j] + 1
            r = li[lp[j] + 1]
            nxt[j] = head[r]
            head[r] = j
    return -1


@njit(cache=True)
def cholesky_solve(n, lp, li, lx, b):
    """Solve L·Lᵀ·x = b in place."""
    for j in range(n):
        b[j] /= lx[lp[j]]
        bj = b[j]
        for p in range(lp[j] + 1, lp[j + 1]):
            b[li[p]] -= lx[p] * bj
    for j in range(n - 1, -1, -1):
        s = b[j]
        for p in range(lp[j] + 1, lp[j + 1]):
            s -= lx[p] * b[li[p]]
        b[j] = s / lx[lp[j]]


@njit(cache=True)
def isolated_nodes(start, end, conducting, is_fixed, parent, iso_node):
    """Mark nodes with no path of conducting links to a fixed-head node.

    Union–find over the conducting links; ``parent`` is a work array of the
    node count.  Fills ``iso_node`` (bool per node).
    """
    n = parent.size
    for i in range(n):
        parent[i] = i
    for k in range(start.size):
        if not conducting[k]:
            continue
        a, b = start[k], end[k]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            parent[a] = b
    grounded = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if is_fixed[i]:
            r = i
            while parent[r] != r:
                r = parent[r]
            grounded[r] = True
    for i in range(n):
        r = i
        while parent[r] != r:
            r = parent[r]
        iso_node[i] = not grounded[r]
