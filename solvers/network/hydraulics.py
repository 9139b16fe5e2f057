"""Steady hydraulics by the global gradient algorithm (Todini & Pilati 1988).

Unknowns are the heads at junctions and the flows in links.  Each Newton
step linearizes every link's head loss, solves the symmetric positive
definite node system Bᵀ·P·B·H = rhs by a sparse Cholesky factor (ordering and
pattern fixed per network), and updates the flows from the new heads — the
scheme of EPANET 2.2, including its status rules for check valves, pumps
that cannot deliver the head asked of them, and PRV/PSV/FCV.

Closed links are removed from the problem; a part of the network left with
no path to a fixed-head node is found by graph connectivity, marked
"isolated" and given zero flow, so the matrix is never singular.

Typical use::

    solver = HydraulicSolver(network)
    result = solver.solve(settings, temperature=30.0)
    result = solver.solve(settings, warm_start=result)   # after a small change
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solvers.network import kernels as K
from solvers.network.components import CONSTANT_POWER, PIECEWISE, POWER_FUNCTION
from solvers.network.gga_kernel import M_ACTIVE, M_CLOSED, M_OPEN
from solvers.network.network import AUTO, CLOSED, FIXED_HEAD, PIPE, PUMP, VALVE, Network
from solvers.network.ordering import symbolic_factor
from solvers.network.results import HydraulicResult
from solvers.network.settings import Settings
from solvers.network.solve_loop import TCV, run_gga

__all__ = ["SolverOptions", "HydraulicSolver", "solve"]


@dataclass(frozen=True)
class SolverOptions:
    """Convergence settings of :class:`HydraulicSolver`.

    Parameters
    ----------
    tolerance : float
        Converged when Σ|Δq|/Σ|q| falls to this (EPANET's ACCURACY) and no
        link changes status.
    max_iterations : int
        Iterations before giving up with status "not-converged".
    check_frequency, max_check : int
        Check-valve/pump statuses are also revisited every
        ``check_frequency`` iterations up to iteration ``max_check`` (EPANET's
        CHECKFREQ and MAXCHECK).
    head_tolerance : float
        Head margin in m for status changes (EPANET's 0.0005 ft).
    flow_tolerance : float
        Flow margin in m³/s for status changes (EPANET's 1e-4 cfs).
    """

    tolerance: float = 1.0e-6
    max_iterations: int = 100
    check_frequency: int = 2
    max_check: int = 10
    head_tolerance: float = 0.0005 * 0.3048
    flow_tolerance: float = 1.0e-4 * 0.3048**3


class HydraulicSolver:
    """GGA solver bound to one network (ordering and constants computed once).

    Parameters
    ----------
    network : Network
        The network; never modified.
    options : SolverOptions, optional
        Convergence settings.
    """

    def __init__(self, network: Network, options: SolverOptions | None = None):
        self.network = net = network
        self.options = options or SolverOptions()
        g = net.gravity
        d = np.where(net.diameter > 0.0, net.diameter, 1.0)
        self._area = np.where(net.link_kind == PUMP, 0.0, 0.25 * math.pi * net.diameter**2)
        # Pumps report no velocity: they have no diameter.
        self._inv_area = np.divide(1.0, self._area, out=np.zeros(net.n_links),
                                   where=self._area > 0.0)
        self._kfactor = np.where(net.diameter > 0.0, 8.0 / (g * math.pi**2 * d**4), 0.0)
        self._darcy = net.headloss == "darcy-weisbach"
        if self._darcy:
            resist = 8.0 * net.length / (g * math.pi**2 * d**5)
        else:
            # EPANET's 4.727 (ft, cfs) expressed in SI without rounding.
            hw = 4.727 * 0.3048 ** (4.871 - 3.0 * K.HW_EXPONENT)
            c = np.where(net.roughness > 0.0, net.roughness, 1.0)
            resist = hw * net.length / (c**K.HW_EXPONENT * d**4.871)
        pipe = net.link_kind == PIPE
        self._resist = np.where(pipe, resist, 0.0)
        self._erel = np.where(pipe, net.roughness / (3.7 * d), 0.0)
        self._curve_arrays()
        self._sym = symbolic_factor(net.node_kind, net.start, net.end)
        n = self._sym.n
        self._lx = np.zeros(self._sym.li.size)
        self._ax = np.zeros(self._sym.ai.size)
        self._work = np.zeros(n)
        self._first = np.zeros(n, dtype=np.int64)
        self._lhead = np.zeros(n, dtype=np.int64)
        self._lnext = np.zeros(n, dtype=np.int64)
        self._junction = net.node_kind != FIXED_HEAD
        self._is_valve = net.link_kind == VALVE
        self._parent = np.zeros(net.n_nodes, dtype=np.int64)
        self._ends = np.concatenate([net.start, net.end])
        self._degree = np.maximum(np.bincount(self._ends, minlength=net.n_nodes), 1)
        self._pumps = np.flatnonzero(net.link_kind == PUMP)
        self._is_tcv = self._is_valve & (net.valve_type == TCV)
        # A GPV's curve is its whole head loss: no minor loss on top.
        self._minor_fixed = np.where(self._ptype == K.GPV_CURVE, 0.0,
                                     net.minor_loss * self._kfactor)
        vt = net.valve_type
        # Regulator kind (PRV/PSV/FCV codes 1/2/3) of each valve that may regulate.
        self._regulator = np.where(self._is_valve & (vt >= 1) & (vt <= 3), vt, 0).astype(np.int64)
        self._start_flows()
        self._scratch = None
        # Read-only zeros shared by solves that need no valve set-points or power.
        self._zeros_links = np.zeros(net.n_links)
        self._zeros_links.setflags(write=False)
        self._has_power = bool(np.any(self._power > 0.0))

    def _work_arrays(self) -> tuple:
        """Scratch arrays of the compiled iteration, allocated once per solver.

        They make a solver serve one solve at a time (use one solver per thread).
        """
        if self._scratch is None:
            m, nn, n = self.network.n_links, self.network.n_nodes, self._sym.n
            z = np.zeros
            self._scratch = (z(m), z(m), z(m), z(m), z(m), z(n), z(n), z(n), z(n), z(n), z(n),
                             z(nn), z(m, dtype=np.int64), z(m, dtype=np.bool_), z(nn), z(nn))
        return self._scratch

    def _curve_arrays(self) -> None:
        """Pump curve constants per link; piecewise pump curves and GPV head-loss
        curves share one flattened table (``ptype`` GPV_CURVE marks the GPVs)."""
        net = self.network
        m = net.n_links
        self._ptype = np.zeros(m, dtype=np.int64)
        self._pa, self._pb, self._pc, self._power = (np.zeros(m) for _ in range(4))
        self._pmax = np.full(m, np.inf)
        ptr, cq, ch = [0], [], []
        for k in range(m):
            curve = net.pumps.get(k)
            if curve is not None and curve.kind == PIECEWISE:
                cq.extend(curve.flows)
                ch.extend(curve.heads)
            if k in net.valve_curves:
                cq.extend(net.valve_curves[k][0])
                ch.extend(net.valve_curves[k][1])
                self._ptype[k] = K.GPV_CURVE
            ptr.append(len(cq))
            if curve is None:
                continue
            self._ptype[k] = curve.kind
            self._pmax[k] = curve.shutoff_head
            if curve.kind == POWER_FUNCTION:
                self._pa[k], self._pb[k], self._pc[k] = curve.a, curve.b, curve.c
            elif curve.kind == CONSTANT_POWER:
                self._power[k] = curve.power
        self._curve_ptr = np.asarray(ptr, dtype=np.int64)
        self._curve_q = np.asarray(cq, dtype=float)
        self._curve_h = np.asarray(ch, dtype=float)

    def _start_flows(self) -> None:
        """Starting flows at full speed: pipes and valves at 1 ft/s (as EPANET),
        pumps at two thirds of their shut-off head or mid-curve."""
        net = self.network
        q = self._area * 0.3048
        for k, curve in net.pumps.items():
            if curve.kind == POWER_FUNCTION:
                q[k] = (curve.a / (3.0 * curve.b)) ** (1.0 / curve.c)
            elif curve.kind == PIECEWISE:
                q[k] = 0.5 * (curve.flows[0] + curve.flows[-1])
            else:
                q[k] = 0.01
        self._q0 = q
        self._q0_scales = np.array([net.pumps.get(k) is not None and
                                    net.pumps[k].kind != CONSTANT_POWER
                                    for k in range(net.n_links)], dtype=bool)

    def _initial_flow(self, settings: Settings) -> np.ndarray:
        # Affinity: a pump's flow at the same point of its curve scales with speed.
        return self._q0 * np.where(self._q0_scales, np.maximum(settings.speed, 1e-3), 1.0)

    def _minor(self, settings: Settings) -> np.ndarray:
        """Minor-loss resistances 8K/(gπ²d⁴); a TCV's K is its current setting."""
        return np.where(self._is_tcv, settings.setting * self._kfactor, self._minor_fixed)

    # -- the solve ---------------------------------------------------------------
    def solve(self, settings: Settings | None = None, temperature=20.0,
              warm_start: HydraulicResult | None = None) -> HydraulicResult:
        """Solve the network's steady state.

        Parameters
        ----------
        settings : Settings, optional
            Operating values (default: those the network was built with).
        temperature : float or ndarray
            Coolant temperature in °C, one value or one per link; sets the
            viscosity of each pipe and the density used for pressures.
        warm_start : HydraulicResult, optional
            A previous solution of this network: its flows and link statuses
            start the iteration (fewer iterations after a small change).

        Returns
        -------
        HydraulicResult
        """
        net = self.network
        settings = settings if settings is not None else net.settings()
        if settings.network is not net:
            raise ValueError("settings belong to a different network")
        if np.ndim(temperature) == 0:
            temp = float(temperature)
            nu = np.full(net.n_links, float(net.fluid.kinematic_viscosity(temp)))
        else:
            temp = np.asarray(temperature, dtype=float)
            if temp.shape != (net.n_links,):
                raise ValueError(f"temperature must be one value or {net.n_links} (one per link)")
            nu = np.asarray(net.fluid.kinematic_viscosity(temp), dtype=float)
        if not (np.all(np.isfinite(nu)) and np.all(nu > 0.0)):
            raise ValueError("temperature must be finite and give a positive viscosity")
        mode = self._user_mode(settings)
        if warm_start is not None and warm_start.network is not net:
            raise ValueError("warm_start is a result of a different network")
        if warm_start is not None:
            flow = warm_start.flow.copy()
            # Keep solver-chosen states only where the user still allows them
            # (a valve fixed open since then must not stay regulating).
            prev = warm_start._mode
            keep = (mode != M_CLOSED) & (prev != M_CLOSED) & ((prev != M_ACTIVE)
                                                              | (mode == M_ACTIVE))
            mode = np.where(keep, prev, mode)
            emitter_flow = warm_start.emitter_flow.copy()
        else:
            flow = self._initial_flow(settings)
            emitter_flow = np.where(settings.emitter > 0.0, 1e-4, 0.0)
        return run_gga(self, settings, nu, temp, mode, flow, emitter_flow)

    def _user_mode(self, settings: Settings) -> np.ndarray:
        net = self.network
        mode = np.where(settings.status == CLOSED, M_CLOSED, M_OPEN).astype(np.int8)
        mode[(net.link_kind == PUMP) & (settings.speed <= 0.0)] = M_CLOSED
        mode[self._is_valve & (settings.status == AUTO)] = M_ACTIVE
        return mode


def solve(network: Network, settings: Settings | None = None, temperature=20.0,
          options: SolverOptions | None = None) -> HydraulicResult:
    """One-off solve: build a :class:`HydraulicSolver` and solve once.

    See :meth:`HydraulicSolver.solve` for the parameters.
    """
    return HydraulicSolver(network, options).solve(settings, temperature)
