"""Coolant temperature transport on a network, with heat sources and exchangers.

Every pipe carries its contents as Lagrangian plug segments, so a front
takes exactly L/v to cross it; nodes mix their inflows perfectly; pumps and
valves have no volume.  Heat enters at links (cold plates: spread over the
pipe's contents, or added to the throughflow of a volume-less link) and at
nodes, leaves through counterflow ε-NTU heat exchangers on chosen links and
through pipe walls (UA to an ambient).  Flows are held constant over a step,
which is cut into sub-steps short enough that no pipe is flushed more than
once: the scheme is unconditionally stable, exact in transport and
conserves energy to round-off, whatever the step and however fast a pump
spins up.  Pipes crossed in under ``dt/max_substeps`` are treated as
volume-less for that step, which bounds the work per step.

Temperatures in °C, heat in W, energies in J, flows in m³/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from solvers.network import heat_kernels as HK
from solvers.network.fluids import WATER, Fluid
from solvers.network.network import FIXED_HEAD, Network

__all__ = ["HeatExchanger", "HeatStep", "HeatTransport", "counterflow_effectiveness"]


def counterflow_effectiveness(ntu: float, capacity_ratio: float) -> float:
    """ε of a counterflow exchanger: (1 − e^{−N(1−C)})/(1 − C·e^{−N(1−C)}), N/(1+N) at C = 1.

    Parameters
    ----------
    ntu : float
        Number of transfer units UA/C_min (>= 0).
    capacity_ratio : float
        C_min/C_max, between 0 and 1.
    """
    return float(HK.effectiveness(float(ntu), float(capacity_ratio)))


def _spread(values, size: int, index: dict[str, int]) -> np.ndarray:
    """Values per link or node: None (zeros), a dict by name, or an array by index."""
    out = np.zeros(size)
    if isinstance(values, dict):
        for name, w in values.items():
            out[index[name]] = w
    elif values is not None:
        out[:] = np.broadcast_to(np.asarray(values, dtype=float), (size,))
    return out


@dataclass
class HeatExchanger:
    """A counterflow liquid-to-liquid heat exchanger (e.g. a CDU's).

    The network (secondary) stream is the flow through ``link``; it is
    cooled (or heated) as it enters that link.

    Parameters
    ----------
    link : str
        Name of the link the secondary stream passes through.
    ua : float
        Overall conductance in W/K.
    primary_inlet_temperature : float
        Primary (facility water) inlet temperature in °C.
    primary_flow : float
        Primary volume flow in m³/s.
    primary_fluid : Fluid
        Primary fluid (default water).
    """

    link: str
    ua: float
    primary_inlet_temperature: float
    primary_flow: float
    primary_fluid: Fluid = WATER

    def primary_capacity_rate(self) -> float:
        """ρ·c_p·Q of the primary stream in W/K."""
        t = self.primary_inlet_temperature
        return float(self.primary_fluid.volumetric_heat_capacity(t)) * self.primary_flow


@dataclass(frozen=True)
class HeatStep:
    """What one :meth:`HeatTransport.step` did.

    Attributes
    ----------
    dt : float
        Step in s.
    substeps : int
        Sub-steps taken (1 unless some pipe would be flushed more than once).
    node_temperature : ndarray
        Per node, °C, at the end of the step (mixed inflow temperature).
    exchanger_heat : ndarray
        Per exchanger (in the order given), mean heat removed from the
        network in W (negative: heat added).
    exchanger_primary_outlet : ndarray
        Per exchanger, primary outlet temperature in °C (mean over the step).
    source_heat, wall_loss, unabsorbed_heat : float
        Mean heat in W put in by sources, lost through walls, and offered by
        sources that had no fluid to heat (a volume-less link or node with no flow).
    inflow_energy, outflow_energy, stored_change : float
        J carried in and out of the network with its water (relative to 0 °C)
        and change of the energy stored in the pipes.
    balance_error : float
        Energy in − out − stored change, in J (round-off only).
    """

    dt: float
    substeps: int
    node_temperature: np.ndarray
    exchanger_heat: np.ndarray
    exchanger_primary_outlet: np.ndarray
    source_heat: float
    wall_loss: float
    unabsorbed_heat: float
    inflow_energy: float
    outflow_energy: float
    stored_change: float
    balance_error: float


class HeatTransport:
    """Temperature state of a network's coolant and its time stepping.

    Parameters
    ----------
    network : Network
        The network (its ``fluid`` gives ρ·c_p, its ``wall_ua`` the wall losses).
    initial_temperature : float or ndarray
        °C, one value or one per node; pipes start at the mean of their ends.
    max_segments : int
        Plug segments a pipe holds before the two closest in temperature merge.
    merge_tolerance : float
        K; an incoming parcel within this of its neighbour joins it.
    max_substeps : int
        Upper bound on sub-steps per step (see the module docstring).
    """

    def __init__(self, network: Network, initial_temperature: Any = 20.0,
                 max_segments: int = 64, merge_tolerance: float = 1.0e-3,
                 max_substeps: int = 1000):
        self.network = net = network
        if max_segments < 2 or max_substeps < 1:
            raise ValueError("max_segments must be >= 2 and max_substeps >= 1")
        t0 = np.broadcast_to(np.asarray(initial_temperature, dtype=float), (net.n_nodes,))
        if not np.all(np.isfinite(t0)):
            raise ValueError("initial_temperature must be finite")
        self.node_temperature = t0.copy()
        #: Temperature (°C) of water entering from outside at each node: out of a
        #: fixed-head node, or at a junction with negative demand.
        self.boundary_temperature = t0.copy()
        self.merge_tolerance = float(merge_tolerance)
        self.max_substeps = int(max_substeps)
        m = net.n_links
        self._seg_v = np.zeros((m, max_segments))
        self._seg_t = np.zeros((m, max_segments))
        self._lo = np.zeros(m, dtype=np.int64)
        self._cnt = np.zeros(m, dtype=np.int64)
        has_volume = net.volume > 0.0
        self._seg_v[has_volume, 0] = net.volume[has_volume]
        self._seg_t[:, 0] = 0.5 * (t0[net.start] + t0[net.end])
        self._cnt[has_volume] = 1
        self._is_fixed = net.node_kind == FIXED_HEAD
        ends = np.concatenate([net.start, net.end])
        links = np.concatenate([np.arange(m), np.arange(m)])
        sort = np.argsort(ends, kind="stable")
        self._adj_link = links[sort].astype(np.int64)
        self._adj_ptr = np.concatenate([[0], np.cumsum(np.bincount(ends, minlength=net.n_nodes))])
        self._order = np.zeros(net.n_nodes, dtype=np.int64)
        self._vol_in = np.zeros(net.n_nodes)
        self._e_in = np.zeros(net.n_nodes)

    def set_boundary_temperature(self, node: str, temperature: float) -> None:
        """Set the temperature (°C) of water entering the network at ``node``."""
        if not math.isfinite(temperature):
            raise ValueError(f"boundary temperature at {node!r} must be finite")
        self.boundary_temperature[self.network.node_index[node]] = temperature

    def link_temperature(self) -> np.ndarray:
        """Mean temperature of each link's contents in °C (volume-less links:
        the mean of their two end nodes), e.g. for the viscosity of the next
        hydraulic solve."""
        net = self.network
        out = 0.5 * (self.node_temperature[net.start] + self.node_temperature[net.end])
        HK.mean_temperature(self._seg_v, self._seg_t, self._lo, self._cnt, out)
        return out

    def profile(self, link: str) -> tuple[np.ndarray, np.ndarray]:
        """Segments of one pipe from its start node: (end position of each in m, °C)."""
        k = self.network.link_index[link]
        m = self._seg_v.shape[1]
        idx = (self._lo[k] + np.arange(self._cnt[k])) % m
        area = self.network.volume[k] / self.network.length[k]
        return np.cumsum(self._seg_v[k, idx]) / area, self._seg_t[k, idx].copy()

    def _stored(self) -> float:
        return HK.stored_energy(self._seg_v, self._seg_t, self._lo, self._cnt)

    def _per_link(self, values) -> np.ndarray:
        return _spread(values, self.network.n_links, self.network.link_index)

    def _per_node(self, values) -> np.ndarray:
        return _spread(values, self.network.n_nodes, self.network.node_index)

    def step(self, flow, dt: float, link_heat=None, node_heat=None,
             exchangers: tuple[HeatExchanger, ...] | list = (),
             ambient_temperature: float = 20.0) -> HeatStep:
        """Advance the temperatures by ``dt`` seconds at constant flows.

        Parameters
        ----------
        flow : ndarray or HydraulicResult
            Link flows in m³/s (a result's ``flow`` is used).  Water leaving or
            entering at nodes is whatever the link flows do not balance.
        dt : float
            Step in s (> 0); any size is stable.
        link_heat, node_heat : ndarray or dict, optional
            Heat input in W per link / node (arrays by index or dicts by name).
        exchangers : sequence of HeatExchanger
            Exchangers, at most one per link.
        ambient_temperature : float
            °C around pipes with a wall UA.

        Returns
        -------
        HeatStep
        """
        net = self.network
        q = np.asarray(getattr(flow, "flow", flow), dtype=float)
        if q.shape != (net.n_links,) or not np.all(np.isfinite(q)):
            raise ValueError(f"flow must be {net.n_links} finite values in m³/s")
        if not (dt > 0.0 and math.isfinite(dt)):
            raise ValueError(f"dt must be > 0 s, got {dt}")
        lh, nh = self._per_link(link_heat), self._per_node(node_heat)
        hx_of = np.full(net.n_links, -1, dtype=np.int64)
        for h, hx in enumerate(exchangers):
            k = net.link_index[hx.link]
            if hx_of[k] >= 0:
                raise ValueError(f"link {hx.link!r} has two heat exchangers")
            hx_of[k] = h
        hx_ua = np.array([hx.ua for hx in exchangers], dtype=float)
        hx_tp = np.array([hx.primary_inlet_temperature for hx in exchangers], dtype=float)
        hx_cp = np.array([hx.primary_capacity_rate() for hx in exchangers], dtype=float)

        aq = np.abs(q)
        vol = net.volume
        # Pipes crossed in less than dt/max_substeps behave as volume-less this step.
        transit = np.divide(vol, aq, out=np.full(net.n_links, np.inf), where=aq > 0.0)
        instant = (vol <= 0.0) | (transit < dt / self.max_substeps)
        moving = ~instant & (aq > 0.0)
        n_sub = int(max(1, math.ceil(float(np.max(dt / transit[moving], initial=0.0)) - 1e-9)))
        dts = dt / n_sub
        HK.flow_order(net.start, net.end, q, instant, self._adj_ptr, self._adj_link, self._order)
        net_out = np.bincount(net.end, weights=q, minlength=net.n_nodes) - np.bincount(
            net.start, weights=q, minlength=net.n_nodes)
        stored_t = self.link_temperature()
        rhocp = float(net.fluid.volumetric_heat_capacity(
            float(np.sum(stored_t * vol) / vol.sum()) if vol.sum() > 0 else
            float(self.node_temperature.mean())))
        acc = np.zeros(6)
        hx_heat = np.zeros(len(exchangers))
        before = self._stored()
        HK.advance(n_sub, dts, net.start, net.end, q, vol, instant, self._is_fixed, self._order,
                   self._adj_ptr, self._adj_link, net_out, self._seg_v, self._seg_t, self._lo,
                   self._cnt, self.node_temperature, self.boundary_temperature, lh, nh,
                   np.asarray(net.wall_ua, dtype=float), float(ambient_temperature), rhocp,
                   hx_of, hx_ua, hx_tp, hx_cp, self.merge_tolerance, self._vol_in, self._e_in,
                   acc, hx_heat)
        stored_change = rhocp * (self._stored() - before)
        outlet = hx_tp + np.divide(hx_heat / dt, hx_cp, out=np.zeros_like(hx_cp),
                                   where=hx_cp > 0.0)
        balance = (acc[HK.E_IN] + acc[HK.E_SOURCE] - acc[HK.E_EXCHANGER] - acc[HK.E_WALL]
                   - acc[HK.E_OUT] - stored_change)
        return HeatStep(
            dt=dt, substeps=n_sub, node_temperature=self.node_temperature.copy(),
            exchanger_heat=hx_heat / dt, exchanger_primary_outlet=outlet,
            source_heat=acc[HK.E_SOURCE] / dt, wall_loss=acc[HK.E_WALL] / dt,
            unabsorbed_heat=acc[HK.E_UNABSORBED] / dt, inflow_energy=acc[HK.E_IN],
            outflow_energy=acc[HK.E_OUT], stored_change=stored_change,
            balance_error=balance)
