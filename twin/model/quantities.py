"""Physical quantities at the file boundary: units in the key, SI inside.

Files and screens use the units data-center people use (kW, L/min, kPa, mm,
degC); the code works in SI (W, m^3/s, Pa, m, degC).  A field declared with
:func:`quantity` is read in its file unit, range-checked *in that unit* (so a
message says ``must be > 0 kW, got -5``), converted once to SI, and written
back in the file unit.  Temperatures stay in degC inside (a difference in K
is the same number).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

#: SI value of one file unit, by the unit's name as written in keys and messages.
UNIT_SCALE: dict[str, float] = {
    "m": 1.0,
    "mm": 1e-3,
    "s": 1.0,
    "kW": 1e3,
    "kW/K": 1e3,
    "kJ/K": 1e3,
    "K/kW": 1e-3,
    "L/min": 1e-3 / 60.0,
    "L": 1e-3,
    "kPa": 1e3,
    "m3/s": 1.0,
    "m/s": 1.0,
    "degC": 1.0,
    "K": 1.0,
    "1": 1.0,
    "L/min/kPa^0.5": 1e-3 / 60.0 / math.sqrt(1e3),
}

#: Largest magnitude any quantity may have in its file unit: rejects 1e308-style garbage.
MAX_MAGNITUDE = 1e9

_BOUND_TEXT = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_BOUND_TEST = {
    "gt": lambda v, b: v > b,
    "ge": lambda v, b: v >= b,
    "lt": lambda v, b: v < b,
    "le": lambda v, b: v <= b,
}
_SCHEMA_KEY = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _number_text(value: float) -> str:
    return f"{value:g}"


def check_number(value: Any, unit: str, bounds: dict[str, float]) -> float:
    """Check that ``value`` is a finite number within ``bounds`` in ``unit``.

    Parameters
    ----------
    value : Any
        The value as read from the file.
    unit : str
        The file unit, used in messages ("1" for dimensionless).
    bounds : dict
        Any of ``gt``, ``ge``, ``lt``, ``le`` mapped to limits in the file unit.

    Returns
    -------
    float
        The value, unchanged, as a float in the file unit.
    """
    suffix = "" if unit == "1" else f" {unit}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError(
            "not_a_number", "must be a number{suffix}, got {got}",
            {"suffix": f" (in {unit})" if suffix else "", "got": _describe(value)},
        )
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise PydanticCustomError(
            "out_of_range", "must be a finite number of magnitude <= {limit}, got {got}",
            {"limit": _number_text(MAX_MAGNITUDE), "got": _describe(value)},
        )
    for key, bound in bounds.items():
        if not _BOUND_TEST[key](value, bound):
            raise PydanticCustomError(
                "out_of_range", "must be {op} {bound}{suffix}, got {got}",
                {"op": _BOUND_TEXT[key], "bound": _number_text(bound), "suffix": suffix,
                 "got": _number_text(value)},
            )
    return float(value)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def to_file_units(si_value: float, unit: str) -> float:
    """Convert an SI value back to ``unit``, rounded to 12 significant digits.

    The rounding makes save -> load exact: the SI value read back is the
    product of the same written number with the same scale.
    """
    return float(f"{si_value / UNIT_SCALE[unit]:.12g}")


def quantity(unit: str, description: str = "", optional: bool = False, **bounds: float) -> Any:
    """An annotated float read in ``unit``, checked against ``bounds``, held in SI.

    Parameters
    ----------
    unit : str
        Key of :data:`UNIT_SCALE`.
    description : str
        Text for the JSON Schema.
    optional : bool
        Whether ``null`` (absent, use the default rule) is allowed.
    **bounds : float
        ``gt``, ``ge``, ``lt`` or ``le`` limits, in ``unit``.
    """
    scale = UNIT_SCALE[unit]

    def read(value: Any) -> float | None:
        if value is None and optional:
            return None
        return check_number(value, unit, bounds) * scale

    def write(si: float | None) -> float | None:
        return None if si is None else to_file_units(si, unit)

    schema: dict[str, Any] = {"type": "number", "description": f"{description} [{unit}]".strip()}
    schema.update({_SCHEMA_KEY[k]: v for k, v in bounds.items()})
    if optional:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return Annotated[
        float | None if optional else float,
        BeforeValidator(read),
        PlainSerializer(write),
        WithJsonSchema(schema),
    ]
