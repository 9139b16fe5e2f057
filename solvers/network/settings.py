"""Operating values of a network that may change between two solves."""

from __future__ import annotations

from solvers.network.network import (
    AUTO,
    CLOSED,
    FIXED_HEAD,
    JUNCTION,
    OPEN,
    PIPE,
    PUMP,
    REGULATING,
    VALVE,
    Network,
    NetworkError,
    _finite,
)

__all__ = ["Settings"]


class Settings:
    """Operating values of a network that may change from one solve to the next.

    Arrays (writeable, indexed like the network's nodes and links): ``status``
    (CLOSED, OPEN, or AUTO for a controlling PRV/PSV/FCV), ``speed`` (pump
    speed ratio), ``setting`` (valve setting: TCV loss coefficient, PRV/PSV
    pressure in Pa, FCV flow in m³/s), ``demand`` (m³/s), ``head`` (m, fixed-
    head nodes; NaN elsewhere), ``emitter`` (m³/s per Pa^γ).  The ``set_*``
    methods change one value by name and check it.
    """

    def __init__(self, network: Network, status, speed, setting, demand, head, emitter):
        self.network = network
        self.status, self.speed, self.setting = status, speed, setting
        self.demand, self.head, self.emitter = demand, head, emitter

    def copy(self) -> Settings:
        """An independent copy."""
        return Settings(self.network, self.status.copy(), self.speed.copy(), self.setting.copy(),
                        self.demand.copy(), self.head.copy(), self.emitter.copy())

    def _link(self, name: str, kinds=(PIPE, PUMP, VALVE)) -> int:
        i = self.network.link_index.get(name)
        if i is None or self.network.link_kind[i] not in kinds:
            raise NetworkError(f"no such link {name!r} of the right kind")
        return i

    def _node(self, name: str, kind: int) -> int:
        i = self.network.node_index.get(name)
        if i is None or self.network.node_kind[i] != kind:
            raise NetworkError(f"no such node {name!r} of the right kind")
        return i

    def set_open(self, name: str, is_open: bool) -> None:
        """Open or close a link (an open PRV/PSV/FCV goes back to controlling)."""
        i = self._link(name)
        controller = (self.network.link_kind[i] == VALVE
                      and 1 <= self.network.valve_type[i] <= len(REGULATING))
        self.status[i] = (AUTO if controller else OPEN) if is_open else CLOSED

    def set_fully_open(self, name: str) -> None:
        """Fix a PRV/PSV/FCV fully open (it stops controlling)."""
        self.status[self._link(name, (VALVE,))] = OPEN

    def set_speed(self, name: str, speed: float) -> None:
        """Set a pump's speed ratio (>= 0; 0 stops it)."""
        self.speed[self._link(name, (PUMP,))] = _finite("pump", name, "speed", speed, "", 0.0)

    def set_valve_setting(self, name: str, setting: float) -> None:
        """Set a valve's setting (units as in :meth:`NetworkBuilder.add_valve`)."""
        self.setting[self._link(name, (VALVE,))] = _finite("valve", name, "setting", setting,
                                                           "", 0.0)

    def set_demand(self, name: str, demand: float) -> None:
        """Set a junction's demand in m³/s."""
        self.demand[self._node(name, JUNCTION)] = _finite("junction", name, "demand", demand,
                                                          "m³/s")

    def set_head(self, name: str, head: float) -> None:
        """Set a fixed-head node's head in m."""
        self.head[self._node(name, FIXED_HEAD)] = _finite("fixed-head node", name, "head",
                                                          head, "m")

    def set_emitter(self, name: str, coefficient: float) -> None:
        """Set a junction's emitter (leak) coefficient in m³/s per Pa^γ (0 stops it)."""
        self.emitter[self._node(name, JUNCTION)] = _finite("junction", name, "emitter",
                                                           coefficient, "m³/s/Pa^γ", 0.0)
