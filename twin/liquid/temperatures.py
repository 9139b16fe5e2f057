"""Steady coolant temperatures on a solved flow field: one sparse linear solve.

At steady state every link passes on its inlet temperature changed by what
happens in it: a rack adds P / (rho c_p Q); a CDU heat exchanger removes
epsilon C_min (T_in - T_primary) (counterflow epsilon-NTU); pipes pass it on.
Every node mixes what flows in, plus any heat added there.  So ``T_out = a T_in + b`` per link and a
heat balance per node give a linear system in the node temperatures, solved
directly (no time marching).  Nodes nothing flows into take the reference
temperature (they do not affect anything downstream).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from solvers.network import counterflow_effectiveness
from solvers.network.network import FIXED_HEAD

#: Flows below this (m^3/s) count as no flow.
NO_FLOW = 1e-9


@dataclass(frozen=True)
class Exchanger:
    """A heat exchanger on a link, with its primary side (SI, degC)."""

    link: int
    ua: float
    primary_temperature: float
    primary_capacity_rate: float


def exchanger_duty(ua: float, c_secondary: float, c_primary: float) -> float:
    """epsilon * C_min (W/K): heat removed per kelvin of inlet temperature difference."""
    if c_secondary <= 0.0 or c_primary <= 0.0:
        return 0.0
    c_min, c_max = min(c_secondary, c_primary), max(c_secondary, c_primary)
    return counterflow_effectiveness(ua / c_min, c_min / c_max) * c_min


def steady_temperatures(network, flow: np.ndarray, rho_cp: float, link_heat: np.ndarray,
                        exchangers: list[Exchanger], reference: float,
                        node_heat: np.ndarray | None = None) -> np.ndarray:
    """Node temperatures (degC) at steady state.

    Parameters
    ----------
    network : solvers.network.Network
        The loop.
    flow : ndarray
        Link flows (m^3/s), from a hydraulic solve.
    rho_cp : float
        Volumetric heat capacity of the coolant (J/(m^3 K)).
    link_heat : ndarray
        Heat added in each link (W).
    exchangers : list of Exchanger
        Heat exchangers on links.
    reference : float
        Temperature (degC) of fixed-head nodes and of nodes with no inflow.
    node_heat : ndarray, optional
        Heat added where the inflows of each node mix (W); none at a node with
        no inflow (nothing carries it away).
    """
    n = network.n_nodes
    start, end = np.asarray(network.start), np.asarray(network.end)
    forward = flow >= 0.0
    upstream = np.where(forward, start, end)
    downstream = np.where(forward, end, start)
    capacity = rho_cp * np.abs(flow)
    moving = np.abs(flow) > NO_FLOW
    gain = np.ones_like(flow)
    offset = np.zeros_like(flow)
    offset[moving] = link_heat[moving] / capacity[moving]
    for hx in exchangers:
        k = hx.link
        if moving[k]:
            duty = exchanger_duty(hx.ua, capacity[k], hx.primary_capacity_rate)
            gain[k] = 1.0 - duty / capacity[k]
            offset[k] += duty * hx.primary_temperature / capacity[k]
    inflow = np.bincount(downstream[moving], weights=capacity[moving], minlength=n)
    fixed = (np.asarray(network.node_kind) == FIXED_HEAD) | (inflow <= 0.0)
    rows = [np.arange(n)]
    cols = [np.arange(n)]
    values = [np.where(fixed, 1.0, -inflow)]
    rhs = np.where(fixed, reference, 0.0)
    keep = moving & ~fixed[downstream]
    rows.append(downstream[keep])
    cols.append(upstream[keep])
    values.append(capacity[keep] * gain[keep])
    np.subtract.at(rhs, downstream[keep], capacity[keep] * offset[keep])
    if node_heat is not None:
        rhs -= np.where(fixed, 0.0, node_heat)
    matrix = sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                           shape=(n, n))
    return np.asarray(spla.spsolve(matrix.tocsc(), rhs))


def exchanger_heat(flow: np.ndarray, temperature: np.ndarray, network, rho_cp: float,
                   hx: Exchanger) -> float:
    """Heat (W) the exchanger takes out at these flows and node temperatures."""
    q = flow[hx.link]
    if abs(q) <= NO_FLOW:
        return 0.0
    inlet = temperature[network.start[hx.link] if q > 0 else network.end[hx.link]]
    duty = exchanger_duty(hx.ua, rho_cp * abs(q), hx.primary_capacity_rate)
    return duty * (inlet - hx.primary_temperature)
