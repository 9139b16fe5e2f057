"""The room without the air model: one well-mixed node of air (``twin.engine.room``).

The pod's node, worked out by hand: the hall 12 x 9 x 4.5 m less eight racks
(0.6 x 1.2 x 2.3 m), the CDU (0.8 x 1.2 x 2.3 m) and the CRAH (3.0 x 1.0 x
2.2 m) is 463.944 m^3 of air, ``rho cp V`` = 1.19 x 1006 x 463.944 J/K.  Its
racks put 8 x (1 - 0.8) x 120 kW = 192 kW into the air; the CRAH holds 24 degC
with 250 kW of coil on 15 m^3/s.  The node is adiabatic (no wall term).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from twin.controls.air import AIR_ALARM_K
from twin.engine import EngineOptions, Simulation, default_scenario
from twin.files import parse_layout
from twin.liquid import steady_state
from twin.model.equipment import AIR_CP, AIR_DENSITY
from twin.model.scenario import Scenario

LIQUID_ONLY = EngineOptions(air=False)
POD_AIR_VOLUME = 12 * 9 * 4.5 - 8 * 0.6 * 1.2 * 2.3 - 0.8 * 1.2 * 2.3 - 3.0 * 1.0 * 2.2  # m^3
POD_AIR_HEAT = 8 * 0.2 * 120e3  # W the racks put into the air
SETPOINT = 24.0  # degC, the CRAH's


def scenario(duration: float, *events: dict) -> Scenario:
    return Scenario.model_validate({"format": "halltwin-scenario", "version": 1,
                                    "name": "stand-in", "duration_s": duration,
                                    "events": list(events)})


def run_rows(sim: Simulation) -> tuple[np.ndarray, list[dict]]:
    """Each step's end time and recorded values."""
    rows = [(snapshot.time, dict(sim.last)) for snapshot in sim.iter_run()]
    return np.array([t for t, _ in rows]), [r for _, r in rows]


def heat_balance(sim: Simulation, times: np.ndarray, rows: list[dict],
                 air_at_start: float) -> tuple[float, float]:
    """(IT energy, what left through the facility water and walls plus what the
    room air, coolant and chips stored) since t = 0 (J)."""
    dt = np.diff(np.concatenate([[0.0], times]))
    it = sum(r["it_power"] * d for r, d in zip(rows, dt, strict=True))
    out = sum((r["facility_heat"] - r["wall_heat"]) * d for r, d in zip(rows, dt, strict=True))
    last = rows[-1]
    stored = last["air_heat_content"] - air_at_start + last["coolant_heat_stored"] \
        + last["chip_heat_stored"]
    return it, out + stored


def test_the_node_is_the_halls_air_less_its_equipment(pod):
    sim = Simulation(pod, default_scenario(1.0), LIQUID_ONLY)
    assert sim.room.heat_capacity == pytest.approx(AIR_DENSITY * AIR_CP * POD_AIR_VOLUME,
                                                   rel=1e-12)
    assert sim.room.temperature == SETPOINT
    assert sim.room.heat_content == pytest.approx(sim.room.heat_capacity * SETPOINT, rel=1e-15)
    assert sum((1 - r.capture) * r.power for r in pod.racks) == pytest.approx(POD_AIR_HEAT)


def test_with_every_air_unit_failed_the_room_takes_all_the_racks_air_heat(pod):
    """CRAH-1 fails at 10 s: from then the node warms by the racks' air heat over
    rho cp V, and the hall's heat balance still closes (to round-off)."""
    failure = 10.0
    sim = Simulation(pod, scenario(120.0, {"action": "fail", "time_s": failure,
                                           "target": "CRAH-1"}), LIQUID_ONLY)
    capacity = sim.room.heat_capacity
    air_at_start = sim.room.heat_content
    times, rows = run_rows(sim)
    dt = np.diff(np.concatenate([[0.0], times]))
    rack_air = np.array([r["rack_air_heat"].sum() for r in rows])
    spill = np.array([r["rack_spill_heat"].sum() for r in rows])
    inlet = np.array([r["rack_inlet_temperature"] for r in rows])
    assert np.all(inlet == inlet[:, :1])  # one node: every rack breathes the same air
    room = inlet[:, 0]
    before = times <= failure + 1e-9
    assert np.all(room[before] == SETPOINT)
    # From the failure on nothing leaves the room air: the node warms by the racks' heat.
    for k in np.flatnonzero(~before):
        span = ~before & (times <= times[k] + 1e-9)
        gained = float(np.sum(rack_air[span] * dt[span]))
        assert room[k] == pytest.approx(SETPOINT + gained / capacity, rel=1e-13)
        # ... which is their nominal air-side heat plus what their chips spilled
        # (under a watt per rack: the coolant is healthy).
        elapsed = times[k] - failure
        spilled = float(np.sum(spill[span] * dt[span]))
        assert room[k] == pytest.approx(
            SETPOINT + (POD_AIR_HEAT * elapsed + spilled) / (AIR_DENSITY * AIR_CP * POD_AIR_VOLUME),
            rel=1e-12)
        assert rows[k]["air_unit_heat"][0] == 0.0
        assert rows[k]["air_unit_supply_temperature"][0] == room[k]  # stopped: intake passes
        assert rows[k]["air_heat_content"] == pytest.approx(capacity * room[k], rel=1e-15)
    assert room[-1] - SETPOINT == pytest.approx(
        POD_AIR_HEAT * (times[-1] - failure) / capacity, rel=1e-4)  # ~38 K in 110 s
    assert all(r["wall_heat"] == 0.0 for r in rows)  # adiabatic node
    it, out = heat_balance(sim, times, rows, air_at_start)
    assert out == pytest.approx(it, rel=1e-9)
    alarm = [e for e in sim.events if e.kind == "air_capacity"]
    assert [(e.component, e.state) for e in alarm] == [("CRAH-1", "alarm")]


