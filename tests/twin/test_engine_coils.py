"""Rear doors and air units on a CDU's water: in the steady starting state, and in a run.

Where the air is not the point the engine runs without the air model (racks
breathe the air units' setpoint air), which costs a fraction of a second.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from twin.engine import EngineOptions, Simulation, default_scenario
from twin.files import parse_layout
from twin.liquid import steady_state
from twin.model.scenario import Scenario

LIQUID_ONLY = EngineOptions(air=False)


def run_rows(sim: Simulation) -> list[tuple[float, dict]]:
    """Every step's recorded values, with the time at its end."""
    return [(snapshot.time, dict(sim.last)) for snapshot in sim.iter_run()]


def balance(rows: list[tuple[float, dict]]) -> tuple[float, float]:
    """(IT energy, energy out through the facility water and walls plus what the
    coolant and chips stored) over a run's rows (J); no air model: no air store."""
    dt = np.diff([0.0] + [t for t, _ in rows])
    it = sum(r["it_power"] * d for (_, r), d in zip(rows, dt, strict=True))
    out = sum((r["facility_heat"] - r["wall_heat"]) * d for (_, r), d in zip(rows, dt, strict=True))
    last = rows[-1][1]
    return it, out + last["coolant_heat_stored"] + last["chip_heat_stored"]


@pytest.fixture
def hot_doors_pod(pod_document):
    """The pod with 20 kW rear doors: row A's on CDU-1's loop, row B's on facility
    water.  Row A's racks heat their air by 25 K (not 12), so their exhaust is
    ~49 degC and their doors take ~14 kW each from 35 degC TCS water: ~7 % of the
    CDU's load, enough to show as a transient if the start left it out."""
    document = copy.deepcopy(pod_document)
    for rack in document["racks"]:
        on_loop = rack["id"].startswith("A")
        rack["rear_door"] = {"capacity_kw": 20.0,
                             "water_source": "CDU-1" if on_loop else "facility"}
        if on_loop:
            rack["air_delta_t_k"] = 25.0
    return parse_layout(document, "pod-doors.json")


def test_a_run_with_doors_starts_in_its_steady_state(hot_doors_pod):
    layout = hot_doors_pod
    steady = steady_state(layout)
    loop = steady.loops[0]
    a_row = np.array([r.id.startswith("A") for r in layout.racks])
    cdu = loop.cdu["CDU-1"]
    # The doors on CDU-1 return their heat to its loop: the CDU takes it all.
    assert steady.door_heat[a_row].sum() > 0.05 * cdu["heat"]
    liquid = sum(r.capture * r.power for r in layout.racks)
    assert cdu["heat"] == pytest.approx(liquid + steady.door_heat[a_row].sum(), rel=1e-3)
    assert cdu["supply_temperature"] == pytest.approx(35.0, abs=0.05)
    sim = Simulation(layout, default_scenario(60.0), LIQUID_ONLY)
    rows = run_rows(sim)
    # The transport model carries the steady temperatures unchanged (what is left is
    # the PI valve's hold of the supply, ~0.01 K): a door takes ~1.4 kW per kelvin of
    # its water, so its heat stays within 1 % (~140 W) and the loop within 0.05 K,
    # where leaving the doors out of the start would move its return by ~0.5 K.
    for _, row in rows:
        assert row["rear_door_heat"] == pytest.approx(steady.door_heat, rel=0.01)
        assert row["cdu_supply_temperature"][0] == pytest.approx(cdu["supply_temperature"],
                                                                 abs=0.05)
        assert row["cdu_return_temperature"][0] == pytest.approx(
            loop.node_temperature("CDU-1-R"), abs=0.05)
        assert row["cdu_heat"][0] == pytest.approx(cdu["heat"], rel=0.01)
    it, out = balance(rows)
    assert out == pytest.approx(it, rel=1e-3)
    assert not sim.events  # nothing alarms


@pytest.fixture
def cdu_crah_pod(pod_document):
    """The pod with a second CRAH on the east wall whose coil is on CDU-1's TCS loop;
    CRAH-1 stays on facility water."""
    document = copy.deepcopy(pod_document)
    crah = copy.deepcopy(document["air_units"][0])
    crah.update(id="CRAH-2", x_m=10.7, supply="west", water_source="CDU-1")
    document["air_units"].append(crah)
    return parse_layout(document, "pod-cdu-crah.json")


def test_an_air_unit_on_a_cdu_gives_its_heat_to_that_cdu(cdu_crah_pod):
    layout = cdu_crah_pod
    steady = steady_state(layout)
    air_side = sum((1 - r.capture) * r.power for r in layout.racks)
    liquid = sum(r.capture * r.power for r in layout.racks)
    # Equal coils share the room's heat equally; CRAH-2's half goes to CDU-1.
    assert steady.air_unit_heat == pytest.approx([air_side / 2] * 2)
    cdu = steady.loops[0].cdu["CDU-1"]
    assert cdu["heat"] == pytest.approx(liquid + air_side / 2, rel=1e-3)
    assert cdu["supply_temperature"] == pytest.approx(35.0, abs=0.05)
    sim = Simulation(layout, default_scenario(300.0), LIQUID_ONLY)
    rows = run_rows(sim)
    last = rows[-1][1]
    for _, row in rows:  # it starts where the steady state is, and stays
        assert row["cdu_heat"][0] == pytest.approx(cdu["heat"], rel=0.01)
    # Rack heat = CDU + facility (CRAH-1) + walls, within 1 %; and exactly over the run.
    facility_units = last["air_unit_heat"][0]
    assert last["facility_heat"] == pytest.approx(last["cdu_heat"][0] + facility_units)
    assert last["it_power"] == pytest.approx(last["cdu_heat"][0] + facility_units
                                             - last["wall_heat"], rel=0.01)
    it, out = balance(rows)
    assert out == pytest.approx(it, rel=1e-3)


def test_a_failed_cdu_takes_the_cooling_of_its_air_unit(cdu_crah_pod):
    """CDU-1 fails at 10 s: CRAH-2, on its water, blows room air uncooled while
    CRAH-1, on facility water, holds its setpoint (coarse 0.5 m air grid)."""
    options = EngineOptions(air=True, air_spacing=0.5, spin_up=30.0, backend="numba")
    scenario = Scenario.model_validate({
        "format": "halltwin-scenario", "version": 1, "name": "CDU-1 lost", "duration_s": 40.0,
        "events": [{"action": "fail", "time_s": 10.0, "target": "CDU-1"}]})
    sim = Simulation(cdu_crah_pod, scenario, options)
    sim.run(9.0)
    before = dict(sim.last)
    assert before["air_unit_supply_temperature"] == pytest.approx([24.0, 24.0], abs=0.1)
    assert before["air_unit_heat"][1] > 50e3
    sim.run()
    after = dict(sim.last)
    assert after["air_unit_heat"][1] == pytest.approx(0.0, abs=1.0)  # no water, no cooling
    supply = after["air_unit_supply_temperature"]
    intake, _, _ = sim.air.air_unit_state()
    assert supply[1] > 26.0 and supply[1] == pytest.approx(intake[1], abs=0.1)
    assert supply[0] == pytest.approx(24.0, abs=0.1)  # CRAH-1 holds
    # CRAH-2's capacity alarm names the CDU's failure as its root cause.
    alarm = next(i for i, e in enumerate(sim.events) if e.kind == "air_capacity")
    assert sim.events[alarm].component == "CRAH-2"
    assert sim.events[sim.events.root(alarm)].component == "CDU-1"
    assert not [e for e in sim.events if e.kind == "air_capacity" and e.component == "CRAH-1"]
