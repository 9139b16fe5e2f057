"""The coupled engine on the example halls: balances, incidents, cascades, run files."""

from __future__ import annotations

import numpy as np
import pytest

from twin.controls import CoolantFlowAlarm
from twin.controls.rack import FLOW_ALARM_DELAY_S
from twin.engine import EngineOptions, Simulation, default_scenario
from twin.examples import layouts_dir
from twin.files import load_layout, load_scenario

LIQUID_ONLY = EngineOptions(air=False)


def scenario(name: str):
    return load_scenario(layouts_dir() / "scenarios" / f"{name}.json")


def hall(name: str):
    return load_layout(layouts_dir() / f"{name}.json")


def test_healthy_hour_holds_its_steady_state_and_balances_heat():
    layout = hall("pod-1mw")
    sim = Simulation(layout, default_scenario(3600.0), LIQUID_ONLY)
    first = sim.step()
    last = sim.run()
    assert len(sim.events) == 0  # nothing alarms in an hour of healthy operation
    assert last.time == pytest.approx(3600.0)
    assert np.allclose(last.rack_chip, first.rack_chip, atol=0.05)
    racks = layout.it_power
    taken = sim.last["cdu_heat"].sum() + sim.last["air_unit_heat"].sum()
    assert taken == pytest.approx(racks, rel=0.01)
    assert sim.last["cdu_supply_temperature"][0] == pytest.approx(35.0, abs=0.1)


def test_pump_trip_with_standby_causes_no_throttle():
    layout = hall("pod-1mw")
    sim = Simulation(layout, scenario("pod-1mw--pump-trip"), LIQUID_ONLY)
    sim.run()
    states = [(e.component, e.state) for e in sim.events]
    assert states == [("CDU-1-PA", "failed"), ("CDU-1-PB", "starting"), ("CDU-1-PB", "running")]
    delay = layout.cdus[0].pumps[1].start_delay
    assert sim.events[2].time == pytest.approx(60.0 + delay)  # lands exactly on its time
    assert sim.events[2].cause == 1 and sim.events[1].cause == 0
    assert all(int(s) == 0 for s in sim.last["rack_state"])


def test_no_standby_throttles_then_trips_every_rack_of_the_loop():
    sim = Simulation(hall("pod-1mw"), scenario("pod-1mw--pump-trip-no-standby"), LIQUID_ONLY)
    sim.run()
    failure = next(i for i, e in enumerate(sim.events) if e.component == "CDU-1-PA")
    throttles = [e for e in sim.events if e.state == "throttled"]
    trips = [i for i, e in enumerate(sim.events) if e.state == "tripped"]
    assert len(throttles) == 8 and len(trips) == 8
    for index in trips:
        assert 20.0 <= sim.events[index].time - sim.events[failure].time <= 120.0
        # The cascade is the physical chain: pump failed -> the CDU's no-pump alarm ->
        # the rack's coolant flow alarm -> its throttle -> its trip.
        chain = [sim.events[i] for i in sim.events.chain(index)]
        rack = sim.events[index].component
        assert [(e.component, e.kind, e.state) for e in chain] == [
            ("CDU-1-PA", "scenario", "failed"), ("CDU-1", "pumps", "alarm"),
            (rack, "coolant_flow", "alarm"), (rack, "chip_temperature", "throttled"),
            (rack, "chip_temperature", "tripped")]
        assert chain[2].value < chain[2].limit  # the flow really was below its limit
    assert sim.last["rack_power"].sum() == 0.0


def test_one_cdu_lost_with_n_plus_1_trips_nothing():
    sim = Simulation(hall("rows-3mw"), scenario("rows-3mw--cdu-loss"), LIQUID_ONLY)
    sim.run()
    assert not [e for e in sim.events if e.state in ("throttled", "tripped")]
    assert sim.last["rack_chip_temperature"].max() < 80.0


def test_leak_is_isolated_and_only_its_racks_trip():
    layout = hall("rows-3mw")
    sim = Simulation(layout, scenario("rows-3mw--manifold-leak"), LIQUID_ONLY)
    sim.run()
    closed = {e.component for e in sim.events if e.kind == "isolation"}
    assert closed == {"ROWA-VS1", "ROWA-VR1"}
    tripped = {e.component for e in sim.events if e.state == "tripped"}
    assert tripped == {r.id for r in layout.racks if r.id.startswith("A")}
    # The CDUs' supply-temperature loops ride the disturbance without chattering.
    assert len([e for e in sim.events if e.kind == "supply_temperature"]) <= 2
    leak = next(i for i, e in enumerate(sim.events) if e.component == "LEAK-A")
    for i, e in enumerate(sim.events):
        if e.state == "tripped":
            assert sim.events.root(i) == leak


@pytest.mark.parametrize("path", sorted((layouts_dir() / "scenarios").glob("*.json")),
                         ids=lambda p: p.stem)
def test_every_example_scenario_runs_to_the_end(path):
    layout = hall(path.name.split("--")[0])
    sim = Simulation(layout, load_scenario(path), LIQUID_ONLY)
    last = sim.run()
    assert last.time == pytest.approx(sim.scenario.duration)
    assert np.all(np.isfinite(sim.last["cdu_heat"]))


def test_air_coupled_run_breathes_the_room():
    """A short run with the air model: racks draw room air, the CRAH cools it."""
    layout = hall("pod-1mw")
    sim = Simulation(layout, default_scenario(4.0),
                     EngineOptions(air=True, air_spacing=0.5, spin_up=2.0, backend="numba"))
    last = sim.run()
    assert last.time == pytest.approx(4.0)
    assert np.all(np.isfinite(last.rack_inlet)) and np.all(last.rack_inlet > 15.0)
    assert sim.last["air_unit_heat"][0] > 0.0
    assert float(np.abs(sim.air.solver.divergence()).max()) < 1e-3
    # What a run records of the air is the solver's fields, in float32.
    temperature, speed = sim.air.frame()
    assert temperature.dtype == speed.dtype == np.float32
    np.testing.assert_array_equal(temperature, sim.air.solver.temperature().astype(np.float32))
    np.testing.assert_allclose(speed, sim.air.solver.speed(), rtol=1e-6, atol=1e-7)


def test_rack_flow_alarm_rides_a_changeover_and_clears_past_its_band():
    rack = hall("pod-1mw").racks[0]
    alarm = CoolantFlowAlarm(rack)
    design = rack.design_flow
    # A standby's few seconds without flow raise nothing ...
    assert [alarm.step(t, 0.0) for t in (1.0, 5.0, 10.0)] == [None] * 3
    assert alarm.step(11.0, design) is None
    # ... a flow that stays low does, once it has lasted the delay.
    assert alarm.step(20.0, 0.2 * design) is None
    raised = alarm.step(20.0 + FLOW_ALARM_DELAY_S, 0.2 * design, 7)
    assert (raised.state, raised.value, raised.limit, raised.cause) == ("alarm", 0.2, 0.5, 7)
    assert alarm.step(40.0, 0.55 * design) is None  # inside the band: still low
    cleared = alarm.step(41.0, 0.65 * design)
    assert cleared.state == "ok" and alarm.raised is None
