"""The controls' half of a network step: what they see, what they do, and whom they blame.

After a step the controls see its measurements: each CDU's pumps follow its
differential pressure, its primary valve its supply temperature, the tanks
their level (with leak isolation and the low-level pump trip), each rack's
coolant-flow alarm its flow and its protection its chips, and each air unit
its intake.  Causes follow the physics of a cascade: a CDU whose pumps all
stop raises its no-pump alarm (noted on its loop by
:meth:`~twin.engine.Simulation.log`); a rack whose flow then stays low
raises its flow alarm, caused by that; its chips heat and the throttle names
the flow alarm, and the trip the throttle.  An air unit on a CDU's water
judges its supply with the capacity its coil has with that water, and its
alarm names what last changed that CDU's loop or the room.  A rack whose flow is fine names
whatever last changed its loop, the room, the plant or the load (a hot
supply after a CDU was lost, say).
"""

from __future__ import annotations

import numpy as np

from twin.engine.liquid import LoopStep
from twin.engine.room import RoomStep
from twin.liquid.coils import FACILITY
from twin.liquid.loops import NO_FLOW


def step_controls(sim, dt: float, steps: list[LoopStep], room: RoomStep) -> None:
    """Advance every control of ``sim`` (a :class:`~twin.engine.Simulation`) by ``dt``
    seconds on the step's measurements, logging their events with their causes."""
    t = sim.time
    for n, (dyn, step) in enumerate(zip(sim.dynamics, steps, strict=True)):
        _loop_controls(sim, n, dyn, step, dt)
    flows = sim.per_rack(steps, "rack_flow")
    chips = sim.per_rack(steps, "chip_temperature")
    for i, rack in enumerate(sim.layout.racks):
        scope = f"loop:{sim.rack_loop[rack.id]}"
        monitor = sim.flow_alarms[i]
        if np.isfinite(flows[i]):  # a rack on no loop has no flow to watch
            event = monitor.step(t, float(flows[i]), sim.causes.cause(scope))
            if event is not None:
                sim.log(event)
        cause = monitor.raised if monitor.raised is not None else \
            sim.causes.cause(scope, "room", "plant", "load")
        for event in sim.rack_protection[i].step(t, float(chips[i]), cause).events:
            sim.log(event)
    for unit, temperature, coil in zip(sim.layout.air_units, room.air_unit_intake,
                                       sim.room.coil_capacity, strict=True):
        control = sim.air_controls[unit.id]
        # The unit judges its supply with what its coil can take with its water
        # now: a unit on a CDU's water loses it with the CDU's flow.
        control.capacity = float(coil)
        scopes = ["room"] if unit.water_source == FACILITY else \
            [f"loop:{sim.loop_of(unit.water_source)}", "room"]
        out = control.step(t, float(temperature), sim.causes.cause(*scopes))
        for event in out.events:
            sim.causes.note("room", sim.log(event), t)


def _loop_controls(sim, n: int, dyn, step: LoopStep, dt: float) -> None:
    """Pump speed and primary valves of a loop's CDUs, and its tank and leak detection."""
    t, scope = sim.time, f"loop:{n}"
    for i, cdu in enumerate(dyn.loop.cdus):
        sim.dp_controls[cdu.id].step(dt, float(step.cdu_dp[i]))
        if cdu.id in sim.failed_cdus or step.cdu_flow[i] <= NO_FLOW:
            continue  # nothing leaves its exchanger: no supply temperature to hold
        out = sim.temperature_controls[cdu.id].step(t, dt, float(step.cdu_supply[i]),
                                                    sim.causes.cause(scope, "plant"))
        for event in out.events:
            sim.causes.note(scope, sim.log(event), t)
    if n not in sim.tanks:
        return
    level = sim.tanks[n].drain(dt, step.leak_flow)
    wet = [leak for leak, c in sim.leaks.items() if c > 0 and sim.loop_of(leak) == n]
    response = sim.leak_detectors[n].step(t, level, wet, sim.causes.cause(scope))
    for event in response.events:
        sim.causes.note(scope, sim.log(event), t)
    for valve in response.close:
        sim.set_valve(valve, False)
    if response.trip is not None:
        for cdu in dyn.loop.cdus:
            for event in sim.pump_groups[cdu.id].trip(t, response.trip,
                                                      "expansion tank low level"):
                sim.log(event)