@pytest.fixture
def two_crah_pod(pod_document):
    """The pod with a second, 150 kW CRAH on facility water on the east wall."""
    document = copy.deepcopy(pod_document)
    crah = copy.deepcopy(document["air_units"][0])
    crah.update(id="CRAH-2", x_m=10.7, supply="west", capacity_kw=150.0)
    document["air_units"].append(crah)
    return parse_layout(document, "pod-two-crahs.json")


def test_with_enough_capacity_the_room_stays_at_the_setpoint(two_crah_pod):
    """Healthy: the node holds the setpoint to the bit, the units share the racks'
    air heat by capacity (250 : 150 kW) and the hall's heat leaves by the water."""
    sim = Simulation(two_crah_pod, default_scenario(300.0), LIQUID_ONLY)
    air_at_start = sim.room.heat_content
    times, rows = run_rows(sim)
    for row in rows:
        assert np.all(row["rack_inlet_temperature"] == SETPOINT)
        rack_air = row["rack_air_heat"].sum()
        assert row["air_unit_heat"] == pytest.approx([rack_air * 250 / 400,
                                                      rack_air * 150 / 400], rel=1e-14)
        assert np.all(row["air_unit_supply_temperature"] == SETPOINT)
        assert row["air_heat_content"] == air_at_start
        # The racks' nominal air-side heat and what their chips spilled (a few W).
        assert row["air_unit_heat"].sum() == pytest.approx(
            POD_AIR_HEAT + row["rack_spill_heat"].sum(), rel=1e-14)
    it, out = heat_balance(sim, times, rows, air_at_start)
    assert out == pytest.approx(it, rel=1e-9)
    assert not sim.events


@pytest.mark.parametrize(("change", "unit_capacity", "unit_flow"), [
    ("layout", 150e3, 15.0),  # a 150 kW CRAH
    ("half failed", 125e3, 7.5),  # the 250 kW CRAH loses half its fans and coil at t = 0
], ids=["small-crah", "half-failed-crah"])
def test_short_of_capacity_the_room_warms_by_what_the_units_cannot_take(
        pod_document, change, unit_capacity, unit_flow):
    document = copy.deepcopy(pod_document)
    events = []
    if change == "layout":
        document["air_units"][0]["capacity_kw"] = unit_capacity / 1e3
    else:
        events.append({"action": "fail", "time_s": 0.0, "target": "CRAH-1", "fraction": 0.5})
    sim = Simulation(parse_layout(document, "pod.json"), scenario(200.0, *events), LIQUID_ONLY)
    capacity = AIR_DENSITY * AIR_CP * POD_AIR_VOLUME
    air_at_start = sim.room.heat_content
    times, rows = run_rows(sim)
    dt = np.diff(np.concatenate([[0.0], times]))
    room = np.array([r["rack_inlet_temperature"][0] for r in rows])
    short = np.array([r["rack_air_heat"].sum() for r in rows]) - unit_capacity
    # Every step the unit gives all it has, and the rest warms the node.
    assert all(r["air_unit_heat"][0] == pytest.approx(unit_capacity, rel=1e-15) for r in rows)
    assert room == pytest.approx(SETPOINT + np.cumsum(short * dt) / capacity, rel=1e-13)
    # (192 - 150) kW or (192 - 125) kW, and the chips' few watts of spill, over
    # 555 kJ/K: 0.076 or 0.12 K/s.
    spill = np.array([r["rack_spill_heat"].sum() for r in rows])
    assert np.diff(room) / np.diff(times) == pytest.approx(
        (POD_AIR_HEAT + spill[1:] - unit_capacity) / capacity, rel=1e-9)
    # Its supply: the room air less what it took over its air flow, not below 24 degC.
    cooled = room - unit_capacity / (AIR_DENSITY * AIR_CP * unit_flow)
    supply = np.array([r["air_unit_supply_temperature"][0] for r in rows])
    assert supply == pytest.approx(np.maximum(cooled, SETPOINT), rel=1e-14)
    assert cooled[0] < SETPOINT < cooled[-1]
    # Its capacity alarm rises in the step its supply first runs 1 K over the setpoint.
    [alarm] = [e for e in sim.events if e.kind == "air_capacity"]
    assert alarm.time == times[np.argmax(supply > SETPOINT + AIR_ALARM_K)]
    it, out = heat_balance(sim, times, rows, air_at_start)
    assert out == pytest.approx(it, rel=1e-9)


def test_the_steady_start_gives_the_units_no_more_than_their_capacity(pod_document):
    """Short of capacity there is no steady room: the start books the units their
    capacity, as the node's first step does, not the racks' whole air heat."""
    document = copy.deepcopy(pod_document)
    document["air_units"][0]["capacity_kw"] = 150.0
    sim = Simulation(parse_layout(document, "pod.json"), scenario(1.0), LIQUID_ONLY)
    start = steady_state(sim.layout, loops=sim.loops)
    assert start.air_unit_heat == pytest.approx([150e3], rel=1e-15)
    times, rows = run_rows(sim)
    assert rows[0]["air_unit_heat"] == pytest.approx(start.air_unit_heat, rel=1e-15)
