"""Checks of the commands' numeric options, shared so that every command words them alike.

argparse turns ``nan`` and ``inf`` into floats without a word, and a
comparison with NaN is always false, so a check such as ``until <= 0``
lets NaN through (``halltwin run --until nan`` "completed" at 0 s, and
``--until inf`` ran for ever).  Each command checks its numbers here first.
"""

from __future__ import annotations

import math

from twin.errors import UserError


def check_number(option: str, value: float | None, unit: str, most: float = math.inf) -> None:
    """Refuse ``value`` unless it is a finite number above 0 and at most ``most``.

    Parameters
    ----------
    option : str
        The option as the user typed it (``--until``).
    value : float or None
        Its value; ``None`` (not given) passes.
    unit : str
        The unit the option is in, for the message (``s``, ``m``).
    most : float
        The largest value allowed (same unit).

    Raises
    ------
    UserError
        ``--until must be a finite number > 0 s, got nan``.
    """
    if value is None or (math.isfinite(value) and 0 < value <= most):
        return
    allowed = (f"a finite number > 0 {unit}" if most == math.inf
               else f"> 0 and at most {most:g} {unit}")
    raise UserError(f"{option} must be {allowed}, got {value:g}")


def check_finite(option: str, value: float | None, unit: str) -> None:
    """Refuse ``value`` (when given) unless it is a finite number, for options that take the
    nearest of something (a frame's time, a slice's height), where any finite value means one.

    Raises
    ------
    UserError
        ``--time must be a finite number of s, got nan``.
    """
    if value is not None and not math.isfinite(value):
        raise UserError(f"{option} must be a finite number of {unit}, got {value:g}")
