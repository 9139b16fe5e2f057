"""Low-level parsing of .inp files: sections, OPTIONS, TIMES and CONTROLS.

Used by :mod:`solvers.network.epanet`; errors are raised through the
``error(path, line, message)`` factory it passes in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from solvers.network.hydraulics import SolverOptions
from solvers.network.inp_units import FLOW_UNITS, PRESSURE_UNITS, US_FLOW_UNITS

__all__ = ["Row", "Sections", "parse_options", "parse_times", "parse_controls", "seconds"]


@dataclass(frozen=True)
class Row:
    """One data line: its 1-based line number and whitespace-separated tokens."""

    line: int
    tokens: list


class Sections:
    """The rows of an .inp file grouped by section (comments after ';' dropped)."""

    def __init__(self, text: str, path: str, error):
        self.path = path
        self._rows: dict[str, list[Row]] = {}
        self.order: list[tuple[str, int]] = []
        current = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split(";", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                if not line.endswith("]"):
                    raise error(path, number, f"malformed section header {line!r}")
                current = line[1:-1].strip().upper()
                self.order.append((current, number))
                self._rows.setdefault(current, [])
                continue
            if current is None:
                raise error(path, number, "data before the first [SECTION] header")
            self._rows[current].append(Row(number, line.split()))

    def rows(self, name: str) -> list[Row]:
        """Rows of one section (empty if absent)."""
        return self._rows.get(name, [])


def seconds(tokens: list, path: str, line: int, error) -> int:
    """EPANET time: ``h``, ``h:mm[:ss]``, or a value with SEC/MIN/HOURS/DAYS/AM/PM."""
    text = tokens[0]
    unit = tokens[1].upper() if len(tokens) > 1 else ""
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            hours = parts[0] + parts[1] / 60.0 + (parts[2] / 3600.0 if len(parts) > 2 else 0.0)
        else:
            value = float(text)
            factor = {"": 1.0, "SEC": 1 / 3600, "SECONDS": 1 / 3600, "MIN": 1 / 60,
                      "MINUTES": 1 / 60, "HOUR": 1.0, "HOURS": 1.0, "DAY": 24.0, "DAYS": 24.0,
                      "AM": 1.0, "PM": 1.0}.get(unit)
            if factor is None:
                raise ValueError
            hours = value * factor
    except (ValueError, IndexError):
        raise error(path, line, f"cannot read the time {' '.join(tokens)!r} (use h, h:mm or "
                    "a value with SEC, MIN, HOURS, DAYS)") from None
    if unit in ("AM", "PM"):
        hours = hours % 12.0 + (12.0 if unit == "PM" else 0.0)
    return int(round(hours * 3600.0))


_OPTION_KEYS = [
    "FLOW UNITS", "UNITS", "HEADLOSS", "HYDRAULICS", "QUALITY", "VISCOSITY", "DIFFUSIVITY",
    "SPECIFIC GRAVITY", "TRIALS", "ACCURACY", "UNBALANCED", "PATTERN", "DEMAND MULTIPLIER",
    "EMITTER EXPONENT", "TOLERANCE", "MAP", "CHECKFREQ", "MAXCHECK", "DAMPLIMIT",
    "PRESSURE EXPONENT", "PRESSURE", "HEADERROR", "FLOWCHANGE", "DEMAND MODEL",
    "MINIMUM PRESSURE", "REQUIRED PRESSURE", "BACKFLOW ALLOWED", "EMITTER BACKFLOW",
    "SEGMENTS", "GLOBAL", "DEMAND CHARGE",
]


def parse_options(sections: Sections, error) -> dict:
    """The [OPTIONS] the solver honours, with EPANET's defaults."""
    path = sections.path
    opts = {"units": "GPM", "pressure": None, "headloss": "hazen-williams", "viscosity": 1.0,
            "specific_gravity": 1.0, "emitter_exponent": 0.5, "pattern": None,
            "demand_multiplier": 1.0}
    solver = {"tolerance": 0.001, "max_iterations": 200, "check_frequency": 2, "max_check": 10}
    for row in sections.rows("OPTIONS"):
        text = " ".join(row.tokens).upper()
        key = next((k for k in _OPTION_KEYS if text == k or text.startswith(k + " ")), None)
        if key is None:
            raise error(path, row.line, f"unknown option {row.tokens[0]!r}; known options: "
                        + ", ".join(_OPTION_KEYS))
        values = row.tokens[len(key.split()):]
        value = values[0] if values else ""

        def number(v=value, k=key, minimum=0.0, line=row.line):
            try:
                x = float(v)
            except ValueError:
                raise error(path, line, f"option {k} needs a number, got {v!r}") from None
            if x <= minimum:
                raise error(path, line, f"option {k} must be > {minimum:g}, got {v}")
            return x

        if key in ("UNITS", "FLOW UNITS"):
            if value.upper() not in FLOW_UNITS:
                raise error(path, row.line, f"flow units {value!r} unknown; allowed: "
                            + ", ".join(FLOW_UNITS))
            opts["units"] = value.upper()
        elif key == "PRESSURE":
            if value.upper() not in PRESSURE_UNITS:
                raise error(path, row.line, f"pressure units {value!r} unknown; allowed: "
                            + ", ".join(PRESSURE_UNITS))
            opts["pressure"] = value.upper()
        elif key == "HEADLOSS":
            formula = {"H-W": "hazen-williams", "D-W": "darcy-weisbach"}.get(value.upper())
            if formula is None:
                raise error(path, row.line, f"headloss {value!r} is not supported; "
                            "supported: H-W, D-W")
            opts["headloss"] = formula
        elif key == "DEMAND MODEL" and value.upper() not in ("DDA", ""):
            raise error(path, row.line, f"demand model {value} is not supported; supported: DDA")
        elif key == "VISCOSITY":
            opts["viscosity"] = number()
        elif key == "SPECIFIC GRAVITY":
            opts["specific_gravity"] = number()
        elif key == "EMITTER EXPONENT":
            opts["emitter_exponent"] = number()
        elif key == "DEMAND MULTIPLIER":
            opts["demand_multiplier"] = number(minimum=-1e300)
        elif key == "PATTERN":
            opts["pattern"] = value or None
        elif key == "ACCURACY":
            solver["tolerance"] = number()
        elif key == "TRIALS":
            solver["max_iterations"] = int(number())
        elif key == "CHECKFREQ":
            solver["check_frequency"] = int(number())
        elif key == "MAXCHECK":
            solver["max_check"] = int(number(minimum=-1))
    if opts["pressure"] is None:
        opts["pressure"] = "PSI" if opts["units"] in US_FLOW_UNITS else "METERS"
    opts["solver"] = SolverOptions(**solver)
    return opts


