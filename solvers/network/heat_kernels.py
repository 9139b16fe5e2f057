"""Compiled inner loops of the heat-transport model (Numba).

Each pipe holds a queue of Lagrangian plug segments (volume, temperature)
ordered from its start node to its end node, in a ring buffer of fixed
capacity.  A sub-step pulls the volume |q|·δt out of each pipe's downstream
end, mixes it at the nodes (in an order that follows the flow through
instant links), and pushes the same volume in at each pipe's upstream end.
Sub-steps are short enough that no pipe is flushed more than once, so the
scheme is exact for transport and conserves energy to round-off.
"""

from __future__ import annotations

import math

from numba import njit

# Slots of the energy accumulator (J).
E_SOURCE, E_EXCHANGER, E_WALL, E_IN, E_OUT, E_UNABSORBED = 0, 1, 2, 3, 4, 5


@njit(cache=True)
def effectiveness(ntu, cr):
    """Effectiveness of a counterflow heat exchanger (ε-NTU, Cr = Cmin/Cmax <= 1)."""
    if ntu <= 0.0:
        return 0.0
    if cr < 1.0 - 1e-9:
        x = math.exp(-ntu * (1.0 - cr))
        return (1.0 - x) / (1.0 - cr * x)
    return ntu / (1.0 + ntu)


@njit(cache=True)
def exchange(t_in, c_sec, ua, t_primary, c_primary):
    """Heat (W) from the secondary stream (inlet ``t_in``, capacity rate
    ``c_sec`` W/K) to a primary stream (``t_primary``, ``c_primary``)."""
    if c_sec <= 0.0 or ua <= 0.0:
        return 0.0
    if c_primary <= 0.0:
        return 0.0
    cmin = min(c_sec, c_primary)
    cmax = max(c_sec, c_primary)
    return effectiveness(ua / cmin, cmin / cmax) * cmin * (t_in - t_primary)


@njit(cache=True)
def _pull(k, vol, forward, seg_v, seg_t, lo, cnt):
    """Remove ``vol`` m³ from the downstream end of pipe k; return Σ v·T."""
    m = seg_v.shape[1]
    e = 0.0
    rem = vol
    last = 0.0
    while rem > 0.0 and cnt[k] > 0:
        idx = (lo[k] + cnt[k] - 1) % m if forward else lo[k]
        v = seg_v[k, idx]
        last = seg_t[k, idx]
        if v <= rem:
            e += v * last
            rem -= v
            cnt[k] -= 1
            if not forward:
                lo[k] = (lo[k] + 1) % m
        else:
            e += rem * last
            seg_v[k, idx] = v - rem
            rem = 0.0
    # Only round-off can leave a remainder (sub-steps never over-flush).
    e += rem * last
    return e


@njit(cache=True)
def _push(k, vol, temp, forward, seg_v, seg_t, lo, cnt, merge_tol):
    """Add ``vol`` m³ at ``temp`` at the upstream end of pipe k."""
    m = seg_v.shape[1]
    if vol <= 0.0:
        return
    if cnt[k] > 0:
        adj = lo[k] if forward else (lo[k] + cnt[k] - 1) % m
        if abs(seg_t[k, adj] - temp) <= merge_tol:
            v = seg_v[k, adj]
            seg_t[k, adj] = (v * seg_t[k, adj] + vol * temp) / (v + vol)
            seg_v[k, adj] = v + vol
            return
    if cnt[k] == m:
        # Full: merge the adjacent pair closest in temperature (keeps fronts sharp).
        best, jbest = 1e300, 0
        for j in range(m - 1):
            a, b = (lo[k] + j) % m, (lo[k] + j + 1) % m
            d = abs(seg_t[k, a] - seg_t[k, b])
            if d < best:
                best, jbest = d, j
        a, b = (lo[k] + jbest) % m, (lo[k] + jbest + 1) % m
        v = seg_v[k, a] + seg_v[k, b]
        seg_t[k, a] = (seg_v[k, a] * seg_t[k, a] + seg_v[k, b] * seg_t[k, b]) / v
        seg_v[k, a] = v
        for j in range(jbest + 1, m - 1):
            dst, src = (lo[k] + j) % m, (lo[k] + j + 1) % m
            seg_v[k, dst] = seg_v[k, src]
            seg_t[k, dst] = seg_t[k, src]
        cnt[k] -= 1
    if forward:
        lo[k] = (lo[k] - 1) % m
        idx = lo[k]
    else:
        idx = (lo[k] + cnt[k]) % m
    seg_v[k, idx] = vol
    seg_t[k, idx] = temp
    cnt[k] += 1


