"""Physical constants of the room air and its turbulence model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AirProperties:
    """Physical constants and the turbulence model.

    Parameters
    ----------
    nu : float
        Kinematic viscosity (m²/s); air at 25 °C: 1.55e-5.
    kappa : float
        Thermal diffusivity (m²/s); air: 2.2e-5.
    beta : float
        Thermal expansion coefficient (1/K); ideal gas: 1/T_abs.
    gravity : tuple of float
        Gravity vector (m/s²), e.g. ``(0, 0, -9.81)``.
    t_ref : float
        Reference temperature of the Boussinesq force (°C).
    rho, cp : float
        Density (kg/m³) and specific heat (J/(kg K)) for heat fluxes.
    turbulence : {"constant", "smagorinsky"}
        Effective viscosity model.
    cs : float
        Smagorinsky constant.
    prandtl_t : float
        Turbulent Prandtl number (eddy diffusivity = eddy viscosity / prandtl_t).
    """

    nu: float = 1.55e-5
    kappa: float = 2.2e-5
    beta: float = 1.0 / 298.0
    gravity: tuple = (0.0, 0.0, -9.81)
    t_ref: float = 20.0
    rho: float = 1.19
    cp: float = 1006.0
    turbulence: str = "constant"
    cs: float = 0.17
    prandtl_t: float = 0.85

    def __post_init__(self):
        if self.turbulence not in ("constant", "smagorinsky"):
            raise ValueError(
                f"turbulence must be 'constant' or 'smagorinsky', got {self.turbulence!r}"
            )
        if self.nu < 0 or self.kappa < 0:
            raise ValueError("nu and kappa must be >= 0")
