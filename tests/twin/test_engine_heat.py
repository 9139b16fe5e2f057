"""Where the hall's heat goes: chips that spill into the air, and the whole hall's balance.

The air runs use the pod at 0.5 m cells (24 x 18 x 9), which is coarse but
carries every heat path of the fine grid.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.engine import EngineOptions, Simulation, default_scenario
from twin.engine.recording import open_run_file
from twin.examples import layouts_dir
from twin.files import load_layout, load_scenario
from twin.liquid.chips import CHIP_AIR_EFFECTIVENESS, ChipThermal
from twin.model.equipment import AIR_CP, AIR_DENSITY
from twin.runs import RunReader

COARSE_AIR = EngineOptions(air=True, air_spacing=0.5, spin_up=60.0, backend="numba")


def window_balance(series: dict, start: float, end: float) -> dict[str, float]:
    """Energies (J) over (start, end] of a run's series: IT, facility minus walls,
    the room's terms, and the change of each store (``start`` on a row's time)."""
    time = series["time"]
    assert start >= time[0]  # the stores need a row at the window's start
    inside = (time > start + 1e-9) & (time <= end + 1e-9)
    dt = np.diff(time)[inside[1:]]  # a row's heats are means over the step ending there
    first, last = np.flatnonzero(inside)[[0, -1]]
    before = first - 1

    def change(name):
        return series[name][last] - series[name][before]

    return {
        "it": float(np.sum(series["it_power"][inside] * dt)),
        "out": float(np.sum((series["facility_heat"] - series["wall_heat"])[inside] * dt)),
        "stored": change("air_heat_content") + change("coolant_heat_stored")
        + change("chip_heat_stored"),
        "room_in": float(np.sum((series["rack_air_heat"].sum(axis=1) + series["wall_heat"])
                                [inside] * dt)),
        "room_out": float(np.sum(series["air_unit_heat"].sum(axis=1)[inside] * dt)),
        "air_stored": change("air_heat_content"),
    }


def read_series(path, names) -> dict[str, np.ndarray]:
    with RunReader(path) as run:
        found = {name: run.series(name)[1] for name in names}
        found["time"] = run.series_times
    return found


BALANCE = ("it_power", "facility_heat", "wall_heat", "air_heat_content", "coolant_heat_stored",
           "chip_heat_stored", "rack_air_heat", "air_unit_heat", "rack_spill_heat",
           "rack_power", "cdu_heat")


def test_chips_above_their_design_temperature_spill_heat_exactly(pod):
    rack = pod.racks[0]
    chips = ChipThermal([rack], initial_temperature=50.0, reference_temperature=60.0)
    power = np.array([rack.capture * rack.power])
    fans = np.array([rack.air_flow])
    g = CHIP_AIR_EFFECTIVENESS * AIR_DENSITY * AIR_CP * rack.air_flow
    c = rack.chip.heat_capacity
    # No coolant flow: T climbs at P/C to the reference, then relaxes towards ref + P/g.
    reach = 10.0 * c / power[0]
    for dt in (0.5 * reach, reach + 30.0, reach + 400.0):
        chips.temperature[:] = 50.0
        absorbed = chips.step(dt, power, np.array([35.0]), np.array([0.0]), fans)
        after = dt - reach
        if after <= 0:
            exact, spilled = 50.0 + power[0] * dt / c, 0.0
        else:
            decay = np.exp(-g * after / c)
            exact = 60.0 + power[0] / g * (1.0 - decay)
            spilled = (power[0] * after - power[0] * c / g * (1.0 - decay)) / dt
        assert chips.temperature[0] == pytest.approx(exact, rel=1e-9)
        assert chips.spilled[0] == pytest.approx(spilled, rel=1e-9, abs=1e-6)
        assert absorbed[0] == pytest.approx(0.0, abs=1e-6)  # no flow, nothing to the coolant
    # With design flow and the chips below the reference nothing spills.
    chips.temperature[:] = 50.0
    chips.step(5.0, power, np.array([20.0]), np.array([rack.design_flow]), fans)
    assert chips.spilled[0] == 0.0


def test_whole_hall_heat_balance_with_air_read_back_from_the_run_file(pod, tmp_path):
    """At steady state the racks' heat leaves through the CDUs, air units and walls."""
    sim = Simulation(pod, default_scenario(300.0), COARSE_AIR)
    sim.writer = open_run_file(sim, tmp_path / "steady.h5", ["test"])
    sim.run()
    sim.writer.close("complete")
    series = read_series(tmp_path / "steady.h5", BALANCE)
    late = window_balance(series, 150.0, 300.0)
    # Steady: what the racks make leaves the hall within 1 % (DESIGN §3.1, issue 5).
    assert late["out"] == pytest.approx(late["it"], rel=0.01)
    assert abs(late["stored"]) < 0.01 * late["it"]
    # Every step's heat is counted: with the stores' changes the balance closes
    # from the start, while the room is still warming up.
    early = window_balance(series, 1.0, 150.0)
    assert early["air_stored"] > 0.01 * early["room_in"]  # not yet steady
    assert early["out"] + early["stored"] == pytest.approx(early["it"], rel=1e-3)
    # The room alone: racks and walls in, air units out, the air's store between.
    assert early["room_out"] + early["air_stored"] == pytest.approx(early["room_in"], rel=1e-2)
    liquid = sum(r.capture * r.power for r in sim.layout.racks)
    assert series["cdu_heat"][-1].sum() == pytest.approx(liquid, rel=0.01)