@njit(cache=True)
def _through(k, t_in, aq, rhocp, link_heat, wall_ua, ambient, hx_of, hx_ua, hx_tp, hx_cp,
             acc, hx_heat, dt):
    """Outlet temperature of an instant link carrying |q| = ``aq`` m³/s."""
    c = rhocp * aq
    t = t_in
    if link_heat[k] != 0.0:
        t += link_heat[k] / c
        acc[E_SOURCE] += link_heat[k] * dt
    if wall_ua[k] > 0.0:
        t_new = ambient + (t - ambient) * math.exp(-wall_ua[k] / c)
        acc[E_WALL] += c * (t - t_new) * dt
        t = t_new
    h = hx_of[k]
    if h >= 0:
        q = exchange(t, c, hx_ua[h], hx_tp[h], hx_cp[h])
        t -= q / c
        acc[E_EXCHANGER] += q * dt
        hx_heat[h] += q * dt
    return t


@njit(cache=True)
def advance(n_sub, dt, start, end, flow, volume, instant, is_fixed, order, adj_ptr, adj_link,
            net_out, seg_v, seg_t, lo, cnt, node_t, boundary_t, link_heat, node_heat, wall_ua,
            ambient, rhocp, hx_of, hx_ua, hx_tp, hx_cp, merge_tol, vol_in, e_in, acc, hx_heat):
    """Advance temperatures by ``n_sub`` sub-steps of ``dt`` seconds each.

    ``instant[k]``: link k has no volume for this step (pump, valve, or a pipe
    crossed in a negligible time).  ``order``: nodes in flow order through
    instant links.  ``net_out[i]``: flow leaving the network at node i in
    m³/s (negative: entering).  Energies go into ``acc`` (see E_*) and the
    heat of each exchanger into ``hx_heat``.
    """
    n_links = start.size
    for _ in range(n_sub):
        vol_in[:] = 0.0
        e_in[:] = 0.0
        for k in range(n_links):
            q = flow[k]
            if instant[k] or q == 0.0:
                continue
            v = abs(q) * dt
            fwd = q > 0.0
            e = _pull(k, v, fwd, seg_v, seg_t, lo, cnt)
            dn = end[k] if fwd else start[k]
            vol_in[dn] += v
            e_in[dn] += e
        for i in order:
            vin = vol_in[i]
            ein = e_in[i]
            if is_fixed[i]:
                acc[E_OUT] += rhocp * ein
                t = boundary_t[i]
            else:
                if net_out[i] < 0.0:
                    sv = -net_out[i] * dt
                    vin += sv
                    ein += sv * boundary_t[i]
                    acc[E_IN] += rhocp * sv * boundary_t[i]
                if vin > 0.0:
                    t = ein / vin + node_heat[i] * dt / (rhocp * vin)
                    acc[E_SOURCE] += node_heat[i] * dt
                else:
                    t = node_t[i]
                    acc[E_UNABSORBED] += node_heat[i] * dt
                if net_out[i] > 0.0:
                    acc[E_OUT] += rhocp * net_out[i] * dt * t
            node_t[i] = t
            for p in range(adj_ptr[i], adj_ptr[i + 1]):
                k = adj_link[p]
                q = flow[k]
                if not instant[k] or q == 0.0 or (start[k] == i) != (q > 0.0):
                    continue
                if is_fixed[i]:
                    acc[E_IN] += rhocp * abs(q) * dt * t
                t_out = _through(k, t, abs(q), rhocp, link_heat, wall_ua, ambient, hx_of, hx_ua,
                                 hx_tp, hx_cp, acc, hx_heat, dt)
                dn = end[k] if q > 0.0 else start[k]
                vol_in[dn] += abs(q) * dt
                e_in[dn] += abs(q) * dt * t_out
        for k in range(n_links):
            q = flow[k]
            if instant[k]:
                if q == 0.0:
                    acc[E_UNABSORBED] += link_heat[k] * dt
                continue
            if q != 0.0:
                fwd = q > 0.0
                up = start[k] if fwd else end[k]
                t = node_t[up]
                if is_fixed[up]:
                    acc[E_IN] += rhocp * abs(q) * dt * t
                h = hx_of[k]
                if h >= 0:
                    c = rhocp * abs(q)
                    qx = exchange(t, c, hx_ua[h], hx_tp[h], hx_cp[h])
                    t -= qx / c
                    acc[E_EXCHANGER] += qx * dt
                    hx_heat[h] += qx * dt
                _push(k, abs(q) * dt, t, fwd, seg_v, seg_t, lo, cnt, merge_tol)
            # Heat into the contents (uniform along the pipe), then wall loss.
            m = seg_v.shape[1]
            if link_heat[k] != 0.0:
                dtemp = link_heat[k] * dt / (rhocp * volume[k])
                for j in range(cnt[k]):
                    seg_t[k, (lo[k] + j) % m] += dtemp
                acc[E_SOURCE] += link_heat[k] * dt
            if wall_ua[k] > 0.0:
                f = math.exp(-wall_ua[k] * dt / (rhocp * volume[k]))
                for j in range(cnt[k]):
                    idx = (lo[k] + j) % m
                    t_new = ambient + (seg_t[k, idx] - ambient) * f
                    acc[E_WALL] += rhocp * seg_v[k, idx] * (seg_t[k, idx] - t_new)
                    seg_t[k, idx] = t_new


