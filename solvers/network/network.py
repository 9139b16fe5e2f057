"""Description of a liquid network: nodes, links, and their operating settings.

A :class:`NetworkBuilder` collects nodes and links by name and checks each one
as it is added; :meth:`NetworkBuilder.build` freezes them into a
:class:`Network`: read-only arrays, name→index maps and a sparse incidence
matrix (the WNTR layout).  What may change between two solves of the same
network — link open/closed, pump speed, valve setting, demands, fixed heads,
leaks — lives in a separate, mutable ``Settings`` object (settings.py), so a network is
never changed while a solver or a heat model holds it.

All quantities are SI: m, m³/s, Pa, W, °C.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from solvers.network.components import NetworkError, PumpCurve
from solvers.network.fluids import WATER, Fluid

__all__ = [
    "NetworkError",
    "NetworkBuilder",
    "Network",
    "JUNCTION",
    "FIXED_HEAD",
    "PIPE",
    "PUMP",
    "VALVE",
    "VALVE_TYPES",
    "REGULATING",
    "CLOSED",
    "OPEN",
    "AUTO",
    "STANDARD_GRAVITY",
]

JUNCTION, FIXED_HEAD = 0, 1
PIPE, PUMP, VALVE = 0, 1, 2
#: Valve types: throttling (loss coefficient), pressure reducing, pressure
#: sustaining, flow control, general purpose (head-loss curve).  Their codes
#: index this tuple.
VALVE_TYPES = ("TCV", "PRV", "PSV", "FCV", "GPV")
#: Valve types that regulate (status AUTO while open).
REGULATING = ("PRV", "PSV", "FCV")
#: User status of a link: closed, open, or (PRV/PSV/FCV only) controlling.
CLOSED, OPEN, AUTO = 0, 1, 2
STANDARD_GRAVITY = 9.80665
HEADLOSS_FORMULAS = ("darcy-weisbach", "hazen-williams")


def _positive(what: str, name: str, key: str, value: float, unit: str) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0.0:
        raise NetworkError(f"{what} {name!r}: {key} must be > 0 {unit}, got {value:g}")
    return value


def _finite(what: str, name: str, key: str, value: float, unit: str, minimum=None) -> float:
    value = float(value)
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        rule = f">= {minimum:g} {unit}" if minimum is not None else f"a finite number of {unit}"
        raise NetworkError(f"{what} {name!r}: {key} must be {rule}, got {value:g}")
    return value


@dataclass
class _Node:
    kind: int
    elevation: float
    demand: float = 0.0
    head: float = 0.0
    emitter: float = 0.0


@dataclass
class _Link:
    kind: int
    start: str
    end: str
    length: float = 0.0
    diameter: float = 0.0
    roughness: float = 0.0
    minor_loss: float = 0.0
    check_valve: bool = False
    status: int = OPEN
    pump: PumpCurve | None = None
    speed: float = 1.0
    valve_type: int = -1
    curve: tuple | None = None
    setting: float = 0.0
    wall_ua: float = 0.0
    volume: float = 0.0


class NetworkBuilder:
    """Collects the nodes and links of a network by name.

    Parameters
    ----------
    headloss : {"darcy-weisbach", "hazen-williams"}
        Friction formula of every pipe (as in EPANET, one per network).
        Roughness is the absolute roughness in m for Darcy–Weisbach and the
        dimensionless C factor for Hazen–Williams.
    fluid : Fluid
        The coolant (default water).
    gravity : float
        Acceleration of gravity in m/s² (EPANET files use 32.2 ft/s²).
    emitter_exponent : float
        Exponent γ of emitters Q = C·p^γ (0.5 for an orifice-like leak).
    """

    def __init__(self, headloss: str = "darcy-weisbach", fluid: Fluid = WATER,
                 gravity: float = STANDARD_GRAVITY, emitter_exponent: float = 0.5):
        if headloss not in HEADLOSS_FORMULAS:
            raise NetworkError(f"headloss must be one of {HEADLOSS_FORMULAS}, got {headloss!r}")
        self.headloss = headloss
        self.fluid = fluid
        self.gravity = _positive("network", "options", "gravity", gravity, "m/s²")
        self.emitter_exponent = _positive("network", "options", "emitter_exponent",
                                          emitter_exponent, "")
        self._nodes: dict[str, _Node] = {}
        self._links: dict[str, _Link] = {}

    # -- nodes ---------------------------------------------------------------
    def _new_node(self, name: str, node: _Node) -> None:
        if not isinstance(name, str) or not name:
            raise NetworkError(f"node name must be a non-empty string, got {name!r}")
        if name in self._nodes:
            raise NetworkError(f"node {name!r} is defined twice")
        self._nodes[name] = node

    def add_junction(self, name: str, elevation: float = 0.0, demand: float = 0.0,
                     emitter: float = 0.0) -> None:
        """Add a junction: a node whose head the solver finds.

        Parameters
        ----------
        name : str
            Unique node name.
        elevation : float
            Elevation in m (pressure is ρ·g·(head − elevation)).
        demand : float
            Outflow in m³/s; negative is a supply (allowed, reported).
        emitter : float
            Emitter (leak) coefficient C in m³/s per Pa^γ: outflow C·p^γ.
        """
        elevation = _finite("junction", name, "elevation", elevation, "m")
        demand = _finite("junction", name, "demand", demand, "m³/s")
        emitter = _finite("junction", name, "emitter", emitter, "m³/s/Pa^γ", minimum=0.0)
        self._new_node(name, _Node(JUNCTION, elevation, demand=demand, emitter=emitter))

    def add_fixed_head(self, name: str, head: float, elevation: float | None = None) -> None:
        """Add a node at a fixed head: a reservoir, or a loop's expansion tank.

        Parameters
        ----------
        name : str
            Unique node name.
        head : float
            Hydraulic head in m (elevation + pressure/(ρ·g)).
        elevation : float, optional
            Elevation in m, for the reported pressure (default: ``head``,
            i.e. an open reservoir at zero gauge pressure).
        """
        head = _finite("fixed-head node", name, "head", head, "m")
        elevation = head if elevation is None else _finite(
            "fixed-head node", name, "elevation", elevation, "m")
        self._new_node(name, _Node(FIXED_HEAD, elevation, head=head))

    # -- links ---------------------------------------------------------------
    def _new_link(self, name: str, link: _Link) -> None:
        if not isinstance(name, str) or not name:
            raise NetworkError(f"link name must be a non-empty string, got {name!r}")
        if name in self._links:
            raise NetworkError(f"link {name!r} is defined twice")
        for end in (link.start, link.end):
            if end not in self._nodes:
                raise NetworkError(f"link {name!r}: node {end!r} does not exist "
                                   "(add nodes before the links that join them)")
        if link.start == link.end:
            raise NetworkError(f"link {name!r}: starts and ends at the same node {link.start!r}")
        self._links[name] = link

    @staticmethod
    def _status(name: str, is_open: bool) -> int:
        if not isinstance(is_open, bool | np.bool_):
            raise NetworkError(f"link {name!r}: open must be True or False, got {is_open!r}")
        return OPEN if is_open else CLOSED

    def add_pipe(self, name: str, start: str, end: str, length: float, diameter: float,
                 roughness: float, minor_loss: float = 0.0, check_valve: bool = False,
                 open: bool = True, wall_ua: float = 0.0) -> None:
        """Add a pipe (positive flow runs from ``start`` to ``end``).

        Parameters
        ----------
        name, start, end : str
            Link name and its end nodes.
        length, diameter : float
            In m, both > 0.
        roughness : float
            Absolute roughness in m (Darcy–Weisbach, >= 0) or C (Hazen–Williams, > 0).
        minor_loss : float
            Sum of minor-loss coefficients K (head loss K·v²/2g).
        check_valve : bool
            Forbid reverse flow (the pipe closes when its head difference reverses).
        open : bool
            Initial status.
        wall_ua : float
            Wall heat-loss conductance to the ambient in W/K (heat model only).
        """
        length = _positive("pipe", name, "length", length, "m")
        diameter = _positive("pipe", name, "diameter", diameter, "m")
        if self.headloss == "hazen-williams":
            roughness = _positive("pipe", name, "roughness (Hazen-Williams C)", roughness, "")
        else:
            roughness = _finite("pipe", name, "roughness", roughness, "m", minimum=0.0)
        minor_loss = _finite("pipe", name, "minor_loss", minor_loss, "", minimum=0.0)
        wall_ua = _finite("pipe", name, "wall_ua", wall_ua, "W/K", minimum=0.0)
        self._new_link(name, _Link(
            PIPE, start, end, length=length, diameter=diameter, roughness=roughness,
            minor_loss=minor_loss, check_valve=bool(check_valve),
            status=self._status(name, open), wall_ua=wall_ua,
            volume=0.25 * math.pi * diameter**2 * length))

    def add_pump(self, name: str, start: str, end: str, curve: PumpCurve, speed: float = 1.0,
                 open: bool = True) -> None:
        """Add a pump lifting head from ``start`` (suction) to ``end`` (discharge).

        Parameters
        ----------
        name, start, end : str
            Link name, suction node, discharge node.
        curve : PumpCurve
            Head curve at full speed.
        speed : float
            Speed ratio (affinity laws: H(Q) = s²·H₁(Q/s)); 0 stops the pump.
        open : bool
            Initial status.  Pumps never pass reverse flow: when the system
            needs more head than the pump can give, it closes (EPANET's XHEAD).
        """
        if not isinstance(curve, PumpCurve):
            raise NetworkError(f"pump {name!r}: curve must be a PumpCurve, got {curve!r}")
        speed = _finite("pump", name, "speed", speed, "", minimum=0.0)
        self._new_link(name, _Link(PUMP, start, end, pump=curve, speed=speed,
                                   status=self._status(name, open)))

    def add_valve(self, name: str, start: str, end: str, diameter: float, kind: str = "TCV",
                  setting: float = 0.0, minor_loss: float = 0.0, check_valve: bool = False,
                  open: bool = True, curve=None) -> None:
        """Add a valve (no length; flow from ``start`` to ``end``).

        Parameters
        ----------
        name, start, end : str
            Link name and its end nodes.
        diameter : float
            Nominal diameter in m (> 0), for velocities and loss coefficients.
        kind : {"TCV", "PRV", "PSV", "FCV", "GPV"}
            TCV: throttling or isolation valve, head loss ``setting``·v²/2g.
            PRV: holds the pressure at ``end`` at ``setting`` Pa.  PSV: holds
            the pressure at ``start`` at ``setting`` Pa.  FCV: limits the flow
            to ``setting`` m³/s.  The three controllers open fully, or close
            against reverse flow, when they cannot regulate.  GPV: head loss
            from ``curve``.
        setting : float
            See ``kind``; >= 0.
        minor_loss : float
            Loss coefficient of the fully open PRV/PSV/FCV body.
        check_valve : bool
            TCV only: forbid reverse flow (a swing check valve).
        open : bool
            Initial status (a closed valve isolates).
        curve : sequence of (flow m³/s, head loss m), GPV only
            Increasing flows >= 0; interpolated linearly, extended along the
            end segments, mirrored for reverse flow (as EPANET).
        """
        if kind not in VALVE_TYPES:
            raise NetworkError(f"valve {name!r}: kind must be one of {VALVE_TYPES}, got {kind!r}")
        diameter = _positive("valve", name, "diameter", diameter, "m")
        setting = _finite("valve", name, "setting", setting, "", minimum=0.0)
        minor_loss = _finite("valve", name, "minor_loss", minor_loss, "", minimum=0.0)
        if check_valve and kind != "TCV":
            raise NetworkError(f"valve {name!r}: only a TCV can be a check valve")
        points = None
        if kind == "GPV":
            pts = np.asarray(curve if curve is not None else [], dtype=float)
            if (pts.ndim != 2 or pts.shape[1:] != (2,) or len(pts) < 2
                    or not np.all(np.isfinite(pts)) or np.any(np.diff(pts[:, 0]) <= 0.0)
                    or pts[0, 0] < 0.0 or np.any(pts[:, 1] < 0.0)):
                raise NetworkError(f"valve {name!r}: a GPV needs a curve of at least two "
                                   "(flow m³/s, head loss m) points, flows >= 0 increasing, "
                                   "head losses >= 0")
            points = (pts[:, 0].copy(), pts[:, 1].copy())
        elif curve is not None:
            raise NetworkError(f"valve {name!r}: only a GPV takes a curve")
        status = self._status(name, open)
        if status == OPEN and kind in REGULATING:
            status = AUTO
        self._new_link(name, _Link(VALVE, start, end, diameter=diameter, minor_loss=minor_loss,
                                   valve_type=VALVE_TYPES.index(kind), setting=setting,
                                   check_valve=bool(check_valve), status=status, curve=points))

    def build(self) -> Network:
        """Freeze the description into a :class:`Network`."""
        if not self._links:
            raise NetworkError("the network has no links")
        return Network(self)


class Network:
    """An immutable network: arrays indexed by node and link number.

    Built by :meth:`NetworkBuilder.build`.  Attributes (all read-only NumPy
    arrays unless said): ``node_names``/``link_names`` (tuples),
    ``node_index``/``link_index`` (dicts name→index), ``node_kind``
    (JUNCTION/FIXED_HEAD), ``elevation`` (m), ``link_kind`` (PIPE/PUMP/VALVE),
    ``start``/``end`` (node indices), ``length``, ``diameter`` (m),
    ``roughness``, ``minor_loss``, ``check_valve``, ``valve_type``,
    ``wall_ua`` (W/K), ``volume`` (m³), ``pumps`` (dict link index →
    PumpCurve), ``valve_curves`` (dict link index → (flows, head losses) of
    each GPV), ``incidence`` (CSR links × nodes, +1 at the start node, −1 at
    the end node), and the options ``headloss``, ``fluid``, ``gravity``,
    ``emitter_exponent``.
    """

    def __init__(self, builder: NetworkBuilder):
        nodes, links = builder._nodes, builder._links
        self.headloss = builder.headloss
        self.fluid = builder.fluid
        self.gravity = builder.gravity
        self.emitter_exponent = builder.emitter_exponent
        self.node_names = tuple(nodes)
        self.link_names = tuple(links)
        self.node_index = {n: i for i, n in enumerate(self.node_names)}
        self.link_index = {n: i for i, n in enumerate(self.link_names)}

        def arr(values, dtype=float):
            a = np.array(list(values), dtype=dtype)
            a.setflags(write=False)
            return a

        nv, lv = list(nodes.values()), list(links.values())
        self.node_kind = arr((n.kind for n in nv), np.int8)
        self.elevation = arr(n.elevation for n in nv)
        self.link_kind = arr((k.kind for k in lv), np.int8)
        self.start = arr((self.node_index[k.start] for k in lv), np.int64)
        self.end = arr((self.node_index[k.end] for k in lv), np.int64)
        self.length = arr(k.length for k in lv)
        self.diameter = arr(k.diameter for k in lv)
        self.roughness = arr(k.roughness for k in lv)
        self.minor_loss = arr(k.minor_loss for k in lv)
        self.check_valve = arr((k.check_valve for k in lv), bool)
        self.valve_type = arr((k.valve_type for k in lv), np.int8)
        self.wall_ua = arr(k.wall_ua for k in lv)
        self.volume = arr(k.volume for k in lv)
        self.pumps = {i: k.pump for i, k in enumerate(lv) if k.kind == PUMP}
        self.valve_curves = {i: k.curve for i, k in enumerate(lv) if k.curve is not None}
        # Imported here: settings.py needs this module's codes and checks.
        from solvers.network.settings import Settings

        self._initial = Settings(
            self,
            status=np.array([k.status for k in lv], dtype=np.int8),
            speed=np.array([k.speed if k.kind == PUMP else 0.0 for k in lv]),
            setting=np.array([k.setting for k in lv]),
            demand=np.array([n.demand for n in nv]),
            head=np.array([n.head if n.kind == FIXED_HEAD else math.nan for n in nv]),
            emitter=np.array([n.emitter for n in nv]),
        )
        n_links = len(lv)
        rows = np.repeat(np.arange(n_links), 2)
        cols = np.column_stack([self.start, self.end]).ravel()
        vals = np.tile([1.0, -1.0], n_links)
        self.incidence = sp.csr_matrix((vals, (rows, cols)), shape=(n_links, len(nv)))

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_names)

    @property
    def n_links(self) -> int:
        """Number of links."""
        return len(self.link_names)

    def settings(self):
        """A fresh, independent :class:`~solvers.network.settings.Settings` copy of the
        operating values given when the network was built."""
        return self._initial.copy()

    def __repr__(self) -> str:
        return (f"Network({self.n_nodes} nodes, {self.n_links} links, {self.headloss}, "
                f"fluid={self.fluid.name})")
