"""Rack chip temperatures in time: one lumped thermal mass per rack.

``C dT/dt = P - (T - T_coolant) / R(Q)`` with ``R(Q) = R_design (Q/Q_design)^-n``:
as coolant flow falls the cold plates' film resistance rises, and with no
flow the chips only store heat (``dT/dt = P / C``), which is how a rack that
loses its coolant reaches its shutdown temperature in well under a minute.
Inputs are held over a step and the update is the exact solution of that
linear ODE, so any step is stable and a steady state is reached exactly.
"""

from __future__ import annotations

import numpy as np

from twin.model.equipment import Rack

#: Flow ratio below which the cold plates are taken to carry no heat.
NO_FLOW_RATIO = 1e-6


class ChipThermal:
    """Chip temperatures (degC) of a set of racks, advanced by :meth:`step`.

    Parameters
    ----------
    racks : list of Rack
        The racks, in the order of every array argument and of :attr:`temperature`.
    initial_temperature : float or ndarray
        Starting chip temperatures (degC).
    """

    def __init__(self, racks: list[Rack], initial_temperature=35.0):
        self.resistance = np.array([r.chip.resistance for r in racks])  # K/W at design flow
        self.exponent = np.array([r.chip.flow_exponent for r in racks])
        self.capacity = np.array([r.chip.heat_capacity for r in racks])  # J/K
        self.design_flow = np.array([r.design_flow for r in racks])  # m^3/s
        self.temperature = np.broadcast_to(np.asarray(initial_temperature, dtype=float),
                                           (len(racks),)).copy()

    def resistance_at(self, flow: np.ndarray) -> np.ndarray:
        """Chip-to-coolant resistance (K/W) at coolant ``flow`` (m^3/s); inf without flow."""
        ratio = np.abs(flow) / self.design_flow
        with np.errstate(divide="ignore"):
            scaled = self.resistance * np.where(ratio > NO_FLOW_RATIO, ratio, 1.0) ** -self.exponent
        return np.where(ratio > NO_FLOW_RATIO, scaled, np.inf)

    def steady(self, power: np.ndarray, coolant: np.ndarray, flow: np.ndarray) -> np.ndarray:
        """Steady chip temperatures (degC) for liquid ``power`` (W), coolant temperature
        (degC) and flow (m^3/s); inf where there is no flow."""
        return coolant + power * self.resistance_at(flow)

    def step(self, dt: float, power: np.ndarray, coolant: np.ndarray,
             flow: np.ndarray) -> np.ndarray:
        """Advance by ``dt`` seconds; returns the heat (W, mean over the step) passed
        to the coolant by each rack's cold plates.

        Parameters
        ----------
        dt : float
            Step (s), any size.
        power : ndarray
            Heat the chips make (W) — the liquid-cooled share of IT power.
        coolant : ndarray
            Coolant temperature at the cold plates (degC).
        flow : ndarray
            Coolant flow through each rack (m^3/s).
        """
        resistance = self.resistance_at(flow)
        tau = self.capacity * resistance  # s; inf without flow
        start = self.temperature
        steady = np.where(np.isfinite(tau), coolant + power * np.where(np.isfinite(resistance),
                                                                       resistance, 0.0), 0.0)
        decay = np.exp(-dt / tau)  # 0 for tau -> 0, 1 for tau = inf
        self.temperature = np.where(np.isfinite(tau), steady + (start - steady) * decay,
                                    start + power * dt / self.capacity)
        stored = self.capacity * (self.temperature - start) / dt
        return power - stored