@njit(cache=True)
def stored_energy(seg_v, seg_t, lo, cnt):
    """Σ v·T over the segments of every pipe (m³·K); multiply by ρ·c_p for J."""
    m = seg_v.shape[1]
    s = 0.0
    for k in range(cnt.size):
        for j in range(cnt[k]):
            idx = (lo[k] + j) % m
            s += seg_v[k, idx] * seg_t[k, idx]
    return s


@njit(cache=True)
def mean_temperature(seg_v, seg_t, lo, cnt, out):
    """Volume-mean temperature of each link's contents into ``out`` (links with segments)."""
    m = seg_v.shape[1]
    for k in range(cnt.size):
        if cnt[k] == 0:
            continue
        s = 0.0
        v = 0.0
        for j in range(cnt[k]):
            idx = (lo[k] + j) % m
            s += seg_v[k, idx] * seg_t[k, idx]
            v += seg_v[k, idx]
        out[k] = s / v


@njit(cache=True)
def flow_order(start, end, flow, instant, adj_ptr, adj_link, order):
    """Nodes in an order where every instant link's upstream node comes first.

    Kahn's algorithm on the instant links, oriented by flow; a cycle made
    only of instant links (not physical) is broken at its lowest node index.
    """
    n = adj_ptr.size - 1
    indeg = [0] * n
    for k in range(start.size):
        if instant[k] and flow[k] != 0.0:
            indeg[end[k] if flow[k] > 0.0 else start[k]] += 1
    placed = [False] * n
    tail = 0
    for i in range(n):
        if indeg[i] == 0:
            order[tail] = i
            placed[i] = True
            tail += 1
    head = 0
    scan = 0
    while head < n:
        if head == tail:
            while placed[scan]:
                scan += 1
            order[tail] = scan
            placed[scan] = True
            tail += 1
        i = order[head]
        head += 1
        for p in range(adj_ptr[i], adj_ptr[i + 1]):
            k = adj_link[p]
            q = flow[k]
            if not instant[k] or q == 0.0 or (start[k] == i) != (q > 0.0):
                continue
            dn = end[k] if q > 0.0 else start[k]
            indeg[dn] -= 1
            if indeg[dn] == 0 and not placed[dn]:
                order[tail] = dn
                placed[dn] = True
                tail += 1
