"""Textbook verification cases for the air solver: the cavities.

Each case builds a solver, runs it and returns a plain dict::

    {"case": ..., "params": {...}, "backend": ..., "samples": {...},
     "metrics": {...}, "reference_error": {...} | None}

so that ``halltwin verify`` can print it and the tests can check it.  The
published tables (Ghia et al. 1982; de Vahl Davis 1983) ship with the package
in ``cavity_benchmarks.json``.  The remaining cases (heat equation,
Gaussian, Taylor–Green, rack in a box) are in :mod:`.cases_more`.

Grid size ``n`` counts cells per side: ``n = 128`` has the 129 grid lines of
Ghia's finest grid.

The cavities run until their flow stops changing; ``metrics["steady"]`` says
whether it did before the run's time limit (the figures are then the last
state's).  Parameters at which a run could not tell a steady state, or could
not hold the flow, are refused with a ``ValueError`` that says what is allowed.
"""

from __future__ import annotations

import json
import math
from importlib import resources

import numpy as np

from .grid import Grid, Wall
from .properties import AirProperties
from .solver import AirSolver

#: The Prandtl number of de Vahl Davis's table (air): it holds for no other.
DE_VAHL_DAVIS_PR = 0.71
#: Prandtl numbers the heated cavity takes, liquid metals to oils.  Above, the
#: explicit viscous step (``h² / 4 Pr`` in the cavity's units) makes a run take
#: about ``7 Pr n²`` steps; below, the flow starts so slowly that its first
#: changes fall under the steady-state tolerance.
PRANDTL_RANGE = (1e-3, 1e3)


def reference_tables():
    """The published benchmark tables (dict, as in ``cavity_benchmarks.json``)."""
    text = resources.files("solvers.air").joinpath("cavity_benchmarks.json").read_text()
    return json.loads(text)


def run_to_steady(solver, chunk, tol, t_max, field):
    """Advance in chunks of ``chunk`` s until ``max|field change| / chunk < tol`` or ``t_max``.

    Returns the last change rate (field units per second); the run is steady
    if it is below ``tol``.
    """
    before = field()
    rate = np.inf
    while solver.time < t_max - 1e-12 and solver.status == "ok":
        solver.advance_to(min(solver.time + chunk, t_max))
        after = field()
        rate = float(np.max(np.abs(after - before))) / chunk
        before = after
        if rate < tol:
            break
    if solver.status != "ok":
        raise RuntimeError(f"solver stopped ({solver.status}): {solver.message}")
    return rate


def _result(case, params, backend, samples, metrics, reference_error):
    return {
        "case": case,
        "params": params,
        "backend": backend.name,
        "samples": samples,
        "metrics": metrics,
        "reference_error": reference_error,
    }


def _line_at(values, coords, where, axis):
    """Linear interpolation of ``values`` to ``where`` along ``axis`` (coords ascending)."""
    return np.apply_along_axis(lambda line: np.interp(where, coords, line), axis, values)


