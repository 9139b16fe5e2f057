"""The coupled twin: one clock for air, coolant, chips, plant and controls.

A :class:`Simulation` owns the clock, the hall's state and its outputs
(Oceananigans' Simulation around a model).  Each network step of at most
``network_dt`` seconds — shortened so that scenario events, pump starts and
field outputs land exactly on their times — does, in order:

1. apply the scenario actions due now and start the pumps whose delay ended;
2. take each rack's power: nominal x the scenario's load x its protection cap;
3. each coolant loop's hydraulics at the current pump speeds, valve states
   and leaks, and its chips: heat to the cold plates, and what those cannot
   take spilled into the rack's air;
4. rear doors: what each takes from its rack's exhaust into its water;
5. the room air to the end of the step with its own CFL-stable steps: racks
   blow their air-side heat, spill and all, less what their doors took, air
   units cool it as far as their coils' water allows; each rack's inlet and
   each air unit's heat come back;
6. each loop's coolant temperatures with transport delays, the heat of the
   doors and air units on its CDUs' water joining at their returns, CDU heat
   exchangers fed by the plant;
7. the plant rejects what the CDUs and the air units and doors on facility
   water took (facility-water temperature for the next step), with its power
   and water;
8. the controls see the new measurements (:mod:`twin.engine.protection`).

All heat of a step lands in the same step, so the hall's heat balance closes
step by step (the run file records its terms).  It starts from the layout's
steady state (rear doors and air units on CDU water included), so the first
second of a scenario is the healthy hall.
``iter_run`` yields a :class:`Snapshot` per step for the GUI; ``run``
drives it to the end for batch work.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from twin.controls import (
    AirUnitControl,
    CoolantFlowAlarm,
    DifferentialPressureControl,
    LeakDetector,
    PumpGroup,
    RackProtection,
    SupplyTemperatureControl,
    TankLevel,
)
from twin.engine.actions import apply_action
from twin.engine.coupling import HallStep, HeatCoupling
from twin.engine.liquid import LoopDynamics, LoopStep
from twin.engine.protection import step_controls
from twin.engine.recording import collect
from twin.engine.room import Room
from twin.engine.zones import leak_zones
from twin.errors import UserError
from twin.events import CauseTracker, Event, EventLog
from twin.liquid import build_loops, steady_state
from twin.liquid.plant import plant_state
from twin.model.layout import Layout
from twin.model.plant import Ambient
from twin.model.scenario import Scenario
from twin.scenario_timeline import Timeline

#: Courant numbers of the air step that runs offer (``EngineOptions.courant``):
#: what the verification cases and the 10 MW hall's comparison cover
#: (docs/air.md, docs/performance.md); the scheme is stable beyond.
COURANT_RANGE = (1.0, 8.0)


@dataclass
class EngineOptions:
    """How a run is computed.

    Attributes
    ----------
    network_dt : float
        Longest network/controls step (s).
    air : bool
        Simulate the room air (False: the room is one well-mixed node of air,
        held at the air units' setpoint while their capacity lasts and
        warming by what they cannot take; see :mod:`twin.engine.room`).
    air_spacing : float, optional
        Air grid spacing (m); default the hall's ``grid_m``.
    backend : str
        ``auto``, ``numpy``, ``numba`` or ``cupy`` for the air.
    field_interval : float
        Simulated seconds between recorded air frames.
    spin_up : float
        Simulated seconds the air runs with the healthy hall before t = 0.
    courant : float
        Cells the fastest air crosses in one air step (the semi-Lagrangian
        scheme: accuracy, not stability, limits it; ``docs/air.md`` says what
        4 and 8 give).  Fewer steps for a larger value, in proportion.
    pressure_rtol : float, optional
        Relative residual at which the air's pressure solve stops; default
        :data:`twin.engine.air.HALL_PRESSURE_RTOL`, which says what it costs
        in accuracy.
    """

    network_dt: float = 1.0
    air: bool = True
    air_spacing: float | None = None
    backend: str = "auto"
    field_interval: float = 5.0
    spin_up: float = 60.0
    courant: float = 4.0
    pressure_rtol: float | None = None


@dataclass
class Snapshot:
    """Host-side state after a step, for progress bars and live views (SI, degC)."""

    time: float
    duration: float
    rack_ids: list[str]
    rack_inlet: np.ndarray
    rack_chip: np.ndarray
    rack_power: np.ndarray
    rack_state: np.ndarray
    it_power: float
    cooling_power: float
    new_events: list[Event] = field(default_factory=list)


def default_scenario(duration: float = 3600.0) -> Scenario:
    """Steady operation for ``duration`` seconds: no events."""
    return Scenario.model_validate({"format": "halltwin-scenario", "version": 1,
                                    "name": "steady operation", "duration_s": duration})


class Simulation:
    """A transient run of one hall under one scenario.

    Parameters
    ----------
    layout : Layout
        The hall (never changed).
    scenario : Scenario, optional
        What happens (default: an hour of steady operation).
    options : EngineOptions, optional
    writer : object, optional
        A :class:`twin.runs.RunWriter`-like recorder (``write_frame``,
        ``write_series``, ``write_events``); see :mod:`twin.engine.recording`.
    """

    def __init__(self, layout: Layout, scenario: Scenario | None = None,
                 options: EngineOptions | None = None, writer=None):
        self.layout = layout
        self.scenario = scenario or default_scenario()
        self.options = options or EngineOptions()
        self.timeline = Timeline(layout, self.scenario)
        self.writer = writer
        self.events, self.causes = EventLog(), CauseTracker()
        self.time = 0.0
        self._applied = -math.inf
        self._next_frame = 0.0
        self._written = 0
        self.loops = build_loops(layout)
        steady = steady_state(layout, loops=self.loops)
        self.dynamics = [LoopDynamics(loop, state) for loop, state in
                         zip(self.loops, steady.loops, strict=True)]
        self._setup_controls(steady)
        self.facility_temperature = steady.plant.supply_temperature
        self.plant = steady.plant
        self.air, self._air_offset = None, 0.0
        if self.options.air:
            from solvers.backend import BackendUnavailable, select_backend
            from twin.engine.air import build_hall_air

            try:
                self.backend = select_backend(self.options.backend)
            except BackendUnavailable as error:
                # a backend asked for by name that this machine lacks is the
                # user's choice to change, not a fault of the program
                raise UserError(f"{error}; choose another (auto takes the fastest that "
                                f"works here)") from None
            rtol = {} if self.options.pressure_rtol is None else {
                "pressure_rtol": self.options.pressure_rtol}
            self.air = build_hall_air(layout, self.backend, self.options.air_spacing,
                                      courant=self.options.courant, **rtol)
        self.room = Room(layout, self.air_controls, self.air)
        self.coupling = HeatCoupling(layout, self.dynamics, self.room)
        self.chip_start = self.per_rack_chips()
        self.coolant_stored = 0.0  # J the coolant gained since t = 0
        self.last: dict[str, np.ndarray] = {}
        self._spin_up()

    # ------------------------------------------------------------------ set-up
    def _setup_controls(self, steady) -> None:
        layout = self.layout
        self.loop_index = {}
        self.cdu_of_pump = {}
        self.pump_groups, self.dp_controls, self.temperature_controls = {}, {}, {}
        self.tanks, self.leak_detectors = {}, {}
        self.failed_cdus: set[str] = set()
        self.plant_failed: dict[str, float] = {}
        self.leaks: dict[str, float] = {}
        zones = leak_zones(layout)
        for n, (loop, state) in enumerate(zip(self.loops, steady.loops, strict=True)):
            for cdu in loop.cdus:
                self.loop_index[cdu.id] = n
                self.pump_groups[cdu.id] = PumpGroup(cdu)
                self.dp_controls[cdu.id] = DifferentialPressureControl(cdu, state.speed)
                opening = state.cdu[cdu.id]["primary_flow"] / cdu.facility_flow
                self.temperature_controls[cdu.id] = SupplyTemperatureControl(cdu, opening)
                for pump in cdu.pumps:
                    self.cdu_of_pump[pump.id] = cdu.id
            reference = next((c for c in loop.cdus if c.expansion_tank is not None), None)
            if reference is not None:
                ids = set(loop.network.node_names) | set(loop.network.link_names)
                self.tanks[n] = TankLevel(reference.expansion_tank)
                self.leak_detectors[n] = LeakDetector(
                    reference.id, reference.expansion_tank,
                    {leak: valves for leak, valves in zones.items()
                     if layout.find(leak).component.at in ids})
            for name in (*loop.network.node_names, *loop.network.link_names):
                self.loop_index.setdefault(name, n)
        self.rack_protection = [RackProtection(r) for r in layout.racks]
        self.flow_alarms = [CoolantFlowAlarm(r) for r in layout.racks]
        self.air_controls = {a.id: AirUnitControl(a) for a in layout.air_units}
        self.rack_loop = {r.id: self.loop_index.get(r.id) for r in layout.racks}

    def _spin_up(self) -> None:
        """Run the air with the healthy hall so t = 0 starts from its flow field."""
        if self.air is None or self.options.spin_up <= 0:
            return
        power = np.array([r.power for r in self.layout.racks]) * self.timeline.load_fraction(0.0)
        fans = self.fan_flow()
        heat, _ = self.coupling.air_heat(power, np.zeros(len(power)), fans,
                                         self.facility_temperature)
        self.room.spin_up(self.options.spin_up, fans, heat)
        self._air_offset = self.options.spin_up  # air time at the scenario's t = 0

    # ------------------------------------------------------------------ helpers
    def loop_of(self, component_id: str) -> int:
        """Index of the coolant loop a pump, CDU, valve, pipe or junction is on."""
        if component_id in self.cdu_of_pump:
            component_id = self.cdu_of_pump[component_id]
        located = self.layout.find(component_id)
        if located is not None and located.kind == "leak":
            component_id = located.component.at
        return self.loop_index.get(component_id, -1)

    def log(self, event: Event) -> int:
        """Append an event of the run.

        A CDU's pumps-alarm (none running) changes its loop's condition: it is
        noted there, so what the loop's lost flow does next names it as cause.
        """
        index = self.events.append(event)
        if event.kind == "pumps" and event.abnormal:
            self.causes.note(f"loop:{self.loop_of(event.component)}", index, event.time)
        return index

    def set_valve(self, valve_id: str, is_open: bool) -> None:
        """Open or close a valve of the piping."""
        self.dynamics[self.loop_of(valve_id)].set_valve(valve_id, is_open)

    def set_leak(self, leak, active: bool) -> None:
        """Start or stop a leak point (a pipe leaks at its upstream junction)."""
        node = leak.at
        pipe = next((p for p in self.layout.pipes if p.id == node), None)
        if pipe is not None:
            node = pipe.from_
        self.leaks[leak.id] = leak.coefficient if active else 0.0
        self.dynamics[self.loop_of(node)].set_leak(node, self.leaks[leak.id])

    def fan_flow(self) -> np.ndarray:
        """Air each rack's fans move now (m^3/s): none once it has tripped."""
        return np.array([0.0 if p.cap == 0.0 else r.air_flow
                         for r, p in zip(self.layout.racks, self.rack_protection, strict=True)])

    def per_rack(self, steps: list[LoopStep], name: str) -> np.ndarray:
        """A per-rack quantity of the loops' steps (``chip_temperature``, ``rack_flow``...)
        in layout order; NaN for a rack on no loop."""
        values = np.full(len(self.layout.racks), np.nan)
        for racks, step in zip(self.coupling.loop_racks, steps, strict=True):
            values[racks] = getattr(step, name)
        return values

    def per_rack_chips(self) -> np.ndarray:
        """Chip temperature of each rack now (degC); NaN for a rack on no loop."""
        values = np.full(len(self.layout.racks), np.nan)
        for racks, dyn in zip(self.coupling.loop_racks, self.dynamics, strict=True):
            values[racks] = dyn.chips.temperature
        return values

    # ------------------------------------------------------------------ stepping
    def _step_length(self, until: float) -> float:
        """The next step: at most ``network_dt``, ending on the next event time."""
        t = self.time
        ends = [t + self.options.network_dt, until, self.timeline.next_time(t)]
        ends += [g.next_due() for g in self.pump_groups.values()]
        if self.air is not None and self.writer is not None:
            ends.append(self._next_frame if self._next_frame > t else math.inf)
        end = min(e for e in ends if e > t + 1e-9)
        return end - t

    def _start_of_step(self) -> list[Event]:
        """Scenario actions due now, and pumps whose start delay has run out."""
        first = len(self.events)
        for action in self.timeline.due(self._applied, self.time):
            apply_action(self, action)
        self._applied = self.time
        for group in self.pump_groups.values():
            for event in group.advance(self.time):
                self.log(event)
        return [self.events[i] for i in range(first, len(self.events))]

    def _rack_power(self) -> np.ndarray:
        """IT power of each rack now (W): nominal (or set) x load x protection cap."""
        load = self.timeline.load_fraction(self.time)
        nominal = np.array([self.timeline.parameter(r.id, "power", self.time)
                            for r in self.layout.racks])
        caps = np.array([p.power_fraction(f) for p, f in zip(self.rack_protection, load,
                                                              strict=True)])
        return nominal * caps

    def _drive_pumps(self) -> list[np.ndarray]:
        """Set each loop's pump speeds; return each loop's primary flows per CDU (m^3/s)."""
        primary = []
        for dyn in self.dynamics:
            for cdu in dyn.loop.cdus:
                command = self.dp_controls[cdu.id].pi.output
                speeds = self.pump_groups[cdu.id].speeds(command)
                health = self.pump_groups[cdu.id].health()
                for pump_id, speed in speeds.items():
                    dyn.set_pump(pump_id, speed * math.sqrt(health[pump_id]))
            primary.append(np.array([
                0.0 if c.id in self.failed_cdus else
                self.temperature_controls[c.id].pi.output * c.facility_flow
                for c in dyn.loop.cdus]))
        return primary

    def step(self, until: float | None = None) -> Snapshot:
        """Advance one network step (never past ``until`` or the scenario's end)."""
        until = self.timeline.duration if until is None else min(until, self.timeline.duration)
        new = self._start_of_step()
        dt = self._step_length(until)
        power = self._rack_power()
        hall = self.coupling.step(dt, power, self.fan_flow(), self.facility_temperature,
                                  self._drive_pumps(), self.time + dt + self._air_offset,
                                  self.timeline.ambient(self.time).dry_bulb)
        self.coolant_stored += sum(s.stored_change for s in hall.loops)
        ambient = self.timeline.ambient(self.time + dt)
        facility_flow = sum(c.facility_flow for c in self.layout.cdus
                            if c.id not in self.failed_cdus)
        self.plant = plant_state(self.layout.plant.model_copy(update={
            "supply_temp": self.timeline.parameter("plant", "supply_temp", self.time)}),
            Ambient.model_validate({"dry_bulb_c": ambient.dry_bulb,
                                    "wet_bulb_c": min(ambient.wet_bulb, ambient.dry_bulb)}),
            hall.facility_heat, facility_flow, self.plant_failed)
        self.facility_temperature = self.plant.supply_temperature
        self.time += dt
        first = len(self.events)
        step_controls(self, dt, hall.loops, hall.room)
        new += [self.events[i] for i in range(first, len(self.events))]
        self.last = self._record(dt, power, hall)
        return Snapshot(self.time, self.timeline.duration, [r.id for r in self.layout.racks],
                        hall.room.inlet, self.last["rack_chip_temperature"], power,
                        self.last["rack_state"], float(power.sum()),
                        float(self.last["cooling_power"]), new)

    def _record(self, dt: float, power: np.ndarray, hall: HallStep) -> dict:
        values = collect(self, dt, power, hall)
        if self.writer is not None:
            self.writer.write_series(self.time, values)
            if self._written < len(self.events):
                self.writer.write_events([self.events[i] for i in
                                          range(self._written, len(self.events))])
                self._written = len(self.events)
            if self.air is not None and self.time >= self._next_frame - 1e-9:
                temperature, speed = self.air.frame()
                self.writer.write_frame(self.time, air_temperature=temperature, air_speed=speed)
                self._next_frame += self.options.field_interval
        return values

    def iter_run(self, until: float | None = None) -> Iterator[Snapshot]:
        """Advance step by step to ``until`` (default: the scenario's end), yielding
        a :class:`Snapshot` after each step."""
        end = self.timeline.duration if until is None else min(until, self.timeline.duration)
        while self.time < end - 1e-9:
            yield self.step(end)

    def run(self, until: float | None = None) -> Snapshot | None:
        """Run to ``until`` (default: the scenario's end); returns the last snapshot."""
        snapshot = None
        for snapshot in self.iter_run(until):  # noqa: B007 - the last one is the answer
            pass
        return snapshot
