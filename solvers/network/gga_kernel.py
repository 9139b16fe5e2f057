"""The whole GGA iteration compiled in one Numba function.

One call runs Newton steps, EPANET's status rules and the connectivity check
until convergence, so a small network's solve costs microseconds, not the
Python overhead of a loop.  Called by :mod:`solvers.network.solve_loop`,
which prepares the arrays; the meaning of each is given there.

Numba's on-disk cache of this module does not notice edits to the kernels it
calls from :mod:`solvers.network.kernels`: after changing that file, delete
``solvers/network/__pycache__/*.nbi`` and ``*.nbc`` (or touch this file).
"""

from __future__ import annotations

import math

from numba import njit

from solvers.network.kernels import (
    CBIG,
    GMIN,
    assemble,
    cholesky,
    cholesky_solve,
    isolated_nodes,
    link_coefficients,
    node_excess,
)

# Link modes (see solve_loop): closed, open, regulating, closed by the solver.
M_CLOSED, M_OPEN, M_ACTIVE, M_TEMP = 0, 1, 2, 3
# Regulator kinds in ``reg``.
R_NONE, R_PRV, R_PSV, R_FCV = 0, 1, 2, 3
# Return codes.
CONVERGED, NOT_CONVERGED, NOT_POSITIVE, NON_FINITE = 0, 1, 2, 3


@njit(cache=True)
def _regulator_status(reg, start, end, mode, flow, head, hset, minor, htol, qtol):
    """EPANET's prvstatus/psvstatus on every PRV/PSV left to regulate."""
    changed = False
    for k in range(reg.size):
        if reg[k] != R_PRV and reg[k] != R_PSV:
            continue
        h1, h2, q, hs, s = head[start[k]], head[end[k]], flow[k], hset[k], mode[k]
        hml = minor[k] * q * q
        new = s
        if reg[k] == R_PRV:
            if s == M_ACTIVE:
                new = M_TEMP if q < -qtol else (M_OPEN if h1 - hml < hs - htol else M_ACTIVE)
            elif s == M_OPEN:
                new = M_TEMP if q < -qtol else (M_ACTIVE if h2 >= hs + htol else M_OPEN)
            elif s == M_TEMP:
                if h1 >= hs + htol and h2 < hs - htol:
                    new = M_ACTIVE
                elif h1 < hs - htol and h1 > h2 + htol:
                    new = M_OPEN
        else:
            if s == M_ACTIVE:
                new = M_TEMP if q < -qtol else (M_OPEN if h2 + hml > hs + htol else M_ACTIVE)
            elif s == M_OPEN:
                new = M_TEMP if q < -qtol else (M_ACTIVE if h1 < hs - htol else M_OPEN)
            elif s == M_TEMP:
                if h2 > hs + htol and h1 > h2 + htol:
                    new = M_OPEN
                elif h1 >= hs + htol and h1 > h2 + htol:
                    new = M_ACTIVE
        if new != s:
            mode[k] = new
            changed = True
    return changed


@njit(cache=True)
def _link_status(kind, check, reg, start, end, mode, flow, head, speed, pmax, setting,
                 htol, qtol):
    """EPANET's linkstatus: check valves, pumps past shut-off head, FCVs."""
    changed = False
    for k in range(kind.size):
        s = mode[k]
        if s == M_CLOSED:
            continue
        new = s
        dh = head[start[k]] - head[end[k]]
        if check[k] and (s == M_OPEN or s == M_TEMP):
            if dh < -htol or flow[k] < -qtol:
                new = M_TEMP
            elif abs(dh) > htol:
                new = M_OPEN
        elif kind[k] == 1 and (s == M_OPEN or s == M_TEMP):
            new = M_TEMP if -dh > speed[k] ** 2 * pmax[k] + htol else M_OPEN
        elif reg[k] == R_FCV:
            if dh < -htol or flow[k] < -qtol:
                new = M_OPEN
            elif s == M_OPEN and flow[k] >= setting[k]:
                new = M_ACTIVE
        if new != s:
            mode[k] = new
            changed = True
    return changed


