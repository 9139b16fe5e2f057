"""A discrete PI controller with output limits and anti-windup.

The controllers of a data hall (pump speed on differential pressure, a CDU's
primary valve on supply temperature) spend long stretches at a limit: a
pump at full speed while its partner is down, a valve wide open in a
heatwave.  A plain integrator keeps accumulating error meanwhile and, when
the limit stops binding, holds the output pinned for as long as it takes to
unwind: the overshoot operators see as "the loop went crazy after the pump
came back".  Both anti-windup schemes here stop that.
"""

from __future__ import annotations

import math
from typing import Literal

AntiWindup = Literal["clamping", "back_calculation"]


class PIController:
    """Proportional-integral control of one output between two limits.

    The output is ``u = clip(kp * e + I, low, high)`` with the integral term
    ``I`` advanced by ``kp / ti * e * dt`` each step, where the error ``e`` is
    ``setpoint - measurement`` (reverse acting: the output rises when the
    measurement is below the setpoint, as for a pump on pressure) or
    ``measurement - setpoint`` when ``direct`` (as for a cooling valve on
    temperature).

    Parameters
    ----------
    kp : float
        Proportional gain (output units per measurement unit).
    ti : float
        Integral time (s), > 0.
    low, high : float
        Output limits (output units).
    direct : bool
        Direct acting: the output rises when the measurement is above the setpoint.
    anti_windup : {"clamping", "back_calculation"}
        ``clamping`` (conditional integration): the integral is frozen while
        the output is at a limit and the error pushes it further out.
        ``back_calculation``: the integral is pulled toward the value that
        would just meet the limit, with time constant ``tracking_time``.
    tracking_time : float, optional
        Back-calculation time constant (s); default ``ti``.
    output : float, optional
        Initial output (bumpless start at zero error); default ``low``.
    """

    def __init__(self, kp: float, ti: float, low: float, high: float, *, direct: bool = False,
                 anti_windup: AntiWindup = "clamping", tracking_time: float | None = None,
                 output: float | None = None):
        if not ti > 0:
            raise ValueError(f"integral time must be > 0 s, got {ti}")
        if not low < high:
            raise ValueError(f"output limits must satisfy low < high, got {low} and {high}")
        if anti_windup not in ("clamping", "back_calculation"):
            raise ValueError(f"anti_windup must be 'clamping' or 'back_calculation', got "
                             f"{anti_windup!r}")
        self.kp = float(kp)
        self.ti = float(ti)
        self.low = float(low)
        self.high = float(high)
        self.direct = direct
        self.anti_windup = anti_windup
        self.tracking_time = float(tracking_time if tracking_time is not None else ti)
        self.integral = 0.0
        self.output = 0.0
        self.reset(self.low if output is None else output)

    def reset(self, output: float) -> None:
        """Set the output, and the integral so that zero error keeps it there."""
        self.output = min(max(float(output), self.low), self.high)
        self.integral = self.output

    @property
    def saturated(self) -> bool:
        """Whether the last output sat on a limit."""
        return self.output <= self.low or self.output >= self.high

    def error(self, setpoint: float, measurement: float) -> float:
        """The control error for this action (positive drives the output up)."""
        return measurement - setpoint if self.direct else setpoint - measurement

    def step(self, dt: float, setpoint: float, measurement: float) -> float:
        """Advance by ``dt`` (s) with the given setpoint and measurement; return the output."""
        if dt < 0:
            raise ValueError(f"time step must be >= 0 s, got {dt}")
        e = self.error(setpoint, measurement)
        integral = self.integral + self.kp / self.ti * e * dt
        unclipped = self.kp * e + integral
        output = min(max(unclipped, self.low), self.high)
        if self.anti_windup == "clamping":
            pushing_out = (unclipped > self.high and e > 0) or (unclipped < self.low and e < 0)
            if not pushing_out:
                self.integral = integral
        else:
            # The exact exponential relaxation stays stable for any dt, unlike dt / tracking_time.
            self.integral = integral + (output - unclipped) * -math.expm1(-dt / self.tracking_time)
        self.output = output
        return output
