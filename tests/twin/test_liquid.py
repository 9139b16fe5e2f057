"""The twin's liquid side: loops from layouts, steady state, plant, and `halltwin check`."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest

from solvers.network import HeatExchanger, HeatTransport, counterflow_effectiveness
from twin.cli import main
from twin.examples import layouts_dir
from twin.files import load_layout, parse_layout
from twin.liquid import build_loops, steady_state
from twin.liquid.design_check import design_check
from twin.liquid.loops import design_ua, pump_design_flow
from twin.liquid.plant import LATENT_HEAT, WATER_RHO_CP, plant_state
from twin.liquid.steady import pump_efficiency
from twin.model.plant import Ambient

from .conftest import EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_cdus_reject_exactly_the_heat_the_racks_make(path):
    layout = load_layout(path)
    state = steady_state(layout)
    for loop in state.loops:
        racks = sum(r.capture * r.power for r in loop.loop.racks)
        cdus = sum(c["heat"] for c in loop.cdu.values())
        assert loop.hydraulics.converged
        assert cdus == pytest.approx(racks, rel=5e-3)
        for cdu in loop.loop.cdus:  # the primary valve holds the TCS setpoint
            assert loop.cdu[cdu.id]["supply_temperature"] == pytest.approx(cdu.supply_temp,
                                                                           abs=0.05)


def test_steady_solve_agrees_with_time_marching(pod):
    """The direct steady solve and the transport model run to steady state agree."""
    state = steady_state(pod)
    loop = state.loops[0]
    net, cdu = loop.loop.network, pod.cdus[0]
    heat = {r.id: r.capture * r.power for r in pod.racks}
    hx = HeatExchanger(loop.loop.hx_link[cdu.id], loop.loop.hx_ua[cdu.id],
                       loop.cdu[cdu.id]["facility_temperature"], loop.cdu[cdu.id]["primary_flow"])
    transport = HeatTransport(net, initial_temperature=35.0)
    for _ in range(400):
        step = transport.step(loop.hydraulics, 20.0, link_heat=heat, exchangers=[hx])
    for rack in pod.racks:
        marched = step.node_temperature[net.node_index[rack.return_]]
        assert marched == pytest.approx(loop.node_temperature(rack.return_), abs=0.02)
    assert step.exchanger_heat[0] == pytest.approx(768e3, rel=1e-3)


def test_design_ua_gives_the_design_approach_at_capacity(pod):
    cdu = pod.cdus[0]
    rho_cp = 1010.0 * 4010.0  # PG25 at 35 degC
    ua = design_ua(cdu, rho_cp)
    c_hot = rho_cp * pump_design_flow(cdu.pumps[0])
    c_cold = 4.18e6 * cdu.facility_flow  # as design_ua takes water at 25 degC, to 0.1 %
    c_min, c_max = min(c_hot, c_cold), max(c_hot, c_cold)
    # At capacity: hot in = cold in + approach + Q/C_hot; epsilon-NTU gives Q back.
    inlet_difference = cdu.heat_exchanger.design_approach + cdu.capacity / c_hot
    q = counterflow_effectiveness(ua / c_min, c_min / c_max) * c_min * inlet_difference
    assert q == pytest.approx(cdu.capacity, rel=2e-3)


def test_infeasible_design_is_caught(pod_document):
    document = copy.deepcopy(pod_document)
    document["cdus"][0]["facility_flow_lpm"] = 300.0  # cannot carry 1,368 kW at 4 K approach
    with pytest.raises(ValueError, match=r"CDU-1.*facility_flow_lpm"):
        build_loops(parse_layout(document))


def test_pumps_hold_the_dp_setpoint(pod):
    loop = steady_state(pod).loops[0]
    cdu = pod.cdus[0]
    nodes = loop.hydraulics
    dp = nodes.node(cdu.supply)["pressure"] - nodes.node(cdu.return_)["pressure"]
    assert 0.3 < loop.speed < 1.0
    assert dp == pytest.approx(cdu.dp_setpoint, abs=500.0)


def test_standby_pump_carries_the_pod(pod):
    state = steady_state(pod, failed=frozenset({"CDU-1-PA"}))
    loop = state.loops[0]
    assert not loop.pump["CDU-1-PA"]["running"] and loop.pump["CDU-1-PB"]["running"]
    for rack in pod.racks:
        r = loop.rack[rack.id]
        assert r["flow"] >= 0.8 * rack.design_flow
        assert r["chip_temperature"] < rack.throttle_temp


def test_losing_the_only_cdu_stops_the_flow(pod):
    loop = steady_state(pod, failed=frozenset({"CDU-1"})).loops[0]
    assert all(abs(r["flow"]) < 1e-6 for r in loop.rack.values())
    assert all(math.isnan(r["chip_temperature"]) for r in loop.rack.values())


def test_pump_efficiency_peaks_at_the_best_efficiency_point():
    assert pump_efficiency(0.02, 1.0, 0.02, 0.7) == pytest.approx(0.7)
    assert pump_efficiency(0.01, 0.5, 0.02, 0.7) == pytest.approx(0.7)  # affinity: BEP moves
    assert pump_efficiency(0.01, 1.0, 0.02, 0.7) == pytest.approx(0.7 * 0.75)


def test_plant_dry_cooler_tower_and_chiller(pod):
    plant = pod.plant  # two 700 kW dry coolers, 5 K approach, setpoint 30 degC
    cool = plant_state(plant, Ambient(dry_bulb_c=20.0, wet_bulb_c=15.0), 700e3, 0.05)
    assert cool.supply_temperature == pytest.approx(30.0)  # 20 + 2.5 K: mixed up to setpoint
    hot = plant_state(plant, Ambient(dry_bulb_c=35.0, wet_bulb_c=24.0), 1400e3, 0.05)
    assert hot.supply_temperature == pytest.approx(35.0 + 5.0)
    assert hot.fan_power == pytest.approx(2 * 14e3)  # both at full load, full speed
    half = plant_state(plant, Ambient(dry_bulb_c=35.0, wet_bulb_c=24.0), 700e3, 0.05)
    assert half.fan_power == pytest.approx(2 * 14e3 * 0.5**3)
    rows = load_layout(layouts_dir() / "rows-3mw.json").plant  # one tower, 4 cycles
    tower = plant_state(rows, Ambient(dry_bulb_c=30.0, wet_bulb_c=20.0), 3.0e6, 0.1)
    evaporation = 3.0e6 / LATENT_HEAT / 1000.0
    assert tower.water_use == pytest.approx(evaporation * (1 + 1 / 3))
    hall = load_layout(layouts_dir() / "hall-10mw.json").plant  # towers + 2 x 3 MW chillers
    flow = 0.2
    trimmed = plant_state(hall, Ambient(dry_bulb_c=41.0, wet_bulb_c=28.0), 8.0e6, flow)
    assert trimmed.supply_temperature == pytest.approx(hall.supply_temp, abs=1e-3)
    trim = trimmed.chiller_power * 7.0  # COP 7
    assert 0 < trim <= 6.0e6
    untrimmed = plant_state(hall, Ambient(dry_bulb_c=41.0, wet_bulb_c=28.0), 8.0e6 + trim / 7.0,
                            flow, failed={"CH-1": 1.0, "CH-2": 1.0})
    assert trim == pytest.approx(WATER_RHO_CP * flow * (untrimmed.supply_temperature
                                                        - hall.supply_temp), rel=1e-3)


def test_undersized_pipe_is_named(pod_document):
    document = copy.deepcopy(pod_document)
    document["pipes"][0]["diameter_mm"] = 40.9  # the feed of a whole row through DN40
    report = design_check(parse_layout(document))
    pipe = document["pipes"][0]["id"]
    assert any(w.startswith(f"pipe {pipe} (40.9 mm):") and "exceeds 2.5 m/s" in w
               for w in report["warnings"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_check_prints_the_report_for_every_example(path, capsys):
    assert main(["check", str(path)]) == 0
    text = capsys.readouterr().out
    for section in ("Racks", "Pipes", "Pumps", "CDUs", "Loops", "N+1"):
        assert f"\n{section}" in text


def test_check_command_text_json_and_bad_input(tmp_path, capsys):
    pod = layouts_dir() / "pod-1mw.json"
    assert main(["check", str(pod)]) == 0
    text = capsys.readouterr().out
    assert "N+1 (each CDU and each duty pump out in turn): FAIL" in text
    assert "pump CDU-1-PA out: pass" in text
    assert main(["check", str(layouts_dir() / "rows-3mw.json"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n_plus_1"] == "pass" and len(report["racks"]) == 24
    assert 1.0 < report["pue"] < 1.1 and report["wue_l_per_kwh"] > 0
    assert np.isclose(sum(c["load_kw"] for c in report["cdus"]), 3168 * 0.8, rtol=5e-3)
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["check", str(bad)]) == 1
    assert "is not valid JSON" in capsys.readouterr().err