# ---------------------------------------------------------------------- cavity
def lid_driven_cavity(re, n, backend, dtype=np.float64, t_max=None, tol=1e-5, scheme=None):
    """Lid-driven unit cavity at Reynolds number ``re`` on ``n × n`` cells.

    The lid (y = 1) moves at u = 1; ``nu = 1 / re``.  Runs until the velocity
    changes by less than ``tol`` (of the lid speed) over the time ``tau`` in
    which the lid's momentum crosses the cavity, by advection (1) or, below
    Re 1, by viscosity (``re``); or until ``t_max``, by default
    ``max(30 tau, re / 10)``.  Then samples u on x = 0.5 and v on y = 0.5 at
    Ghia's 17 points and compares with the table when it has ``re``.

    Refuses ``re`` above ``n² / tol``: there the lid's shear, ``2 n² / re``
    lid speeds per unit time at the start, moves the flow too little for the
    steady test to tell it from the still start.
    """
    if re > n * n / tol:
        raise ValueError(
            f"Re {re:g} on {n} cells: at the start the lid's shear changes the flow by "
            f"{2.0 * n * n / re:.2g} of the lid speed per unit time, too little to tell a steady "
            f"state from the still start; on {n} cells Re can be at most {n * n / tol:.3g}"
        )
    grid = Grid((n, n, 1), (1.0 / n,) * 3, {"y+": Wall("noslip", (1.0, 0.0))})
    props = AirProperties(nu=1.0 / re, kappa=1.0 / re, beta=0.0, gravity=(0.0, 0.0, 0.0), t_ref=0.0)
    solver = AirSolver(grid, props, backend, dtype=dtype, **(scheme or {}))
    tau = min(1.0, re)
    t_max = t_max or max(30.0 * tau, re / 10.0)
    speed = lambda: np.concatenate([a.ravel() for a in solver.velocity_faces()[:2]])  # noqa: E731
    rate = run_to_steady(solver, tau, tol / tau, t_max, speed)
    u, v, _ = solver.velocity_faces()
    h = 1.0 / n
    faces = np.arange(n + 1) * h
    centres = (np.arange(n) + 0.5) * h
    ghia = reference_tables()["ghia1982"]
    ys = np.array(ghia["y"])[::-1]
    xs = np.array(ghia["x"])[::-1]
    u_mid = _line_at(u[0], faces, 0.5, 1)  # u(y) on x = 0.5
    v_mid = _line_at(v[0], faces, 0.5, 0)  # v(x) on y = 0.5
    u_s = np.interp(ys, np.r_[0.0, centres, 1.0], np.r_[0.0, u_mid, 1.0])
    v_s = np.interp(xs, np.r_[0.0, centres, 1.0], np.r_[0.0, v_mid, 0.0])
    samples = {"y": ys.tolist(), "u": u_s.tolist(), "x": xs.tolist(), "v": v_s.tolist()}
    metrics = {
        "time": solver.time,
        "steps": solver.steps,
        "steady_rate": rate,
        "steady": bool(rate < tol / tau),
        "max_divergence": solver.divergence(),
    }
    key = f"{re:g}"
    reference = None
    if key in ghia["u_at_x_half"]:
        du = u_s - np.array(ghia["u_at_x_half"][key])[::-1]
        dv = v_s - np.array(ghia["v_at_y_half"][key])[::-1]
        reference = {
            "u_rms": float(np.sqrt(np.mean(du**2))),
            "u_max": float(np.abs(du).max()),
            "v_rms": float(np.sqrt(np.mean(dv**2))),
            "v_max": float(np.abs(dv).max()),
        }
    params = {"re": re, "n": n, "dtype": np.dtype(dtype).name}
    return _result("cavity", params, backend, samples, metrics, reference)


# ---------------------------------------------------------------------- heated cavity
def _peak(values, coords):
    """Maximum of sampled values refined by a parabola through the top three points."""
    i = int(np.argmax(values))
    if 0 < i < len(values) - 1:
        y0, y1, y2 = values[i - 1], values[i], values[i + 1]
        denom = y0 - 2 * y1 + y2
        if denom != 0:
            s = 0.5 * (y0 - y2) / denom
            h = coords[i + 1] - coords[i]
            return float(y1 - 0.25 * (y0 - y2) * s), float(coords[i] + s * h)
    return float(values[i]), float(coords[i])


