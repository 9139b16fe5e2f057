"""The live numbers of one component at the time a run's views show, for the hover readout.

A run (live or replayed) fills a :class:`gui.rundata.RunModel` with the
recorded series; :class:`LiveReadout` turns the row in force at the model's
cursor into one line per component, in the units on screen:

- rack: state, IT power (kW), inlet air and chip temperature (°C), coolant
  flow (L/min);
- CDU: TCS supply and return temperature (°C), flow of its pumps (L/min) and
  each pump's state and speed;
- air unit: supply air temperature (°C) and the heat it takes (kW, and as a
  share of its capacity);
- pipe: flow (L/min) and mean velocity (m/s).

Runs record no rack flow and no pipe temperature (``twin.engine.recording``):
a rack's flow is the flow of the pipes at its supply junction (each example
rack hangs on one hose pipe), and pipe temperatures are not shown.
"""

from __future__ import annotations

import math

import numpy as np

from gui.plots import LPM
from gui.rundata import RunModel
from twin.model.layout import Layout

#: Pump states that mean it is out of service: shown in capitals.
PUMP_OUT = ("failed", "tripped")


def _number(value: float | None, unit: str, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    # A stopped flow's round-off (-1e-9 m^3/s) reads "0", not "-0".
    return f"{value if abs(value) >= 0.5 * 10.0 ** -digits else 0.0:.{digits}f} {unit}"


class LiveReadout:
    """Live numbers of components from a :class:`RunModel` at its cursor time.

    Parameters
    ----------
    model : RunModel
        The run shown (empty: no numbers).
    """

    def __init__(self, model: RunModel) -> None:
        self.model = model

    def value(self, series: str, component: str) -> float | None:
        """Value (SI) of ``series`` for ``component`` at the cursor; None if not recorded."""
        ids = self.model.components.get(series)
        row = self.model.value_at(series, self.model.cursor)
        if row is None or not ids or component not in ids:
            return None
        return float(row[ids.index(component)])

    def _pump_state(self, pump: str) -> str:
        latest = None
        for event in self.model.events:
            if event.component == pump and event.time <= self.model.cursor + 1e-9:
                latest = event.state
        speed = self.value("pump_speed", pump)
        # Before its first event a pump is as the layout set it: running if turning.
        state = latest or ("running" if speed is not None and speed > 0 else "standby")
        state = state.upper() if state in PUMP_OUT else state
        return f"{pump} {state}" + (f" {speed:.0%}" if speed else "")

    def rack_flow(self, layout: Layout, rack) -> float | None:
        """Coolant flow through ``rack`` (m^3/s): the pipes' net flow into its supply
        junction; None where other racks or valves share that junction."""
        node = rack.supply
        shared = [u for u in (*layout.racks, *layout.cdus)
                  if u.id != rack.id and node in (u.supply, u.return_)]
        if shared or any(node in (v.from_, v.to) for v in layout.valves):
            return None
        total, found = 0.0, False
        for pipe in layout.pipes:
            sign = 1.0 if pipe.to == node else -1.0 if pipe.from_ == node else 0.0
            if sign:
                flow = self.value("pipe_flow", pipe.id)
                if flow is None:
                    return None
                total, found = total + sign * flow, True
        return total if found else None

    def describe(self, layout: Layout, component_id: str) -> str | None:
        """One line of ``component_id``'s live numbers at the cursor, or None when the
        run has none for it (no run shown, or a kind without series)."""
        if not self.model.rows:
            return None
        located = layout.find(component_id)
        if located is None:
            return None
        c, kind, at = located.component, located.kind, f"t = {self.model.cursor:.0f} s"
        if kind == "rack" and self.value("rack_power", c.id) is not None:
            state = self.model.rack_states_at(self.model.cursor).get(c.id, "ok")
            flow = self.rack_flow(layout, c)
            return (f"rack {c.id} {state.upper()} at {at}: "
                    f"{_number(self.value('rack_power', c.id) / 1e3, 'kW IT')}, inlet "
                    f"{_number(self.value('rack_inlet_temperature', c.id), '°C')}, chip "
                    f"{_number(self.value('rack_chip_temperature', c.id), '°C')}, coolant "
                    f"{_number(None if flow is None else flow * LPM, 'L/min', 0)}")
        if kind == "cdu" and self.value("cdu_supply_temperature", c.id) is not None:
            flows = [self.value("pump_flow", p.id) for p in c.pumps]
            flow = sum(f for f in flows if f is not None and np.isfinite(f))
            pumps = ", ".join(self._pump_state(p.id) for p in c.pumps)
            return (f"CDU {c.id} at {at}: supply "
                    f"{_number(self.value('cdu_supply_temperature', c.id), '°C')}, return "
                    f"{_number(self.value('cdu_return_temperature', c.id), '°C')}, flow "
                    f"{_number(flow * LPM, 'L/min', 0)}; pumps {pumps}")
        if kind == "air_unit" and self.value("air_unit_heat", c.id) is not None:
            heat = self.value("air_unit_heat", c.id)
            share = f" ({heat / c.capacity:.0%} of capacity)" if math.isfinite(heat) else ""
            return (f"{c.kind} {c.id} at {at}: supply "
                    f"{_number(self.value('air_unit_supply_temperature', c.id), '°C')}, load "
                    f"{_number(heat / 1e3, 'kW', 0)}{share}")
        if kind == "pipe" and self.value("pipe_flow", c.id) is not None:
            flow = self.value("pipe_flow", c.id)
            speed = abs(flow) / (math.pi * c.diameter ** 2 / 4)
            return (f"pipe {c.id} at {at}: flow {_number(flow * LPM, 'L/min', 0)}, "
                    f"velocity {_number(speed, 'm/s', 2)}")
        return None
