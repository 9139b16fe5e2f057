"""Coolant properties as functions of temperature.

A :class:`Fluid` is three callables of the temperature in °C (scalar or
array): density (kg/m³), dynamic viscosity (Pa·s) and specific heat capacity
(J/(kg·K)).  The hydraulic solver uses the kinematic viscosity of each pipe at
its temperature; the heat model uses the volumetric heat capacity.  Any
callables work, so a supplier's data sheet for a glycol mixture can be plugged
in directly with :func:`tabulated_fluid`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Fluid", "constant_fluid", "tabulated_fluid", "WATER", "PG25"]

PropertyFunction = Callable[[ArrayLike], np.ndarray]


@dataclass(frozen=True)
class Fluid:
    """A liquid described by its properties as functions of temperature.

    Parameters
    ----------
    name : str
        Label used in messages.
    density : callable
        ``density(t)`` in kg/m³ for temperature ``t`` in °C.
    viscosity : callable
        ``viscosity(t)``, dynamic viscosity in Pa·s.
    specific_heat : callable
        ``specific_heat(t)``, isobaric specific heat capacity in J/(kg·K).
    """

    name: str
    density: PropertyFunction
    viscosity: PropertyFunction
    specific_heat: PropertyFunction

    def kinematic_viscosity(self, t: ArrayLike) -> np.ndarray:
        """Kinematic viscosity ν = μ/ρ in m²/s at temperature ``t`` (°C)."""
        return np.asarray(self.viscosity(t), dtype=float) / np.asarray(
            self.density(t), dtype=float
        )

    def volumetric_heat_capacity(self, t: ArrayLike) -> np.ndarray:
        """Volumetric heat capacity ρ·c_p in J/(m³·K) at temperature ``t`` (°C)."""
        return np.asarray(self.density(t), dtype=float) * np.asarray(
            self.specific_heat(t), dtype=float
        )


def constant_fluid(name: str, density: float, viscosity: float, specific_heat: float) -> Fluid:
    """A fluid whose properties do not depend on temperature.

    Parameters
    ----------
    name : str
        Label used in messages.
    density : float
        Density in kg/m³.
    viscosity : float
        Dynamic viscosity in Pa·s.
    specific_heat : float
        Specific heat capacity in J/(kg·K).

    Returns
    -------
    Fluid
    """
    if min(density, viscosity, specific_heat) <= 0.0:
        raise ValueError(
            f"fluid {name!r}: density, viscosity and specific heat must be > 0, got "
            f"{density}, {viscosity}, {specific_heat}"
        )

    def _const(value: float) -> PropertyFunction:
        return lambda t: np.full(np.shape(t), value, dtype=float)

    return Fluid(name, _const(density), _const(viscosity), _const(specific_heat))


def tabulated_fluid(
    name: str,
    temperatures: Sequence[float],
    densities: Sequence[float],
    viscosities: Sequence[float],
    specific_heats: Sequence[float],
) -> Fluid:
    """A fluid interpolated in a property table (held constant outside it).

    Density and heat capacity are interpolated linearly; viscosity linearly in
    its logarithm, because it falls roughly exponentially with temperature.

    Parameters
    ----------
    name : str
        Label used in messages.
    temperatures : sequence of float
        Increasing temperatures in °C.
    densities, viscosities, specific_heats : sequence of float
        Values at those temperatures in kg/m³, Pa·s and J/(kg·K).

    Returns
    -------
    Fluid
    """
    tt = np.asarray(temperatures, dtype=float)
    rho = np.asarray(densities, dtype=float)
    log_mu = np.log(np.asarray(viscosities, dtype=float))
    cp = np.asarray(specific_heats, dtype=float)
    if tt.ndim != 1 or tt.size < 2 or np.any(np.diff(tt) <= 0.0):
        raise ValueError(f"fluid {name!r}: temperatures must increase strictly")
    if not (rho.shape == cp.shape == log_mu.shape == tt.shape):
        raise ValueError(f"fluid {name!r}: every property needs one value per temperature")
    return Fluid(
        name,
        lambda t: np.interp(t, tt, rho),
        lambda t: np.exp(np.interp(t, tt, log_mu)),
        lambda t: np.interp(t, tt, cp),
    )


def _water_density(t: ArrayLike) -> np.ndarray:
    # Kell (1975), air-free water at 1 atm, 0-150 °C, within 0.01 %.
    t = np.asarray(t, dtype=float)
    num = (
        999.83952
        + 16.945176 * t
        - 7.9870401e-3 * t**2
        - 46.170461e-6 * t**3
        + 105.56302e-9 * t**4
        - 280.54253e-12 * t**5
    )
    return num / (1.0 + 16.879850e-3 * t)


def _water_viscosity(t: ArrayLike) -> np.ndarray:
    # Vogel equation; within ~1 % of IAPWS between 0 and 100 °C.
    tk = np.asarray(t, dtype=float) + 273.15
    return 2.414e-5 * 10.0 ** (247.8 / (tk - 140.0))


def _water_specific_heat(t: ArrayLike) -> np.ndarray:
    # Polynomial fit of IAPWS-95 at 1 atm, 0-100 °C, within 0.1 %.
    t = np.asarray(t, dtype=float)
    return 4217.4 - 3.720283 * t + 0.1412855 * t**2 - 2.654387e-3 * t**3 + 2.093236e-5 * t**4


#: Liquid water at atmospheric pressure, 0-100 °C.
WATER = Fluid("water", _water_density, _water_viscosity, _water_specific_heat)

#: Propylene glycol / water, 25 % glycol by mass (a common technology-cooling
#: loop fluid; about twice water's viscosity at 20 °C).  Rounded values after
#: the ASHRAE Handbook—Fundamentals property tables for aqueous propylene
#: glycol; use the supplier's data sheet (via :func:`tabulated_fluid`) for
#: design work.
PG25 = tabulated_fluid(
    "PG25",
    temperatures=[0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0],
    densities=[1027.0, 1024.0, 1020.0, 1015.0, 1010.0, 1004.0, 998.0, 985.0],
    viscosities=[4.5e-3, 3.1e-3, 2.2e-3, 1.65e-3, 1.3e-3, 1.05e-3, 0.87e-3, 0.62e-3],
    specific_heats=[3930.0, 3950.0, 3970.0, 3990.0, 4010.0, 4030.0, 4050.0, 4090.0],
)
