"""Verification cases with exact solutions or balances.

* :func:`heat_mode` — 3-D heat equation, sine mode, exact decay; observed order.
* :func:`gaussian` — a Gaussian advected by a uniform flow and diffusing, in a
  periodic box; exact solution; the minimum must not fall below the initial one.
* :func:`taylor_green` — decaying Taylor–Green vortex, exact energy decay.
* :func:`rack_box` — a rack and an air unit in a closed room: heat balance.
"""

from __future__ import annotations

import numpy as np

from .cases import _result, heated_cavity, lid_driven_cavity
from .grid import PERIODIC, Grid, Wall
from .memory import check_memory
from .patches import Opening
from .properties import AirProperties
from .solver import AirSolver

_STILL = {"beta": 0.0, "gravity": (0.0, 0.0, 0.0), "t_ref": 0.0}


# ---------------------------------------------------------------------- heat equation
def _heat_error(n, backend, dtype, t_end, scheme=None):
    walls = {face: Wall(temperature=0.0) for face in ("x-", "x+", "y-", "y+", "z-", "z+")}
    grid = Grid((n, n, n), (1.0 / n,) * 3, walls)
    solver = AirSolver(
        grid, AirProperties(nu=1.0, kappa=1.0, **_STILL), backend, dtype=dtype, **(scheme or {})
    )
    c = (np.arange(n) + 0.5) / n
    mode = (
        np.sin(np.pi * c)[:, None, None]
        * np.sin(np.pi * c)[None, :, None]
        * np.sin(np.pi * c)[None, None, :]
    )
    solver.set_temperature(mode)
    solver.advance_to(t_end)
    exact = mode * np.exp(-3.0 * np.pi**2 * t_end)
    err = solver.temperature() - exact
    return float(np.sqrt(np.mean(err**2))), float(np.abs(err).max()), solver.steps