@njit(cache=True)
def _finish(kind, start, end, junction, elevation, resist, minor, diameter, erel, nu, darcy,
            speed, ptype, pa, pb, pc, ppow, curve_ptr, curve_q, curve_h, setting, demand,
            mode, flow, emitter_flow, head, iso_node, hloss, hgrad, kstate, skip, excess, result):
    """Zero what carries no flow, then measure the energy and continuity residuals."""
    m = kind.size
    for k in range(m):
        iso = iso_node[start[k]] or iso_node[end[k]]
        carrying = (mode[k] == M_OPEN or mode[k] == M_ACTIVE) and not iso
        if not carrying:
            flow[k] = 0.0
        kstate[k] = M_OPEN if (carrying and mode[k] == M_OPEN) else M_CLOSED
        skip[k] = False
    link_coefficients(kind, kstate, flow, resist, minor, diameter, erel, nu, darcy, speed,
                      ptype, pa, pb, pc, ppow, curve_ptr, curve_q, curve_h, setting,
                      hloss, hgrad)
    worst = 0.0
    for k in range(m):
        if kstate[k] == M_OPEN:
            worst = max(worst, abs(hloss[k] - (head[start[k]] - head[end[k]])))
    result[4] = worst
    for i in range(junction.size):
        if iso_node[i]:
            emitter_flow[i] = 0.0
            head[i] = elevation[i]
    node_excess(start, end, flow, skip, demand, emitter_flow, excess)
    worst = 0.0
    for i in range(junction.size):
        if junction[i] and not iso_node[i]:
            worst = max(worst, abs(excess[i]))
    result[5] = worst


