"""Units of EPANET input files, and results converted back into them.

EPANET files use one flow unit (FLOW UNITS / UNITS option); US flow units
imply feet, inches (diameters), psi, horsepower and millifeet (D-W
roughness), SI flow units imply metres, millimetres, metres of head
(pressure, unless PRESSURE says otherwise), kilowatts and millimetres.  The
solver works in SI; :class:`InpUnits` converts both ways.
"""

from __future__ import annotations

from dataclasses import dataclass

from solvers.network.results import HydraulicResult

__all__ = ["InpUnits", "FLOW_UNITS", "PRESSURE_UNITS", "report"]

FT = 0.3048
#: m³/s per one file flow unit.
FLOW_UNITS = {
    "CFS": FT**3,
    "GPM": 0.003785411784 / 60.0,
    "MGD": 3785.411784 / 86400.0,
    "IMGD": 4546.09 / 86400.0,
    "AFD": 1233.48183754752 / 86400.0,
    "LPS": 1.0e-3,
    "LPM": 1.0e-3 / 60.0,
    "MLD": 1000.0 / 86400.0,
    "CMH": 1.0 / 3600.0,
    "CMD": 1.0 / 86400.0,
    "CMS": 1.0,
}
US_FLOW_UNITS = ("CFS", "GPM", "MGD", "IMGD", "AFD")
#: Pressure units per metre of water head at specific gravity 1, with
#: EPANET's own factors (0.4333 psi per ft, 6.894757 kPa per psi).
PRESSURE_UNITS = {
    "PSI": 0.4333 / FT,
    "KPA": 0.4333 * 6.894757 / FT,
    "METERS": 1.0,
    "BAR": 0.4333 * 6.894757 / FT / 100.0,
    "FEET": 1.0 / FT,
}


@dataclass(frozen=True)
class InpUnits:
    """The unit system of one EPANET file.

    Parameters
    ----------
    flow : str
        Flow unit keyword (GPM, LPS, ...).
    pressure : str
        Pressure unit keyword (PSI, METERS, KPA, BAR, FEET).
    specific_gravity : float
        Of the fluid, relative to water (scales reported pressures).
    """

    flow: str
    pressure: str
    specific_gravity: float = 1.0

    @property
    def us(self) -> bool:
        """True for US customary units (feet, inches, psi, hp)."""
        return self.flow in US_FLOW_UNITS

    @property
    def q(self) -> float:
        """m³/s per file flow unit."""
        return FLOW_UNITS[self.flow]

    @property
    def length(self) -> float:
        """m per file length/head unit (ft or m)."""
        return FT if self.us else 1.0

    @property
    def diameter(self) -> float:
        """m per file diameter unit (in or mm)."""
        return 0.0254 if self.us else 1.0e-3

    @property
    def roughness(self) -> float:
        """m per file Darcy–Weisbach roughness unit (millifeet or mm)."""
        return 1.0e-3 * FT if self.us else 1.0e-3

    @property
    def power(self) -> float:
        """W per file power unit (hp or kW)."""
        return 745.699872 if self.us else 1000.0

    @property
    def pressure_per_head(self) -> float:
        """File pressure units per metre of pressure head of this fluid."""
        return PRESSURE_UNITS[self.pressure] * self.specific_gravity

    def names(self) -> dict:
        """Unit names for a report: flow, head, pressure, velocity, length."""
        return {
            "flow": self.flow,
            "head": "ft" if self.us else "m",
            "pressure": self.pressure.lower() if self.pressure != "METERS" else "m",
            "velocity": "ft/s" if self.us else "m/s",
        }


def report(result: HydraulicResult, units: InpUnits, digits: int = 7) -> dict:
    """A result in a file's units, as plain data (JSON-ready, no NaN).

    Returns exactly ``{"status": str, "units": {...}, "nodes": {ID: {"head",
    "pressure"}}, "links": {ID: {"flow", "velocity"}}}``.  The solver's
    message, warnings and per-node/per-link states are on ``result``
    (``message``, ``warnings``, ``node_status``, ``link_status``).
    """
    net = result.network

    def r(x: float) -> float:
        return float(f"{x:.{digits}g}")

    nodes = {
        name: {"head": r(result.head[i] / units.length),
               "pressure": r((result.head[i] - net.elevation[i]) * units.pressure_per_head)}
        for i, name in enumerate(net.node_names)
    }
    links = {
        name: {"flow": r(result.flow[k] / units.q),
               "velocity": r(result.velocity[k] / units.length)}
        for k, name in enumerate(net.link_names)
    }
    return {"status": result.status, "units": units.names(), "nodes": nodes, "links": links}