def heated_cavity(ra, n, backend, pr=0.71, dtype=np.float64, t_max=None, tol=1e-4, scheme=None):
    """Differentially heated square cavity (de Vahl Davis 1983) at Rayleigh number ``ra``.

    Scaled so that L = 1, kappa = 1, nu = Pr, g beta ΔT = Ra Pr: velocities
    come out in de Vahl Davis's units (kappa / L).  Hot wall x = 0 at T = 1,
    cold wall x = 1 at T = 0, adiabatic top and bottom, gravity along -y.
    Starts from conduction and runs until the temperature changes by less
    than ``tol`` per unit time, or until ``t_max`` (1.5 diffusion times).

    Refuses ``pr`` outside :data:`PRANDTL_RANGE`, and fewer cells than
    ``Ra^(1/4) / 2``: the walls' boundary layers are about ``Ra^(-1/4)`` of
    the cavity thick, and coarser grids let the flow run away.  A run stops
    as diverged only at 100 times the free-fall speed ``sqrt(Ra Pr)``.
    """
    lo, hi = PRANDTL_RANGE
    if not lo <= pr <= hi:
        raise ValueError(f"Pr {pr:g} is outside the {lo:g} to {hi:g} this case takes")
    if n < ra**0.25 / 2.0:
        raise ValueError(
            f"Ra {ra:g} on {n} cells: the walls' boundary layers are about Ra^(-1/4) = "
            f"{ra**-0.25:.2g} of the cavity thick; Ra {ra:g} needs at least "
            f"{math.ceil(ra**0.25 / 2.0)} cells"
        )
    walls = {"x-": Wall(temperature=1.0), "x+": Wall(temperature=0.0)}
    grid = Grid((n, n, 1), (1.0 / n,) * 3, walls)
    props = AirProperties(nu=pr, kappa=1.0, beta=1.0, gravity=(0.0, -ra * pr, 0.0), t_ref=0.5)
    speed_limit = 100.0 * max(1.0, math.sqrt(ra * pr))
    solver = AirSolver(grid, props, backend, dtype=dtype, max_speed=speed_limit, **(scheme or {}))
    x = (np.arange(n) + 0.5) / n
    solver.set_temperature(np.broadcast_to(1.0 - x, (1, n, n)))
    t_max = t_max or 1.5
    rate = run_to_steady(solver, 0.02, tol, t_max, solver.temperature)
    T = solver.temperature()[0]
    u, v, _ = solver.velocity_faces()
    u, v = u[0], v[0]
    h = 1.0 / n
    faces = np.arange(n + 1) * h
    # horizontal heat flux through every vertical grid line: u T - dT/dx
    flux = np.empty((n, n + 1))
    flux[:, 1:-1] = u[:, 1:-1] * 0.5 * (T[:, 1:] + T[:, :-1]) - (T[:, 1:] - T[:, :-1]) / h
    flux[:, 0] = -(-8.0 * 1.0 + 9.0 * T[:, 0] - T[:, 1]) / (3.0 * h)
    flux[:, -1] = -(8.0 * 0.0 - 9.0 * T[:, -1] + T[:, -2]) / (3.0 * h)
    weights = np.full(n + 1, 1.0)
    weights[[0, -1]] = 0.5
    nu_avg = float(np.mean(flux @ weights) / n)
    nu_0 = float(np.mean(flux[:, 0]))
    u_mid = _line_at(u, faces, 0.5, 1)
    v_mid = _line_at(v, faces, 0.5, 0)
    centres = (np.arange(n) + 0.5) * h
    u_max, y_umax = _peak(u_mid, centres)
    v_max, x_vmax = _peak(v_mid, centres)
    metrics = {
        "Nu_avg": nu_avg,
        "Nu_0": nu_0,
        "u_max": u_max,
        "y_umax": y_umax,
        "v_max": v_max,
        "x_vmax": x_vmax,
        "time": solver.time,
        "steps": solver.steps,
        "steady_rate": rate,
        "steady": bool(rate < tol),
    }
    table = reference_tables()["devahldavis1983"]
    key = f"{int(ra)}" if float(ra).is_integer() else f"{ra:g}"
    reference = None
    if key in table and pr == DE_VAHL_DAVIS_PR:
        ref = table[key]
        reference = {
            name: float((metrics[name] - ref[name]) / ref[name])
            for name in ("Nu_avg", "Nu_0", "u_max", "v_max")
        }
        reference.update({name: float(metrics[name] - ref[name]) for name in ("y_umax", "x_vmax")})
    samples = {
        "y": centres.tolist(),
        "u": u_mid.tolist(),
        "x": centres.tolist(),
        "v": v_mid.tolist(),
    }
    params = {"ra": ra, "n": n, "pr": pr, "dtype": np.dtype(dtype).name}
    return _result("heated-cavity", params, backend, samples, metrics, reference)
