"""The result of one hydraulic solve."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solvers.network.network import Network

__all__ = ["HydraulicResult", "LINK_STATES", "NODE_STATES"]

#: Names of the ``link_status`` codes.  "closed": closed by its settings (or a
#: stopped pump); "open"; "active": a PRV/PSV/FCV regulating; "check-closed":
#: a check valve, a pump that cannot give the head asked of it, or a
#: regulating valve against reverse flow, closed by the solver; "isolated": in
#: a part of the network cut off from every fixed-head node.
LINK_STATES = ("closed", "open", "active", "check-closed", "isolated")
#: Names of the ``node_status`` codes.  "isolated" nodes are cut off from every
#: fixed-head node by closed links: they carry no flow and are reported at
#: their elevation (zero gauge pressure), never as NaN.
NODE_STATES = ("ok", "isolated")


@dataclass(frozen=True)
class HydraulicResult:
    """Heads, flows and the solver's verdict for one snapshot.

    Attributes
    ----------
    network : Network
        The network solved.
    status : str
        "converged", "not-converged" (iteration limit reached: the numbers are
        the last iterate, see ``relative_change`` and the residuals) or
        "failed" (no usable numbers; ``message`` says why).
    message : str
        One line for humans: the status and what to look at.
    iterations : int
        Newton (GGA) iterations done.
    relative_change : float
        Σ|Δq|/Σ|q| of the last iteration (EPANET's accuracy measure).
    head_residual : float
        Largest |h(q) − (H_start − H_end)| over open links in m.
    flow_residual : float
        Largest continuity error at a junction in m³/s.
    head, pressure : ndarray
        Per node: head in m, gauge pressure ρ·g·(H − z) in Pa.
    flow, velocity, headloss : ndarray
        Per link: flow in m³/s (positive start → end), mean velocity in m/s
        (0 for pumps), head loss H_start − H_end in m (negative across a pump).
    emitter_flow : ndarray
        Per node: emitter (leak) outflow in m³/s.
    node_status, link_status : ndarray of int8
        Codes into :data:`NODE_STATES` and :data:`LINK_STATES`.
    warnings : tuple of str
        Conditions worth a look that do not stop the solve (isolated parts
        with demand, dead-headed pumps, supplies at junctions).
    """

    network: Network
    status: str
    message: str
    iterations: int
    relative_change: float
    head_residual: float
    flow_residual: float
    head: np.ndarray
    pressure: np.ndarray
    flow: np.ndarray
    velocity: np.ndarray
    headloss: np.ndarray
    emitter_flow: np.ndarray
    node_status: np.ndarray
    link_status: np.ndarray
    warnings: tuple[str, ...] = ()
    _mode: np.ndarray = field(default=None, repr=False)

    @property
    def converged(self) -> bool:
        """True when the solve met its tolerance with stable link statuses."""
        return self.status == "converged"

    @property
    def isolated_nodes(self) -> list[str]:
        """Names of the nodes cut off from every fixed-head node."""
        names = self.network.node_names
        return [names[i] for i in np.flatnonzero(self.node_status == 1)]

    def node(self, name: str) -> dict:
        """Head (m), pressure (Pa) and status of one node by name."""
        i = self.network.node_index[name]
        return {"head": float(self.head[i]), "pressure": float(self.pressure[i]),
                "status": NODE_STATES[self.node_status[i]]}

    def link(self, name: str) -> dict:
        """Flow (m³/s), velocity (m/s), head loss (m) and status of one link by name."""
        k = self.network.link_index[name]
        return {"flow": float(self.flow[k]), "velocity": float(self.velocity[k]),
                "headloss": float(self.headloss[k]), "status": LINK_STATES[self.link_status[k]]}
