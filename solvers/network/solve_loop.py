"""Prepare a solve for the compiled GGA iteration and package its result.

Used by :class:`solvers.network.hydraulics.HydraulicSolver`; not public.
"""

from __future__ import annotations

import numpy as np

from solvers.network import gga_kernel as G
from solvers.network.gga_kernel import M_ACTIVE, M_CLOSED, M_OPEN, M_TEMP
from solvers.network.network import AUTO, FIXED_HEAD
from solvers.network.results import HydraulicResult

# Valve type codes of network.VALVE_TYPES.
TCV, PRV, PSV = 0, 1, 2
# results.LINK_STATES code of a link in an isolated part.
ISOLATED = 4


class _Problem:
    """Per-solve constants: settings turned into arrays the iteration uses."""

    def __init__(self, solver, settings, nu, temp):
        net = solver.network
        self.net, self.solver, self.settings, self.nu = net, solver, settings, nu
        if np.ndim(temp) == 0:
            rhog = float(net.fluid.density(float(temp))) * net.gravity
            self.rhog = np.full(net.n_nodes, rhog)
        else:
            # Each node at the mean temperature of the links that meet there.
            tsum = np.bincount(solver._ends, weights=np.concatenate([temp, temp]),
                               minlength=net.n_nodes)
            node_temp = tsum / solver._degree
            self.rhog = np.asarray(net.fluid.density(node_temp), dtype=float) * net.gravity
        self.minor = solver._minor(settings)
        self.gamma = gamma = net.emitter_exponent
        self.ke = np.zeros(net.n_nodes)
        if np.any(settings.emitter > 0.0):
            c_head = settings.emitter * self.rhog**gamma  # m³/s per m^γ of pressure head
            live = (c_head > 0.0) & (net.node_kind != FIXED_HEAD)
            self.ke[live] = c_head[live] ** (-1.0 / gamma)
        # Regulator kind per link (PRV/PSV/FCV) where the valve is left to regulate.
        self.reg = np.where(settings.status == AUTO, solver._regulator, 0)
        self.hset = solver._zeros_links
        if self.reg.any():
            j = np.where(self.reg == PRV, net.end, net.start)
            self.hset = np.where((self.reg == PRV) | (self.reg == PSV),
                                 net.elevation[j] + settings.setting / self.rhog[j], 0.0)
        # Constant-power pumps: head = P/(ρ·g·Q), with ρ at the suction node.
        self.ppow = solver._zeros_links
        if solver._has_power:
            self.ppow = solver._power / self.rhog[net.start]


def run_gga(solver, settings, nu, temp, mode, flow, emitter_flow) -> HydraulicResult:
    """Iterate to convergence from ``flow``/``mode``; return the result."""
    net, opt, sym = solver.network, solver.options, solver._sym
    pb = _Problem(solver, settings, nu, temp)
    w = solver._work_arrays()
    mode = np.array(mode, dtype=np.int8)
    flow = np.array(flow, dtype=float)
    emitter_flow = np.array(emitter_flow, dtype=float)
    head = np.where(solver._junction, net.elevation, settings.head).astype(float)
    iso_node = np.zeros(net.n_nodes, dtype=np.bool_)
    out = np.full(6, np.nan)
    G.gga(net.link_kind, net.start, net.end, sym.row, solver._junction, net.elevation,
          solver._resist, pb.minor, net.diameter, solver._erel, nu, solver._darcy,
          settings.speed, solver._ptype, solver._pa, solver._pb, solver._pc, pb.ppow,
          solver._curve_ptr, solver._curve_q, solver._curve_h, settings.setting,
          net.check_valve, solver._pmax, pb.reg, pb.hset, settings.demand, pb.ke, pb.gamma,
          sym.diag_pos, sym.off_pos, sym.ap, sym.ai, solver._ax, sym.lp, sym.li, solver._lx,
          solver._work, solver._first, solver._lhead, solver._lnext, solver._parent,
          opt.tolerance, opt.max_iterations, opt.check_frequency, opt.max_check,
          opt.head_tolerance, opt.flow_tolerance, mode, flow, emitter_flow, head, iso_node,
          *w, out)
    code, iterations, relerr = int(out[0]), int(out[1]), float(out[2])
    status, message = "converged", ""
    if code == G.NOT_CONVERGED:
        status = "not-converged"
    elif code == G.NOT_POSITIVE:
        node = net.node_names[int(np.flatnonzero(sym.row == int(out[3]))[0])]
        status = "failed"
        message = (f"failed: the network matrix is not positive definite at node {node!r} "
                   f"(iteration {iterations}); check pump curves and valve settings near it")
    elif code == G.NON_FINITE:
        status = "failed"
        message = (f"failed: heads or flows became non-finite at iteration {iterations}; "
                   "check pump curves, valve settings and demands")
    iso_link = iso_node[net.start] | iso_node[net.end]
    return finish(pb, status, message, iterations, relerr, float(out[4]), float(out[5]), mode,
                  iso_node, iso_link, head, flow, emitter_flow)


