"""Rack chip temperatures in time: one lumped thermal mass per rack.

``C dT/dt = P - (T - T_coolant) / R(Q) - G (T - T_ref)+`` with
``R(Q) = R_design (Q/Q_design)^-n``: as coolant flow falls the cold plates'
film resistance rises, and with no flow the chips only store heat, which is
how a rack that loses its coolant reaches its shutdown temperature in well
under a minute.

The last term is the heat the cold plates cannot take that *spills into the
rack's air*.  The rack's capture fraction already counts what its chips lose
to the server air at their design temperature ``T_ref`` (the healthy hall's
steady chip temperature); above it, the packages, boards and the cold
plates' bodies pass ``G (T - T_ref)`` more to the air the server fans blow
past them, ``G = eps * rho c_p * V_air`` with the small effectiveness
:data:`CHIP_AIR_EFFECTIVENESS` (the cold plates cover the hot parts).  With
the fans stopped (a tripped rack) ``G = 0``.

Inputs are held over a step and the update is the exact solution of that
piecewise-linear ODE (it crosses ``T_ref`` at most once in a step: a
first-order linear response is monotonic), so any step is stable, a steady
state is reached exactly, and the heat passed to the coolant, to the air
and stored add up to the heat made.
"""

from __future__ import annotations

import numpy as np

from twin.model.equipment import AIR_CP, AIR_DENSITY, Rack

#: Flow ratio below which the cold plates are taken to carry no heat.
NO_FLOW_RATIO = 1e-6
#: Share of the rack air's heat capacity rate that reaches the chips' temperature:
#: the chip-to-air conductance is this times rho c_p V_air.  With the pod's 120 kW
#: racks (1.7 m^3/s) that is ~100 W/K, so chips 20 K above their design temperature
#: spill ~2 kW, a few per cent of their heat: air cannot save a rack that lost its
#: coolant, but its room sees the extra heat.
CHIP_AIR_EFFECTIVENESS = 0.05


def _segment(start, source, conductance, capacity, span):
    """Exact solution of ``C dT/dt = a - g T`` over ``span`` seconds.

    Returns the end temperature and the integral of T over the span (degC s);
    ``g`` may be 0 (pure storage).
    """
    x = conductance * span / capacity
    small = x < 1e-3
    safe = np.where(small, 1.0, x)
    # frac = (1 - e^-x) / x and half = (x - 1 + e^-x) / x^2, by series where x is small
    frac = np.where(small, 1.0 - x / 2.0 + x * x / 6.0, -np.expm1(-safe) / safe)
    half = np.where(small, 0.5 - x / 6.0 + x * x / 24.0, (safe + np.expm1(-safe)) / safe ** 2)
    end = start + (source - conductance * start) * span * frac / capacity
    integral = span * (start * frac + source * span * half / capacity)
    return end, integral


def _crossing(start, level, source, conductance, capacity):
    """Time (s) for ``C dT/dt = a - g T`` to go from ``start`` to ``level``; inf if never."""
    with np.errstate(divide="ignore", invalid="ignore"):
        target = source / conductance
        ratio = (target - start) / (target - level)
        relaxing = np.where(ratio >= 1.0, capacity / conductance * np.log(ratio), np.inf)
        storing = (level - start) * capacity / source
    time = np.where(conductance > 0.0, relaxing, np.where(storing >= 0.0, storing, np.inf))
    return np.where(np.isfinite(time) & (time >= 0.0), time, np.inf)


class ChipThermal:
    """Chip temperatures (degC) of a set of racks, advanced by :meth:`step`.

    Parameters
    ----------
    racks : list of Rack
        The racks, in the order of every array argument and of :attr:`temperature`.
    initial_temperature : float or ndarray
        Starting chip temperatures (degC).
    reference_temperature : float or ndarray, optional
        Chip temperature above which heat spills into the rack's air (degC);
        default the initial temperature (start from the healthy steady state).

    Attributes
    ----------
    spilled : ndarray
        Heat each rack's chips passed to its air over the last step (W, mean).
    """

    def __init__(self, racks: list[Rack], initial_temperature=35.0, reference_temperature=None):
        self.resistance = np.array([r.chip.resistance for r in racks])  # K/W at design flow
        self.exponent = np.array([r.chip.flow_exponent for r in racks])
        self.capacity = np.array([r.chip.heat_capacity for r in racks])  # J/K
        self.design_flow = np.array([r.design_flow for r in racks])  # m^3/s
        self.temperature = np.broadcast_to(np.asarray(initial_temperature, dtype=float),
                                           (len(racks),)).copy()
        reference = initial_temperature if reference_temperature is None else \
            reference_temperature
        self.reference = np.broadcast_to(np.asarray(reference, dtype=float),
                                         (len(racks),)).copy()
        self.spilled = np.zeros(len(racks))

    def resistance_at(self, flow: np.ndarray) -> np.ndarray:
        """Chip-to-coolant resistance (K/W) at coolant ``flow`` (m^3/s); inf without flow."""
        ratio = np.abs(flow) / self.design_flow
        with np.errstate(divide="ignore"):
            scaled = self.resistance * np.where(ratio > NO_FLOW_RATIO, ratio, 1.0) ** -self.exponent
        return np.where(ratio > NO_FLOW_RATIO, scaled, np.inf)

    def steady(self, power: np.ndarray, coolant: np.ndarray, flow: np.ndarray) -> np.ndarray:
        """Steady chip temperatures (degC) for liquid ``power`` (W), coolant temperature
        (degC) and flow (m^3/s), without spill; inf where there is no flow."""
        return coolant + power * self.resistance_at(flow)

    def step(self, dt: float, power: np.ndarray, coolant: np.ndarray, flow: np.ndarray,
             air_flow: np.ndarray | None = None) -> np.ndarray:
        """Advance by ``dt`` seconds; returns the heat (W, mean over the step) passed
        to the coolant by each rack's cold plates (what spilled is in :attr:`spilled`).

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
        air_flow : ndarray, optional
            Air the rack's fans move (m^3/s; 0 when stopped); None: no spill.
        """
        to_coolant = 1.0 / self.resistance_at(flow)  # W/K; 0 without flow
        to_air = np.zeros_like(power, dtype=float) if air_flow is None else \
            CHIP_AIR_EFFECTIVENESS * AIR_DENSITY * AIR_CP * np.asarray(air_flow, dtype=float)
        # In u = T - T_ref both regimes share one source, C du/dt = s - g u, with g the
        # cold plates' conductance below T_ref and that plus the air's above it; the
        # spill is then the air's conductance times the integral of u while above.
        start, cap = self.temperature - self.reference, self.capacity
        source = power + to_coolant * (coolant - self.reference)
        above = start > 0.0
        g_above = to_coolant + to_air
        first_g = np.where(above, g_above, to_coolant)
        first = np.minimum(_crossing(start, 0.0, source, first_g, cap), dt)
        middle, integral_1 = _segment(start, source, first_g, cap, first)
        end, integral_2 = _segment(middle, source, np.where(above, to_coolant, g_above), cap,
                                   dt - first)
        self.spilled = to_air * np.where(above, integral_1, integral_2) / dt
        self.temperature = self.reference + end
        stored = cap * (end - start) / dt
        return power - stored - self.spilled
