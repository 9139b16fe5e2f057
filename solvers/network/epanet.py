"""Reader for EPANET input (.inp) files: the snapshot at time 0, in SI.

Supported: TITLE, JUNCTIONS, RESERVOIRS, TANKS (a fixed head at the initial
level), PIPES (OPEN/CLOSED/CV), PUMPS (HEAD curve or POWER, SPEED, PATTERN),
VALVES (PRV, PSV, FCV, TCV, GPV), CURVES, PATTERNS (the multiplier in force at
time 0), DEMANDS, EMITTERS, STATUS, CONTROLS (simple controls in force at
time 0: timers at 0 and tank-level conditions on the initial levels), TIMES
(pattern step and start), OPTIONS (every EPANET flow unit, PRESSURE units,
HEADLOSS H-W or D-W, VISCOSITY, SPECIFIC GRAVITY, ACCURACY, TRIALS,
CHECKFREQ, MAXCHECK, EMITTER EXPONENT, PATTERN, DEMAND MULTIPLIER).
Water-quality, energy, map and report sections are ignored; anything the
solver cannot honour (PBV valves, Chezy–Manning, pressure-driven demand,
ROUGHNESS, unknown sections) is an :class:`InpError` naming file and line.

EPANET works in feet with g = 32.2 ft/s²; the network built here uses that
same g so that results match EPANET's, and converts every value to SI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from solvers.network.components import PumpCurve
from solvers.network.fluids import constant_fluid
from solvers.network.hydraulics import SolverOptions
from solvers.network.inp_sections import Sections, parse_controls, parse_options, parse_times
from solvers.network.inp_units import InpUnits
from solvers.network.network import Network, NetworkBuilder, NetworkError

__all__ = ["InpError", "InpModel", "read_inp", "parse_inp"]

EPANET_GRAVITY = 32.2 * 0.3048
#: Kinematic viscosity of water at 20 °C in EPANET (1.1e-5 ft²/s), m²/s.
EPANET_VISCOSITY = 1.1e-5 * 0.3048**2
IGNORED = {"TAGS", "ENERGY", "QUALITY", "SOURCES", "REACTIONS", "MIXING", "REPORT",
           "COORDINATES", "VERTICES", "LABELS", "BACKDROP", "END", "TITLE", "RULES"}
HANDLED = {"JUNCTIONS", "RESERVOIRS", "TANKS", "PIPES", "PUMPS", "VALVES", "CURVES",
           "PATTERNS", "DEMANDS", "EMITTERS", "STATUS", "CONTROLS", "TIMES", "OPTIONS"}


class InpError(ValueError):
    """A problem in an .inp file; ``path`` and ``line`` say where."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line = path, line
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class InpModel:
    """What an .inp file describes, ready to solve.

    Attributes
    ----------
    title : str
        The TITLE section.
    network : Network
        Nodes and links in SI; ``network.settings()`` gives the time-0 state.
    options : SolverOptions
        ACCURACY, TRIALS, CHECKFREQ, MAXCHECK of the file.
    units : InpUnits
        The file's units, for reporting results back in them.
    notes : tuple of str
        What was read but not applied (rules, pressure controls, patterns
        beyond time 0), for the user.
    """

    title: str
    network: Network
    options: SolverOptions
    units: InpUnits
    notes: tuple[str, ...]