def _names(net, idx, limit=5) -> str:
    names = [net.node_names[i] for i in idx[:limit]]
    more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
    return ", ".join(repr(x) for x in names) + more


def finish(pb, status, message, iterations, relerr, head_residual, flow_residual, mode,
           iso_node, iso_link, head, flow, emitter_flow) -> HydraulicResult:
    """Package the final iterate (flows already zeroed where nothing flows) with warnings."""
    net, solver, st = pb.net, pb.solver, pb.settings
    carrying = ((mode == M_OPEN) | (mode == M_ACTIVE)) & ~iso_link
    junction = solver._junction

    warnings = []
    if iso_node.any():
        iso_j = np.flatnonzero(iso_node & junction)
        warnings.append(f"{iso_j.size} node(s) cut off from every fixed-head node by closed "
                        f"links, given zero flow: {_names(net, iso_j)}")
        unserved = np.flatnonzero(iso_node & junction & (st.demand != 0.0))
        if unserved.size:
            warnings.append(f"demand not served at isolated node(s) {_names(net, unserved)}")
    if np.any(st.demand < 0.0):
        supply = np.flatnonzero(junction & ~iso_node & (st.demand < 0.0))
        if supply.size:
            warnings.append(f"negative demand (a supply into the network) at "
                            f"{_names(net, supply)}")
    pumps = solver._pumps
    for k in pumps[(mode[pumps] == M_TEMP) & ~iso_link[pumps]]:
        warnings.append(f"pump {net.link_names[k]!r} cannot deliver the head the system needs "
                        f"at speed {st.speed[k]:g}: it is closed (no flow)")
    for k in pumps[carrying[pumps] & (np.abs(flow[pumps]) < 1e-9)]:
        warnings.append(f"pump {net.link_names[k]!r} runs dead-headed (zero flow, at shut-off "
                        "head)")

    options = solver.options
    if (status == "not-converged" and np.max(np.abs(flow), initial=0.0) < options.flow_tolerance
            and head_residual <= options.head_tolerance
            and flow_residual <= options.flow_tolerance):
        # Nothing flows (every pump stopped, say): the relative flow change is a ratio of
        # round-off, while the residuals show the still network is the solution.
        status, still = "converged", True
        warnings.append("no flow anywhere: every link is at rest")
    else:
        still = False
    link_status = mode.astype(np.int8).copy()
    link_status[iso_link & (mode != M_CLOSED)] = ISOLATED
    velocity = flow * solver._inv_area
    pressure = pb.rhog * (head - net.elevation)
    if still:
        message = f"converged: nothing flows (residuals at round-off after {iterations} iterations)"
    elif status == "converged":
        message = f"converged in {iterations} iterations"
    elif status == "not-converged":
        message = (f"not converged after {iterations} iterations: relative flow change "
                   f"{relerr:.3g}, head residual {head_residual:.3g} m; the numbers are the "
                   "last iterate")
    if iso_node.any() and status != "failed":
        message += f"; {int(np.sum(iso_node & junction))} isolated node(s)"
    return HydraulicResult(
        network=net, status=status, message=message, iterations=iterations,
        relative_change=float(relerr), head_residual=head_residual,
        flow_residual=flow_residual, head=head, pressure=pressure, flow=flow,
        velocity=velocity, headloss=head[net.start] - head[net.end],
        emitter_flow=emitter_flow, node_status=iso_node.astype(np.int8),
        link_status=link_status, warnings=tuple(warnings), _mode=mode.copy())
