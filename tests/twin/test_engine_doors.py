"""Rear-door heat exchangers in the engine: the coil's law, and where their heat goes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from twin.engine import EngineOptions, Simulation, default_scenario
from twin.examples import layouts_dir
from twin.files import load_scenario, parse_layout
from twin.liquid.coils import RATED_ETD_K, RATED_WATER_RISE_K, RearDoors
from twin.model.equipment import AIR_CP, AIR_DENSITY

DOOR_KW = 20.0


@pytest.fixture
def doors_pod(pod_document):
    """The pod with 20 kW rear doors: row A's on CDU-1's loop, row B's on facility water."""
    document = copy.deepcopy(pod_document)
    for rack in document["racks"]:
        source = "CDU-1" if rack["id"].startswith("A") else "facility"
        rack["rear_door"] = {"capacity_kw": DOOR_KW, "water_source": source}
    return parse_layout(document, "pod-doors.json")


def counterflow_effectiveness(ntu: float, ratio: float) -> float:
    """Textbook counterflow epsilon(NTU, C_min/C_max) (Incropera, table 11.3)."""
    if abs(1.0 - ratio) < 1e-9:
        return ntu / (1.0 + ntu)
    e = np.exp(-ntu * (1.0 - ratio))
    return (1.0 - e) / (1.0 - ratio * e)


def test_a_door_takes_its_rating_and_follows_the_coil_law(doors_pod):
    doors = RearDoors(doors_pod)
    rack = doors_pod.racks[0]
    n = len(doors_pod.racks)
    fans = np.full(n, rack.air_flow)
    air_side = np.full(n, (1 - rack.capture) * rack.power)
    air_rate = AIR_DENSITY * AIR_CP * rack.air_flow

    def heat(etd, share=1.0, fans=fans):
        exhaust = 24.0 + air_side / air_rate  # the air leaving the rack, before its door
        water = {"facility": float(exhaust[0] - etd), "CDU-1": float(exhaust[0] - etd)}
        return doors.heat(np.full(n, 24.0), air_side, fans, water,
                          {"facility": share, "CDU-1": share})[0]

    capacity = DOOR_KW * 1e3
    assert heat(RATED_ETD_K) == pytest.approx(capacity)  # its rating, at its rating
    assert heat(RATED_ETD_K / 2) == pytest.approx(capacity / 2)  # linear in the difference
    assert heat(3 * RATED_ETD_K) == pytest.approx(capacity)  # never above its capacity
    assert heat(-5.0) == pytest.approx(-capacity / 4)  # warmer water heats the air
    # Half the water: the coil's epsilon-NTU law at the new capacity ratio.
    water_rate = 0.5 * capacity / RATED_WATER_RISE_K
    c_min, c_max = min(air_rate, water_rate), max(air_rate, water_rate)
    expected = counterflow_effectiveness(doors.ua[0] / c_min, c_min / c_max) * c_min
    assert heat(RATED_ETD_K, 0.5) == pytest.approx(expected * RATED_ETD_K)
    assert heat(RATED_ETD_K, 0.0) == 0.0  # no water, no heat
    assert heat(RATED_ETD_K, fans=np.zeros(n)) == 0.0  # fans stopped: no air through it


def test_door_heat_goes_to_its_water_and_the_hall_balances(doors_pod):
    sim = Simulation(doors_pod, default_scenario(600.0), EngineOptions(air=False))
    rows = [(snapshot.time, dict(sim.last)) for snapshot in sim.iter_run()]
    last = rows[-1][1]
    doors = last["rear_door_heat"]
    a_row = np.array([r.id.startswith("A") for r in doors_pod.racks])
    # Every door cools its rack's exhaust (36 degC without the air model); row B's
    # 30 degC facility water takes more than row A's 35 degC coolant.
    assert np.all(doors[a_row] > 0.0) and np.all(doors[~a_row] > doors[a_row].max())
    air_side = np.array([(1 - r.capture) * r.power for r in doors_pod.racks])
    # Each rack's air-side heat is what its door took plus what reached the room.
    assert last["rack_air_heat"] + doors == pytest.approx(air_side + last["rack_spill_heat"])
    assert last["air_unit_heat"].sum() == pytest.approx(last["rack_air_heat"].sum())
    # Row A's doors heat CDU-1's coolant, which the CDU takes out; row B's go to the plant.
    liquid = sum(r.capture * r.power for r in doors_pod.racks)
    assert last["cdu_heat"].sum() == pytest.approx(liquid + doors[a_row].sum(), rel=0.01)
    assert last["facility_heat"] == pytest.approx(last["cdu_heat"].sum()
                                                  + last["air_unit_heat"].sum()
                                                  + doors[~a_row].sum())
    # The whole hall over the run: IT energy = facility water's + the stores' gain.
    dt = np.diff([0.0] + [t for t, _ in rows])
    it = sum(r["it_power"] * d for (_, r), d in zip(rows, dt, strict=True))
    out = sum(r["facility_heat"] * d for (_, r), d in zip(rows, dt, strict=True))
    stored = last["coolant_heat_stored"] + last["chip_heat_stored"]  # gained since t = 0
    assert out + stored == pytest.approx(it, rel=1e-3)


def test_losing_the_doors_water_puts_their_heat_back_into_the_room(doors_pod):
    """Pump trip without standby: row A's doors (on CDU-1's loop) lose their water."""
    options = EngineOptions(air=True, air_spacing=0.5, spin_up=60.0, backend="numba")
    scenario = load_scenario(layouts_dir() / "scenarios" / "pod-1mw--pump-trip-no-standby.json")
    sim = Simulation(doors_pod, scenario, options)
    sim.run(55.0)
    before = dict(sim.last)
    sim.run(90.0)  # before the racks throttle
    after = dict(sim.last)
    a_row = np.array([r.id.startswith("A") for r in doors_pod.racks])
    assert np.all(before["rear_door_heat"] > 1e3)
    assert np.all(after["rear_door_heat"][a_row] == 0.0)  # no loop flow, no door water
    assert np.all(after["rear_door_heat"][~a_row] > 1e3)  # facility water still flows
    # What the room gets from each rack: its air-side heat and spill, less its door's.
    air_side = np.array([(1 - r.capture) * r.power for r in doors_pod.racks])
    for row in (before, after):
        expected = air_side + row["rack_spill_heat"] - row["rear_door_heat"]
        assert row["rack_air_heat"] == pytest.approx(expected, rel=1e-3)
    gained = after["rack_air_heat"][a_row] - before["rack_air_heat"][a_row]
    assert np.all(gained > before["rear_door_heat"][a_row])  # the door's heat, and spill