def heat_mode(n, backend, dtype=np.float64, scheme=None):
    """Heat equation ``T_t = lap T`` on the unit cube, ``T = sin(pi x) sin(pi y) sin(pi z)``.

    Walls at T = 0, kappa = 1 m²/s, run to ``t = 1 / (3 pi²)`` s (one e-fold)
    on ``n³``, ``(n/2)³`` and ``(n/4)³`` cells; the observed order is
    ``log2(e(n/2) / e(n))`` of the RMS errors.
    """
    t_end = 1.0 / (3.0 * np.pi**2)
    sizes = [n // 4, n // 2, n]
    runs = [_heat_error(m, backend, dtype, t_end, scheme) for m in sizes]
    rms = [r[0] for r in runs]
    orders = [float(np.log2(rms[i] / rms[i + 1])) for i in range(2)]
    metrics = {
        "rms_error": rms[-1],
        "max_error": runs[-1][1],
        "observed_order": orders[-1],
        "observed_order_coarse": orders[0],
        "steps": runs[-1][2],
        "t_end": t_end,
    }
    samples = {"n": sizes, "rms_error": rms, "max_error": [r[1] for r in runs]}
    return _result("heat", {"n": n, "dtype": np.dtype(dtype).name}, backend, samples, metrics, None)


# ---------------------------------------------------------------------- Gaussian
def gaussian(
    n,
    backend,
    dtype=np.float64,
    kappa=1e-3,
    sigma=0.06,
    velocity=(1.0, 0.5),
    t_end=1.0,
    scheme=None,
):
    """A Gaussian hill (peak 1 on 0) advected across a periodic unit square and diffusing.

    Exact: ``(s0²/s²) exp(-|x - x0 - U t|² / (2 s²))``, ``s² = s0² + 2 kappa t``,
    summed over periodic images.  Reports the RMS and max error, the peak and
    the minimum (the scheme is bounded: the minimum never goes below 0).
    """
    grid = Grid(
        (n, n, 1), (1.0 / n,) * 3, {"x-": PERIODIC, "x+": PERIODIC, "y-": PERIODIC, "y+": PERIODIC}
    )
    solver = AirSolver(
        grid, AirProperties(nu=kappa, kappa=kappa, **_STILL), backend, dtype=dtype, **(scheme or {})
    )
    c = (np.arange(n) + 0.5) / n

    def exact(t):
        s2 = sigma**2 + 2.0 * kappa * t
        total = np.zeros((n, n))
        for sx in (-1, 0, 1, 2):
            for sy in (-1, 0, 1, 2):
                x0 = (0.5 + velocity[0] * t) % 1.0 + sx - 1
                y0 = (0.5 + velocity[1] * t) % 1.0 + sy - 1
                r2 = (c[None, :] - x0) ** 2 + (c[:, None] - y0) ** 2
                total += np.exp(-r2 / (2.0 * s2))
        return (sigma**2 / s2) * total

    start = exact(0.0)
    solver.set_temperature(start[None])
    solver.set_velocity(u=velocity[0], v=velocity[1])
    lowest = np.inf
    while solver.time < t_end - 1e-12 and solver.status == "ok":
        solver.advance_to(min(t_end, solver.time + 0.05))
        lowest = min(lowest, float(np.min(solver.temperature())))
    T = solver.temperature()[0]
    err = T - exact(t_end)
    metrics = {
        "rms_error": float(np.sqrt(np.mean(err**2))),
        "max_error": float(np.abs(err).max()),
        "peak": float(T.max()),
        "exact_peak": float(exact(t_end).max()),
        "min": lowest,
        "initial_min": float(start.min()),
        "undershoot": float(min(0.0, lowest - start.min())),
        "steps": solver.steps,
    }
    params = {
        "n": n,
        "kappa": kappa,
        "sigma": sigma,
        "velocity": list(velocity),
        "t_end": t_end,
        "dtype": np.dtype(dtype).name,
    }
    return _result("gaussian", params, backend, {}, metrics, None)


# ---------------------------------------------------------------------- Taylor–Green
def taylor_green(n, backend, dtype=np.float64, nu=0.01, t_end=5.0, scheme=None):
    """Decaying Taylor–Green vortex on the periodic square ``[0, 2 pi]²``.

    ``u = sin x cos y``, ``v = -cos x sin y`` (m/s, lengths in m).

    Exact kinetic energy ``E(t) = E0 exp(-4 nu t)``; reports ``E / E_exact - 1``
    at ``t_end`` and the error of the decayed fraction.
    """
    L = 2.0 * np.pi
    per = {face: PERIODIC for face in ("x-", "x+", "y-", "y+")}
    grid = Grid((n, n, 1), (L / n,) * 3, per)
    solver = AirSolver(
        grid, AirProperties(nu=nu, kappa=nu, **_STILL), backend, dtype=dtype, **(scheme or {})
    )
    h = L / n
    faces, centres = np.arange(n + 1) * h, (np.arange(n) + 0.5) * h
    u = np.sin(faces)[None, None, :] * np.cos(centres)[None, :, None]
    v = -np.cos(centres)[None, None, :] * np.sin(faces)[None, :, None]
    solver.set_velocity(u=u, v=v)

    def energy():
        uu, vv, _ = solver.velocity_faces()
        return 0.5 * float(np.mean(uu[:, :, :-1] ** 2) + np.mean(vv[:, :-1, :] ** 2))

    e0 = energy()
    solver.advance_to(t_end)
    e1 = energy()
    exact = e0 * np.exp(-4.0 * nu * t_end)
    metrics = {
        "energy": e1,
        "energy_exact": exact,
        "energy_error": float(e1 / exact - 1.0),
        "decay_error": float((e0 - e1) / (e0 - exact) - 1.0),
        "steps": solver.steps,
        "max_divergence": solver.divergence(),
    }
    params = {"n": n, "nu": nu, "t_end": t_end, "dtype": np.dtype(dtype).name}
    return _result("taylor-green", params, backend, {}, metrics, None)


# ---------------------------------------------------------------------- rack in a box
#: The rack box's room (m).
RACK_BOX_ROOM = (6.0, 4.0, 3.0)


def rack_box(
    backend, spacing=0.25, dtype=np.float64, rack_heat=20e3, t_end=600.0, window=60.0, scheme=None
):
    """A 20 kW rack and one air unit in a closed, adiabatic 6 × 4 × 3 m room.

    The rack (0.6 × 1.2 × 2.3 m) draws air at its front (y-) and blows it out
    at its back (y+) 12 K warmer; the air unit (1 × 0.5 × 2 m, against the
    y- wall) draws air in at its top and supplies it at 20 °C from its front,
    up to 40 kW.  Smagorinsky eddy viscosity.  After ``t_end`` s the heat
    balance over the last ``window`` s must close: what the unit removes
    equals what the rack adds (steady state), and the room's heat content
    changes by exactly the net patch heat (conservation).
    """
    grid = Grid.from_box(RACK_BOX_ROOM, spacing)
    props = AirProperties(turbulence="smagorinsky", t_ref=22.0)
    rack_lo, rack_hi = (2.7, 1.4, 0.0), (3.3, 2.6, 2.3)
    unit_lo, unit_hi = (0.5, 0.0, 0.0), (1.5, 0.5, 2.0)
    grid.add_obstacle(rack_lo, rack_hi)
    grid.add_obstacle(unit_lo, unit_hi)
    solver = AirSolver(grid, props, backend, dtype=dtype, **(scheme or {}))
    solver.add_patch("rack", Opening(rack_lo, rack_hi, "y-"), Opening(rack_lo, rack_hi, "y+"))
    solver.add_patch("unit", Opening(unit_lo, unit_hi, "z+"), Opening(unit_lo, unit_hi, "y+"))
    rack_flow = rack_heat / (props.rho * props.cp * 12.0)
    solver.set_patch("rack", rack_flow, heat=rack_heat)
    solver.set_patch("unit", 1.5 * rack_flow, setpoint=20.0, capacity=2.0 * rack_heat)
    solver.set_temperature(22.0)
    solver.advance_to(t_end - window)
    if solver.status != "ok":
        raise RuntimeError(f"solver stopped ({solver.status}): {solver.message}")
    start = solver.patch_reports()
    room_start = solver.heat_content()
    solver.advance_to(t_end)
    if solver.status != "ok":
        raise RuntimeError(f"solver stopped ({solver.status}): {solver.message}")
    end = solver.patch_reports()
    added = (end["rack"].energy - start["rack"].energy) / window
    removed = -(end["unit"].energy - start["unit"].energy) / window
    stored = (solver.heat_content() - room_start) / window
    T = solver.temperature()
    metrics = {
        "rack_heat_w": added,
        "unit_heat_removed_w": removed,
        "heat_balance_error": float((added - removed) / added),
        "conservation_error": float((added - removed - stored) / added),
        "rack_inlet_temperature_c": end["rack"].sink_temperature,
        "rack_outlet_temperature_c": end["rack"].source_temperature,
        "unit_return_temperature_c": end["unit"].sink_temperature,
        "unit_supply_temperature_c": end["unit"].source_temperature,
        "room_mean_temperature_c": float(np.nanmean(T)),
        "room_max_temperature_c": float(np.nanmax(T)),
        "max_speed_m_s": float(solver.speed().max()),
        "steps": solver.steps,
        "max_divergence": solver.divergence(),
    }
    params = {
        "spacing": spacing,
        "rack_heat_w": rack_heat,
        "t_end": t_end,
        "window": window,
        "cells": list(grid.shape),
        "dtype": np.dtype(dtype).name,
    }
    return _result("rack-box", params, backend, {}, metrics, None)


#: Verification cases by name, with the grid size used when none is given.
DEFAULT_N = {"cavity": 128, "heated-cavity": 64, "heat": 32, "gaussian": 64, "taylor-green": 64}
CASE_NAMES = ("cavity", "heated-cavity", "heat", "gaussian", "taylor-green", "rack-box")


def run_case(
    name,
    backend,
    n=None,
    re=100.0,
    ra=1e4,
    pr=0.71,
    spacing=0.25,
    dtype=np.float64,
    advection="flux",
    courant=None,
):
    """Run a verification case by name; see each case's function for the physics.

    Parameters
    ----------
    name : str
        One of :data:`CASE_NAMES`.
    backend : Backend
    n : int, optional
        Cells per side (not for ``rack-box``); :data:`DEFAULT_N` by default.
    re, ra, pr : float
        Reynolds (cavity), Rayleigh and Prandtl (heated cavity) numbers.
    spacing : float
        Grid spacing of ``rack-box`` (m).
    dtype : numpy dtype
    advection : {"flux", "semi-lagrangian"}
        The solver's transport scheme (see :class:`.AirSolver`).
    courant : float, optional
        Cells per step of the semi-Lagrangian scheme (default 4); the flux
        scheme always takes 0.9 of its stable step.

    Returns
    -------
    dict
        ``{"case", "params", "backend", "samples", "metrics", "reference_error"}``;
        ``params`` names the scheme.
    """
    if name not in CASE_NAMES:
        raise ValueError(f"unknown case {name!r}; cases are {', '.join(CASE_NAMES)}")
    courant = courant or 4.0
    scheme = {"advection": advection, "cfl": courant if advection != "flux" else 0.9}
    n = n or DEFAULT_N.get(name)
    shape = _shape(name, n, spacing)
    try:
        check_memory(shape, dtype, backend)
    except ValueError as error:
        size = f"spacing {spacing:g} m" if name == "rack-box" else f"n = {n}"
        raise ValueError(f"{size}: {error}") from None
    result = _dispatch(name, backend, n, re, ra, pr, spacing, dtype, scheme)
    result["params"]["advection"] = advection
    if advection != "flux":
        result["params"]["courant"] = courant
    return result


def _shape(name, n, spacing):
    """Cells along x, y and z of the case's largest grid."""
    if name == "rack-box":
        return Grid.box_shape(RACK_BOX_ROOM, spacing)
    return (n, n, n if name == "heat" else 1)


def _dispatch(name, backend, n, re, ra, pr, spacing, dtype, scheme):
    if name == "rack-box":
        return rack_box(backend, spacing=spacing, dtype=dtype, scheme=scheme)
    if name == "cavity":
        return lid_driven_cavity(re, n, backend, dtype=dtype, scheme=scheme)
    if name == "heated-cavity":
        return heated_cavity(ra, n, backend, pr=pr, dtype=dtype, scheme=scheme)
    if name == "heat":
        return heat_mode(n, backend, dtype=dtype, scheme=scheme)
    if name == "gaussian":
        return gaussian(n, backend, dtype=dtype, scheme=scheme)
    return taylor_green(n, backend, dtype=dtype, scheme=scheme)