def parse_times(sections: Sections, error) -> dict:
    """Pattern time step and start from [TIMES], in seconds (EPANET defaults 1 h, 0)."""
    times = {"pattern_step": 3600, "pattern_start": 0}
    for row in sections.rows("TIMES"):
        words = [t.upper() for t in row.tokens]
        if words[:2] == ["PATTERN", "TIMESTEP"] and len(words) > 2:
            times["pattern_step"] = seconds(row.tokens[2:], sections.path, row.line, error)
        elif words[:2] == ["PATTERN", "START"] and len(words) > 2:
            times["pattern_start"] = seconds(row.tokens[2:], sections.path, row.line, error)
        elif words[:2] == ["START", "CLOCKTIME"] and len(words) > 2:
            times["start_clocktime"] = seconds(row.tokens[2:], sections.path, row.line, error)
    return times


_CONTROL = re.compile(
    r"^LINK\s+(\S+)\s+(\S+)\s+(?:IF\s+NODE\s+(\S+)\s+(ABOVE|BELOW)\s+(\S+)"
    r"|AT\s+(TIME|CLOCKTIME)\s+(.+))$", re.IGNORECASE)


def parse_controls(sections: Sections, error, links: set, junctions: dict, tank_level: dict,
                   notes: list) -> list[dict]:
    """Simple controls in force at time 0, in file order: ``{"link", "action", "row"}``.

    Timers fire when their time is 0 (or the clock time equals the start
    clock time); tank and reservoir conditions are tested on the initial
    levels (BELOW: level <= value, ABOVE: level >= value, as EPANET).  Junction
    pressure conditions act during EPANET's iterations and are not applied:
    a note says so.
    """
    path = sections.path
    start_clock = parse_times(sections, error).get("start_clocktime", 0)
    fired = []
    for row in sections.rows("CONTROLS"):
        m = _CONTROL.match(" ".join(row.tokens))
        if m is None:
            raise error(path, row.line, "cannot read this control; allowed forms: LINK id "
                        "status IF NODE id ABOVE|BELOW value, LINK id status AT TIME t, "
                        "LINK id status AT CLOCKTIME t AM|PM")
        link, action = m.group(1), m.group(2)
        if link not in links:
            raise error(path, row.line, f"control on link {link!r}, which is not defined")
        if m.group(3):
            node, above = m.group(3), m.group(4).upper() == "ABOVE"
            try:
                value = float(m.group(5))
            except ValueError:
                raise error(path, row.line, f"control level must be a number, got "
                            f"{m.group(5)!r}") from None
            if node in junctions:
                notes.append(f"line {row.line}: control on junction {node!r} pressure not "
                             "applied to the time-0 snapshot")
                continue
            if node not in tank_level:
                raise error(path, row.line, f"control on node {node!r}, which is not defined")
            level = tank_level[node]
            if (level >= value) if above else (level <= value):
                fired.append({"link": link, "action": action, "row": row})
        else:
            t = seconds(m.group(7).split(), path, row.line, error)
            now = 0 if m.group(6).upper() == "TIME" else start_clock % 86400
            if t == now:
                fired.append({"link": link, "action": action, "row": row})
    return fired