def test_rack_losing_its_coolant_spills_heat_into_the_room(pod):
    """Pump trip without standby: the chips heat, pass more heat to the rack's air,
    and the room warms more than in the healthy hall; the balance still closes."""
    end = 95.0  # the racks throttle at ~100 s
    healthy = Simulation(pod, default_scenario(end), COARSE_AIR)
    healthy.run()
    sim = Simulation(pod, load_scenario(layouts_dir() / "scenarios"
                                          / "pod-1mw--pump-trip-no-standby.json"), COARSE_AIR)
    rows = []
    for snapshot in sim.iter_run(end):
        rows.append((snapshot.time, dict(sim.last)))
    series = {name: np.array([row[name] for _, row in rows]) for name in BALANCE}
    series["time"] = np.array([t for t, _ in rows])
    before = series["time"] <= 60.0
    spill = series["rack_spill_heat"]
    assert np.all(spill[-1] > 1e3)  # ~20 K hotter, the chips spill kW into their air
    # Healthy chips stay at their design temperature: next to nothing spills.
    assert np.all(np.abs(spill[before]) < 1e-3 * spill[-1].min())
    air_side = np.array([(1 - r.capture) * r.power for r in sim.layout.racks])
    # What each rack put into the room is its air-side heat plus what spilled.
    assert series["rack_air_heat"][-1] == pytest.approx(air_side + spill[-1], rel=1e-3)
    assert np.all(series["rack_air_heat"][-1] > series["rack_air_heat"][before][-1] + 1e3)
    assert sim.air.solver.heat_content() > healthy.air.solver.heat_content()
    assert sim.last["air_unit_heat"].sum() > healthy.last["air_unit_heat"].sum()
    whole = window_balance(series, 1.0, end)
    assert whole["out"] + whole["stored"] == pytest.approx(whole["it"], rel=1e-3)


def test_healthy_hour_with_the_air_model_raises_no_alarm():
    """pod-1mw, no fault, one simulated hour with the room air on 0.5 m cells: no event at all."""
    layout = load_layout(layouts_dir() / "pod-1mw.json")
    sim = Simulation(layout, default_scenario(3600.0),
                     EngineOptions(air=True, air_spacing=0.5, backend="numba"))
    last = sim.run()
    assert last.time == pytest.approx(3600.0)
    assert [(e.time, e.component, e.state) for e in sim.events] == []
    assert np.all(np.isfinite(last.rack_inlet)) and np.all(np.isfinite(last.rack_chip))