def read_inp(path: str | Path) -> InpModel:
    """Read an EPANET .inp file (see the module docstring for what is supported)."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise InpError(path, None, f"cannot read the file ({error.strerror})") from None
    return parse_inp(text, path)


def parse_inp(text: str, path: str = "<string>") -> InpModel:
    """Parse the text of an .inp file; ``path`` is only used in messages."""
    sections = Sections(text, path, InpError)
    for name, line in sections.order:
        if name not in IGNORED | HANDLED:
            hint = ("use H-W or D-W roughness in PIPES" if name == "ROUGHNESS" else
                    "it is not part of EPANET 2.2's steady hydraulics")
            raise InpError(path, line, f"section [{name}] is not supported ({hint}); supported "
                           f"sections: {', '.join(sorted(HANDLED))}")
    notes: list[str] = []
    if sections.rows("RULES"):
        notes.append("[RULES] ignored: rule-based controls act after time 0")
    opts = parse_options(sections, InpError)
    times = parse_times(sections, InpError)
    units = InpUnits(opts["units"], opts["pressure"], opts["specific_gravity"])
    build = _Builder(sections, units, opts, times, notes)
    return InpModel(title=" ".join(" ".join(r.tokens) for r in sections.rows("TITLE")),
                    network=build.network, options=opts["solver"], units=units,
                    notes=tuple(notes))


class _Builder:
    """Turns parsed rows into a Network (time-0 values, SI units)."""

    def __init__(self, sec: Sections, units: InpUnits, opts: dict, times: dict, notes: list):
        self.sec, self.u, self.opts, self.notes = sec, units, opts, notes
        self.err = lambda row, msg: InpError(sec.path, row.line, msg)
        self.patterns = self._patterns(times)
        self.curves = self._curves()
        density = 998.2 * opts["specific_gravity"]
        nu = EPANET_VISCOSITY * opts["viscosity"]
        fluid = constant_fluid("EPANET liquid", density, nu * density, 4182.0)
        self.rhog = density * EPANET_GRAVITY
        self.b = NetworkBuilder(opts["headloss"], fluid, EPANET_GRAVITY, opts["emitter_exponent"])
        self.network = self._build()

    def num(self, row, i: int, what: str, default=None) -> float:
        if i >= len(row.tokens):
            if default is not None:
                return default
            raise self.err(row, f"missing {what} (column {i + 1})")
        try:
            return float(row.tokens[i])
        except ValueError:
            raise self.err(row, f"{what} must be a number, got {row.tokens[i]!r}") from None

    def multiplier(self, row, pattern: str | None) -> float:
        if not pattern:
            return 1.0
        if pattern not in self.patterns:
            raise self.err(row, f"pattern {pattern!r} is not defined in [PATTERNS]")
        return self.patterns[pattern]

    def _patterns(self, times: dict) -> dict:
        values: dict[str, list[float]] = {}
        for row in self.sec.rows("PATTERNS"):
            values.setdefault(row.tokens[0], []).extend(
                self.num(row, i, "multiplier") for i in range(1, len(row.tokens)))
        step = max(times["pattern_step"], 1)
        period = times["pattern_start"] // step
        return {k: (v[period % len(v)] if v else 1.0) for k, v in values.items()}

    def _curves(self) -> dict:
        curves: dict[str, list[tuple[float, float]]] = {}
        for row in self.sec.rows("CURVES"):
            curves.setdefault(row.tokens[0], []).append(
                (self.num(row, 1, "curve x value"), self.num(row, 2, "curve y value")))
        return curves

    def _build(self) -> Network:
        u, b = self.u, self.b
        default_pattern = self.opts["pattern"]
        if default_pattern is None and "1" in self.patterns:
            default_pattern = "1"
        dmult = self.opts["demand_multiplier"]
        junctions: dict[str, dict] = {}
        tank_level: dict[str, float] = {}
        for row in self.sec.rows("JUNCTIONS"):
            pat = row.tokens[3] if len(row.tokens) > 3 else default_pattern
            demand = self.num(row, 2, "demand", 0.0) * self.multiplier(row, pat)
            junctions[row.tokens[0]] = {"row": row, "z": self.num(row, 1, "elevation", 0.0),
                                        "demand": demand, "emitter": 0.0}
        replaced: set[str] = set()
        for row in self.sec.rows("DEMANDS"):
            j = self._junction(junctions, row)
            pat = row.tokens[2] if len(row.tokens) > 2 else default_pattern
            d = self.num(row, 1, "demand") * self.multiplier(row, pat)
            j["demand"] = d if row.tokens[0] not in replaced else j["demand"] + d
            replaced.add(row.tokens[0])
        for row in self.sec.rows("EMITTERS"):
            k = self.num(row, 1, "emitter coefficient")
            # Q_file = K·p_file^γ  →  Q = C·p^γ with p in Pa (this fluid's ρ·g).
            scale = (u.pressure_per_head / self.rhog) ** self.b.emitter_exponent
            self._junction(junctions, row)["emitter"] = k * u.q * scale
        for name, j in junctions.items():
            self._add(j["row"], b.add_junction, name, j["z"] * u.length,
                      j["demand"] * dmult * u.q, j["emitter"])
        for row in self.sec.rows("RESERVOIRS"):
            pat = row.tokens[2] if len(row.tokens) > 2 else None
            head = self.num(row, 1, "head") * self.multiplier(row, pat) * u.length
            self._add(row, b.add_fixed_head, row.tokens[0], head)
            tank_level[row.tokens[0]] = head / u.length
        for row in self.sec.rows("TANKS"):
            z, level = self.num(row, 1, "elevation"), self.num(row, 2, "initial level")
            self._add(row, b.add_fixed_head, row.tokens[0], (z + level) * u.length, z * u.length)
            tank_level[row.tokens[0]] = level
        links = self._links()
        self._apply_status(links)
        for ctl in parse_controls(self.sec, InpError, set(links), junctions, tank_level,
                                  self.notes):
            self._set(links[ctl["link"]], ctl["action"], ctl["row"])
        for name, lk in links.items():
            self._add(lk["row"], lk["add"], name, *lk["args"], **lk["kw"])
        return b.build()

    def _junction(self, junctions: dict, row) -> dict:
        if row.tokens[0] not in junctions:
            raise self.err(row, f"{row.tokens[0]!r} is not a junction in [JUNCTIONS]")
        return junctions[row.tokens[0]]

    def _add(self, row, method, *args, **kw) -> None:
        try:
            method(*args, **kw)
        except NetworkError as error:
            raise self.err(row, str(error)) from None

    def _links(self) -> dict:
        u, b, links = self.u, self.b, {}
        for row in self.sec.rows("PIPES"):
            t = row.tokens
            status = t[7].upper() if len(t) > 7 else "OPEN"
            if status not in ("OPEN", "CLOSED", "CV"):
                raise self.err(row, f"pipe status must be OPEN, CLOSED or CV, got {t[7]!r}")
            rough = self.num(row, 5, "roughness")
            if self.opts["headloss"] == "darcy-weisbach":
                rough *= u.roughness
            links[t[0]] = {"row": row, "kind": "pipe", "add": b.add_pipe, "args": (
                t[1], t[2], self.num(row, 3, "length") * u.length,
                self.num(row, 4, "diameter") * u.diameter, rough),
                "kw": {"minor_loss": self.num(row, 6, "minor loss", 0.0),
                       "check_valve": status == "CV", "open": status != "CLOSED"}}
        for row in self.sec.rows("PUMPS"):
            links[row.tokens[0]] = self._pump(row)
        for row in self.sec.rows("VALVES"):
            t = row.tokens
            kind = t[4].upper() if len(t) > 4 else ""
            if kind not in ("PRV", "PSV", "FCV", "TCV", "GPV"):
                raise self.err(row, f"valve type {kind or '(missing)'} is not supported; "
                               "supported: PRV, PSV, FCV, TCV, GPV")
            extra = {}
            if kind == "GPV":
                name = t[5] if len(t) > 5 else ""
                if name not in self.curves:
                    raise self.err(row, f"GPV head-loss curve {name!r} is not defined in "
                                   "[CURVES]")
                extra["curve"] = [(q * u.q, h * u.length) for q, h in self.curves[name]]
                setting = 0.0
            else:
                setting = self.num(row, 5, "setting")
            if kind in ("PRV", "PSV"):
                setting = setting / u.pressure_per_head * self.rhog
            elif kind == "FCV":
                setting *= u.q
            links[t[0]] = {"row": row, "kind": "valve", "add": b.add_valve, "args": (
                t[1], t[2], self.num(row, 3, "diameter") * u.diameter, kind),
                "kw": {"setting": setting, "minor_loss": self.num(row, 6, "minor loss", 0.0),
                       **extra}}
        return links

    def _pump(self, row) -> dict:
        t, u = row.tokens, self.u
        kw = {t[i].upper(): t[i + 1] for i in range(3, len(t) - 1, 2)}
        if len(t) < 5 or (len(t) - 3) % 2:
            raise self.err(row, "pump needs ID, two nodes and keyword/value pairs "
                           "(HEAD curve, POWER value, SPEED value, PATTERN id)")
        if "HEAD" in kw:
            pts = self.curves.get(kw["HEAD"])
            if pts is None:
                raise self.err(row, f"pump curve {kw['HEAD']!r} is not defined in [CURVES]")
            try:
                curve = PumpCurve.from_points([(q * u.q, h * u.length) for q, h in pts])
            except NetworkError as error:
                raise self.err(row, f"pump curve {kw['HEAD']!r}: {error}") from None
        elif "POWER" in kw:
            try:
                hp = float(kw["POWER"]) * u.power / 745.699872
            except ValueError:
                raise self.err(row, f"pump power must be a number, got {kw['POWER']!r}") from None
            if not hp > 0.0:
                raise self.err(row, f"pump power must be > 0, got {kw['POWER']}")
            # EPANET: head (ft) = 8.814·P(hp)/Q(cfs); P = that·ρ·g in this model's units.
            curve = PumpCurve.constant_power(8.814 * hp * 0.3048**4 * self.rhog)
        else:
            raise self.err(row, "pump needs HEAD curve-id or POWER value")
        try:
            speed = float(kw.get("SPEED", 1.0)) * self.multiplier(row, kw.get("PATTERN"))
        except ValueError:
            raise self.err(row, f"pump speed must be a number, got {kw['SPEED']!r}") from None
        return {"row": row, "kind": "pump", "add": self.b.add_pump, "args": (t[1], t[2], curve),
                "kw": {"speed": speed, "open": True}}

    def _apply_status(self, links: dict) -> None:
        for row in self.sec.rows("STATUS"):
            if row.tokens[0] not in links:
                raise self.err(row, f"link {row.tokens[0]!r} in [STATUS] is not defined")
            if len(row.tokens) < 2:
                raise self.err(row, "status needs OPEN, CLOSED, ACTIVE or a setting")
            self._set(links[row.tokens[0]], row.tokens[1], row)

    def _set(self, lk: dict, action: str, row) -> None:
        """Apply OPEN/CLOSED/ACTIVE or a numeric setting to a link description."""
        word, kw = action.upper(), lk["kw"]
        if word in ("OPEN", "CLOSED"):
            kw["open"] = word == "OPEN"
            if lk["kind"] == "pump" and word == "OPEN" and kw["speed"] == 0.0:
                kw["speed"] = 1.0
            if lk["kind"] == "valve" and word == "OPEN" and lk["args"][3] != "GPV":
                if lk["args"][3] == "TCV":
                    kw["setting"] = kw["minor_loss"]
                else:
                    self.notes.append(f"valve {row.tokens[0]!r} fixed OPEN: it does not "
                                      "regulate (treated as a TCV with its minor loss)")
                    lk["args"] = (*lk["args"][:3], "TCV")
                    kw["setting"] = kw["minor_loss"]
            return
        if word == "ACTIVE" and lk["kind"] == "valve":
            kw["open"] = True
            return
        try:
            value = float(action)
        except ValueError:
            raise self.err(row, f"status must be OPEN, CLOSED, ACTIVE or a number, "
                           f"got {action!r}") from None
        if lk["kind"] == "pump":
            kw["speed"], kw["open"] = value, value > 0.0
        elif lk["kind"] == "valve" and lk["args"][3] == "GPV":
            raise self.err(row, f"a GPV takes OPEN or CLOSED, got {action!r}")
        elif lk["kind"] == "valve":
            vtype = lk["args"][3]
            u = self.u
            kw["setting"] = (value / u.pressure_per_head * self.rhog if vtype in ("PRV", "PSV")
                             else value * u.q if vtype == "FCV" else value)
            kw["open"] = True
        else:
            raise self.err(row, f"a pipe takes OPEN or CLOSED, got {action!r}")
