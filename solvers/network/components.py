"""Component characteristics: pump head curves and valve/fitting loss coefficients.

Pump curves take three forms, as in EPANET:

* power function H(Q) = a − b·Q^c (a: shut-off head in m, Q in m³/s),
  fitted from one design point or three points starting at Q = 0;
* piecewise-linear curve through any other list of points;
* constant power P (W): H = P/(ρ·g·Q).

At a speed ratio s the affinity laws give H_s(Q) = s²·H(Q/s).

The network takes minor-loss coefficients K (head loss K·v²/2g at the
velocity in the stated diameter).  Equipment data rarely comes that way: a
cold plate is specified by its pressure drop at design flow, a control valve
by its opening; :func:`loss_coefficient` and
:func:`throttle_loss_coefficient` turn either into K.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "NetworkError",
    "PumpCurve",
    "POWER_FUNCTION",
    "PIECEWISE",
    "CONSTANT_POWER",
    "loss_coefficient",
    "throttle_loss_coefficient",
]

POWER_FUNCTION, PIECEWISE, CONSTANT_POWER = 0, 1, 2


class NetworkError(ValueError):
    """A network that cannot be built: the message names the element and the rule."""


def _fail(message: str) -> None:
    raise NetworkError(message)


@dataclass(frozen=True)
class PumpCurve:
    """A pump's head curve at full speed.

    Build it with :meth:`power_function`, :meth:`from_points` or
    :meth:`constant_power`.

    Attributes
    ----------
    kind : int
        POWER_FUNCTION, PIECEWISE or CONSTANT_POWER.
    a, b, c : float
        H = a − b·Q^c (power function only; m, m/(m³/s)^c, –).
    flows, heads : ndarray
        Curve points in m³/s and m (piecewise only).
    power : float
        Hydraulic power in W (constant power only).
    """

    kind: int
    a: float = 0.0
    b: float = 0.0
    c: float = 1.0
    flows: np.ndarray = field(default_factory=lambda: np.zeros(0))
    heads: np.ndarray = field(default_factory=lambda: np.zeros(0))
    power: float = 0.0

    @classmethod
    def power_function(cls, a: float, b: float, c: float = 2.0) -> PumpCurve:
        """H = a − b·Q^c with a > 0 (m), b > 0, 0 < c <= 20."""
        if not (a > 0.0 and b > 0.0 and 0.0 < c <= 20.0):
            _fail(f"pump curve H = a - b Q^c needs a > 0, b > 0, 0 < c <= 20; got {a}, {b}, {c}")
        return cls(POWER_FUNCTION, a=float(a), b=float(b), c=float(c))

    @classmethod
    def from_points(cls, points: Sequence[tuple[float, float]]) -> PumpCurve:
        """Fit a curve to (flow m³/s, head m) points, as EPANET does.

        One point (Q₁, H₁): H = a − b·Q² through shut-off 1.33334·H₁ and
        zero head at 2·Q₁.  Three points with the first at Q = 0: a power
        function through all three.  Otherwise: piecewise linear, extended
        along its end segments.
        """
        pts = np.asarray(points, dtype=float)
        if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0 or not np.all(np.isfinite(pts)):
            _fail(f"pump curve needs (flow, head) pairs, got {points!r}")
        q, h = pts[:, 0], pts[:, 1]
        if len(pts) == 1:
            return cls._fit(1.33334 * h[0], h[0], 0.0, q[0], 2.0 * q[0])
        if len(pts) == 3 and q[0] == 0.0:
            return cls._fit(h[0], h[1], h[2], q[1], q[2])
        if np.any(np.diff(q) <= 0.0) or np.any(np.diff(h) > 0.0) or q[0] < 0.0:
            _fail("a multi-point pump curve needs increasing flows >= 0 and non-increasing "
                  f"heads, got {points!r}")
        return cls(PIECEWISE, flows=q.copy(), heads=h.copy())

    @classmethod
    def _fit(cls, h0, h1, h2, q1, q2) -> PumpCurve:
        tiny = 1e-12
        if h0 < tiny or h0 - h1 < tiny or h1 - h2 < tiny or q1 < tiny or q2 - q1 < tiny:
            _fail(f"cannot fit a pump curve through (0, {h0:g}), ({q1:g}, {h1:g}), "
                  f"({q2:g}, {h2:g}): heads must fall and flows rise")
        c = math.log((h0 - h2) / (h0 - h1)) / math.log(q2 / q1)
        return cls.power_function(h0, (h0 - h1) / q1**c, c)

    @classmethod
    def constant_power(cls, power: float) -> PumpCurve:
        """A pump delivering a constant hydraulic power in W (> 0)."""
        if not power > 0.0:
            _fail(f"constant-power pump needs power > 0 W, got {power}")
        return cls(CONSTANT_POWER, power=float(power))

    @property
    def shutoff_head(self) -> float:
        """Head at zero flow in m (infinite for constant power)."""
        if self.kind == POWER_FUNCTION:
            return self.a
        if self.kind == PIECEWISE:
            return float(self.heads[0])
        return math.inf

    def head(self, flow, speed: float = 1.0, density: float = 1000.0,
             gravity: float = 9.80665) -> np.ndarray:
        """Head gain in m at ``flow`` (m³/s) and speed ratio ``speed``.

        ``density`` (kg/m³) and ``gravity`` (m/s²) matter for constant power only.
        """
        q = np.asarray(flow, dtype=float)
        if self.kind == CONSTANT_POWER:
            # Affinity laws: power scales with the cube of the speed.
            return speed**3 * self.power / (density * gravity * np.maximum(np.abs(q), 1e-12))
        if speed <= 0.0:
            return np.zeros_like(q)
        x = np.abs(q) / speed
        if self.kind == POWER_FUNCTION:
            return speed**2 * (self.a - self.b * x**self.c)
        f, h = self.flows, self.heads
        seg = np.clip(np.searchsorted(f, x) - 1, 0, len(f) - 2)
        slope = (h[seg + 1] - h[seg]) / (f[seg + 1] - f[seg])
        return speed**2 * (h[seg] + slope * (x - f[seg]))


def loss_coefficient(pressure_drop: float, flow: float, diameter: float,
                     density: float) -> float:
    """K that gives ``pressure_drop`` at ``flow`` through ``diameter``.

    Parameters
    ----------
    pressure_drop : float
        Design pressure drop in Pa (> 0).
    flow : float
        Design flow in m³/s (> 0).
    diameter : float
        Diameter in m (> 0) whose velocity K refers to.
    density : float
        Coolant density in kg/m³ at design temperature.

    Returns
    -------
    float
        K = 2·Δp/(ρ·v²).
    """
    if min(pressure_drop, flow, diameter, density) <= 0.0:
        raise ValueError("pressure drop, flow, diameter and density must all be > 0")
    v = flow / (0.25 * math.pi * diameter**2)
    return 2.0 * pressure_drop / (density * v * v)


def throttle_loss_coefficient(opening: float, open_k: float, rangeability: float = 50.0,
                              characteristic: str = "equal-percentage") -> float:
    """K of a throttling valve at a fractional ``opening``.

    The valve's flow capacity (Kv) follows its inherent characteristic —
    equal-percentage Kv = Kv₁₀₀·R^(x−1), or linear Kv = Kv₁₀₀·x — and K
    scales as 1/Kv².  A valve at opening 0 is better closed outright (set
    the link closed); here it keeps the leakage of its rangeability.

    Parameters
    ----------
    opening : float
        Stem position x between 0 and 1.
    open_k : float
        K when fully open (>= 0).
    rangeability : float
        R = Kv₁₀₀/Kv_min (> 1), for equal-percentage valves.
    characteristic : {"equal-percentage", "linear"}

    Returns
    -------
    float
    """
    if not 0.0 <= opening <= 1.0:
        raise ValueError(f"opening must be between 0 and 1, got {opening}")
    if open_k < 0.0 or rangeability <= 1.0:
        raise ValueError("open_k must be >= 0 and rangeability > 1")
    if characteristic == "equal-percentage":
        return open_k * rangeability ** (2.0 * (1.0 - opening))
    if characteristic == "linear":
        return open_k / max(opening, 1.0 / rangeability) ** 2
    raise ValueError(f"characteristic must be 'equal-percentage' or 'linear', got "
                     f"{characteristic!r}")