@njit(cache=True)
def gga(kind, start, end, row, junction, elevation, resist, minor, diameter, erel, nu, darcy,
        speed, ptype, pa, pb, pc, ppow, curve_ptr, curve_q, curve_h, setting, check, pmax,
        reg, hset, demand, ke, gamma, diag_pos, off_pos, ap, ai, ax, lp, li, lx, work, first,
        lhead, lnext, parent, tol, max_iter, check_freq, max_check, htol, qtol, mode, flow,
        emitter_flow, head, iso_node, hloss, hgrad, p, y, new_flow, rhs, rhs_const, pin_big,
        pin_head, emit_p, emit_c, excess, kstate, skip, em_p, em_y, result):
    """Iterate from ``flow``/``mode`` until converged; state arrays are updated in place.

    ``result`` receives [code, iterations, relative change, failing row, head
    residual (m), continuity residual (m³/s)].  On success, links that carry
    no flow (closed, or in an isolated part) get exactly zero flow and
    isolated nodes their elevation as head.
    """
    m, n_nodes, n = kind.size, junction.size, rhs.size
    inv_gamma = 1.0 / gamma
    conducting = kstate  # reused as a 0/1 mask for the connectivity check
    for k in range(m):
        conducting[k] = 1 if (mode[k] == M_OPEN or mode[k] == M_ACTIVE) else 0
    isolated_nodes(start, end, conducting, ~junction, parent, iso_node)
    nextcheck = check_freq
    relerr = 1.0
    for it in range(1, max_iter + 1):
        for k in range(m):
            iso = iso_node[start[k]] or iso_node[end[k]]
            kstate[k] = M_CLOSED if (mode[k] == M_TEMP or iso) else mode[k]
        link_coefficients(kind, kstate, flow, resist, minor, diameter, erel, nu, darcy, speed,
                          ptype, pa, pb, pc, ppow, curve_ptr, curve_q, curve_h, setting,
                          hloss, hgrad)
        any_reg = False
        for k in range(m):
            if kstate[k] == M_OPEN:
                p[k] = 1.0 / hgrad[k]
                y[k] = hloss[k] * p[k]
            else:
                p[k] = 0.0
                y[k] = flow[k]
            skip[k] = kstate[k] == M_ACTIVE and (reg[k] == R_PRV or reg[k] == R_PSV)
            any_reg = any_reg or skip[k]
        for i in range(n_nodes):
            r = row[i]
            if r < 0:
                continue
            pin_big[r] = 0.0
            rhs_const[r] = -demand[i]
            emit_p[r] = 0.0
            emit_c[r] = 0.0
            if iso_node[i]:
                pin_big[r] = 1.0
                pin_head[r] = elevation[i]
                rhs_const[r] = 0.0
            elif ke[i] > 0.0:
                qe = emitter_flow[i]
                aq = max(abs(qe), 1e-12)
                he = ke[i] * aq**inv_gamma
                pe = 1.0 / max(inv_gamma * he / aq, GMIN)
                ye = math.copysign(he * pe, qe)
                em_p[i] = pe
                em_y[i] = ye
                emit_p[r] = pe
                emit_c[r] = -(qe - ye) + pe * elevation[i]
        if any_reg:
            node_excess(start, end, flow, skip, demand, emitter_flow, excess)
            for k in range(m):
                if not skip[k]:
                    continue
                j = end[k] if reg[k] == R_PRV else start[k]
                y[k] = flow[k] + excess[j] if reg[k] == R_PRV else flow[k] - excess[j]
                if row[j] >= 0:
                    pin_big[row[j]] += CBIG
                    pin_head[row[j]] = hset[k]
        for k in range(m):
            if reg[k] == R_FCV and kstate[k] == M_ACTIVE:
                p[k] = 1.0 / CBIG
                y[k] = flow[k] - setting[k]
        assemble(start, end, row, head, flow, p, y, diag_pos, off_pos, rhs_const, emit_p,
                 emit_c, pin_big, pin_head, ax, rhs)
        bad = cholesky(n, ap, ai, ax, lp, li, lx, work, first, lhead, lnext)
        if bad >= 0:
            result[0], result[1], result[2], result[3] = NOT_POSITIVE, it, relerr, bad
            return
        cholesky_solve(n, lp, li, lx, rhs)
        finite = True
        for i in range(n_nodes):
            if row[i] >= 0:
                head[i] = rhs[row[i]]
                finite = finite and math.isfinite(head[i])
        dsum, qsum = 0.0, 0.0
        for k in range(m):
            q = flow[k] - y[k] + p[k] * (head[start[k]] - head[end[k]])
            dsum += abs(q - flow[k])
            qsum += abs(q)
            finite = finite and math.isfinite(q)
            flow[k] = q
        for i in range(n_nodes):
            if ke[i] > 0.0 and junction[i]:
                qe = 0.0
                if not iso_node[i]:
                    qe = emitter_flow[i] - em_y[i] + em_p[i] * (head[i] - elevation[i])
                dsum += abs(qe - emitter_flow[i])
                qsum += abs(qe)
                emitter_flow[i] = qe
        relerr = dsum / qsum if qsum > 0.0 else dsum
        if not finite:
            result[0], result[1], result[2], result[3] = NON_FINITE, it, relerr, -1
            return
        changed = _regulator_status(reg, start, end, mode, flow, head, hset, minor, htol, qtol)
        if relerr <= tol:
            if _link_status(kind, check, reg, start, end, mode, flow, head, speed, pmax,
                            setting, htol, qtol):
                changed = True
            if not changed:
                result[0], result[1], result[2], result[3] = CONVERGED, it, relerr, -1
                _finish(kind, start, end, junction, elevation, resist, minor, diameter, erel, nu,
                        darcy, speed, ptype, pa, pb, pc, ppow, curve_ptr, curve_q, curve_h,
                        setting, demand, mode, flow, emitter_flow, head, iso_node, hloss, hgrad,
                        kstate, skip, excess, result)
                return
            nextcheck = it + check_freq
        elif it <= max_check and it == nextcheck:
            if _link_status(kind, check, reg, start, end, mode, flow, head, speed, pmax,
                            setting, htol, qtol):
                changed = True
            nextcheck += check_freq
        if changed:
            for k in range(m):
                conducting[k] = 1 if (mode[k] == M_OPEN or mode[k] == M_ACTIVE) else 0
            isolated_nodes(start, end, conducting, ~junction, parent, iso_node)
    result[0], result[1], result[2], result[3] = NOT_CONVERGED, max_iter, relerr, -1
    _finish(kind, start, end, junction, elevation, resist, minor, diameter, erel, nu,
            darcy, speed, ptype, pa, pb, pc, ppow, curve_ptr, curve_q, curve_h,
            setting, demand, mode, flow, emitter_flow, head, iso_node, hloss, hgrad,
            kstate, skip, excess, result)
