"""Heat transport: plug-flow delay, ε-NTU, wall loss, energy balance, stability."""

from __future__ import annotations

import math

import numpy as np
import pytest

from solvers.network import WATER, HydraulicSolver, NetworkBuilder, PumpCurve
from solvers.network.heat import HeatExchanger, HeatTransport, counterflow_effectiveness


def _line(length=50.0, diameter=0.1):
    b = NetworkBuilder()
    b.add_fixed_head("R", 10.0)
    b.add_junction("out", 0.0)
    b.add_pipe("p", "R", "out", length, diameter, 1e-5)
    return b.build()


@pytest.mark.parametrize("dt", [1.0, 0.7, 3.0])
def test_plug_flow_front_arrives_after_length_over_velocity(dt):
    net = _line()
    v = 1.0
    q = np.array([v * math.pi * 0.1**2 / 4])
    heat = HeatTransport(net, 20.0)
    heat.set_boundary_temperature("R", 30.0)
    out = net.node_index["out"]
    t, first = 0.0, None
    while t < 80.0:
        step = heat.step(q, dt)
        t += dt
        temp = step.node_temperature[out]
        assert 20.0 - 1e-12 <= temp <= 30.0 + 1e-12
        if first is None and temp > 20.0 + 1e-9:
            # The outlet mixes what left during the step: the share of new
            # water dates the front's arrival inside the step.
            first = t
            arrival = t - dt * (temp - 20.0) / 10.0
        if t < 50.0 - 1e-9:
            assert temp == pytest.approx(20.0)
    assert first is not None and 0.0 <= first - 50.0 <= dt
    assert arrival == pytest.approx(50.0, abs=1e-9)
    assert step.node_temperature[out] == pytest.approx(30.0)


def test_front_keeps_its_shape_in_a_long_pipe():
    net = _line(length=100.0)
    q = np.array([0.5 * math.pi * 0.1**2 / 4])
    heat = HeatTransport(net, 20.0)
    heat.set_boundary_temperature("R", 30.0)
    for _ in range(100):
        heat.step(q, 0.5)
    x, temp = heat.profile("p")
    # After 50 s at 0.5 m/s the front sits at 25 m, sharp: one segment of new
    # water, then the old.
    assert temp[0] == pytest.approx(30.0) and temp[-1] == pytest.approx(20.0)
    assert x[0] == pytest.approx(25.0, abs=1e-9) and len(x) == 2


def _exchanger_line(ua, q_sec, q_pri, t_sec=40.0, t_pri=20.0):
    b = NetworkBuilder()
    b.add_fixed_head("R", 10.0)
    b.add_junction("A", 0.0)
    b.add_valve("hx", "R", "A", 0.1)
    net = b.build()
    heat = HeatTransport(net, t_sec)
    heat.set_boundary_temperature("R", t_sec)
    hx = HeatExchanger("hx", ua, t_pri, q_pri)
    step = heat.step(np.array([q_sec]), 1.0, exchangers=[hx])
    return step, hx


@pytest.mark.parametrize(("ua", "q_sec", "q_pri"), [(5000.0, 1e-3, 2e-3), (5000.0, 2e-3, 1e-3),
                                                    (8000.0, 1e-3, 1e-3), (200.0, 5e-4, 3e-3)])
def test_counterflow_exchanger_matches_epsilon_ntu(ua, q_sec, q_pri):
    step, hx = _exchanger_line(ua, q_sec, q_pri)
    rc = float(WATER.volumetric_heat_capacity(40.0))
    c_sec = rc * q_sec
    c_pri = hx.primary_capacity_rate()
    cmin, cmax = min(c_sec, c_pri), max(c_sec, c_pri)
    ntu, cr = ua / cmin, cmin / cmax
    if abs(cr - 1.0) < 1e-12:
        eps = ntu / (1 + ntu)
    else:
        eps = (1 - math.exp(-ntu * (1 - cr))) / (1 - cr * math.exp(-ntu * (1 - cr)))
    heat = eps * cmin * 20.0
    assert step.exchanger_heat[0] == pytest.approx(heat, rel=1e-12)
    assert step.node_temperature[1] == pytest.approx(40.0 - heat / c_sec, rel=1e-12)
    assert step.exchanger_primary_outlet[0] == pytest.approx(20.0 + heat / c_pri, rel=1e-12)


def test_effectiveness_limits():
    assert counterflow_effectiveness(0.0, 0.5) == 0.0
    assert counterflow_effectiveness(50.0, 0.5) == pytest.approx(1.0, abs=1e-9)
    assert counterflow_effectiveness(1.0, 1.0) == pytest.approx(0.5)
    assert counterflow_effectiveness(2.0, 0.0) == pytest.approx(1 - math.exp(-2.0))


def test_wall_loss_matches_the_exponential_law():
    b = NetworkBuilder()
    b.add_fixed_head("R", 10.0)
    b.add_junction("out", 0.0)
    b.add_pipe("p", "R", "out", 20.0, 0.05, 1e-5, wall_ua=30.0)
    net = b.build()
    q = np.array([1e-3])
    heat = HeatTransport(net, 60.0)
    heat.set_boundary_temperature("R", 60.0)
    for _ in range(200):
        step = heat.step(q, 1.0, ambient_temperature=20.0)
    rc = float(WATER.volumetric_heat_capacity(heat.link_temperature()[0]))
    expected = 20.0 + 40.0 * math.exp(-30.0 / (rc * 1e-3))
    assert step.node_temperature[1] == pytest.approx(expected, abs=1e-3)
    assert step.wall_loss == pytest.approx(rc * 1e-3 * (60.0 - expected), rel=1e-3)


def _closed_loop():
    b = NetworkBuilder()
    b.add_fixed_head("tank", 20.0, elevation=2.0)
    for n in ("A", "B", "C1", "C2", "D"):
        b.add_junction(n, 0.0)
    b.add_pipe("tank_line", "tank", "A", 1.0, 0.02, 1e-5)
    b.add_pump("pump", "A", "B", PumpCurve.from_points([(0.002, 15.0)]))
    b.add_pipe("supply", "B", "C1", 30.0, 0.05, 4.5e-5)
    b.add_pipe("plate1", "C1", "D", 2.0, 0.02, 1e-5, minor_loss=20)
    b.add_pipe("branch", "C1", "C2", 5.0, 0.03, 1e-5)
    b.add_pipe("plate2", "C2", "D", 2.0, 0.02, 1e-5, minor_loss=30)
    b.add_pipe("return", "D", "A", 30.0, 0.05, 4.5e-5)
    return b.build()


def test_closed_loop_rejects_at_the_exchanger_what_the_sources_put_in():
    net = _closed_loop()
    r = HydraulicSolver(net).solve(temperature=30.0)
    assert r.converged
    heat = HeatTransport(net, 30.0)
    hx = HeatExchanger("return", ua=3000.0, primary_inlet_temperature=20.0, primary_flow=1e-3)
    sources = {"plate1": 8000.0, "plate2": 6000.0}
    for _ in range(3000):
        step = heat.step(r, 1.0, link_heat=sources, exchangers=[hx])
        assert abs(step.balance_error) < 1e-6 * 14000.0
    assert step.source_heat == pytest.approx(14000.0)
    assert step.exchanger_heat[0] == pytest.approx(14000.0, rel=0.005)


def test_large_steps_and_pump_speed_up_stay_bounded():
    net = _closed_loop()
    solver = HydraulicSolver(net)
    settings = net.settings()
    heat = HeatTransport(net, 25.0)
    hx = HeatExchanger("return", ua=3000.0, primary_inlet_temperature=20.0, primary_flow=1e-3)
    rng = np.random.default_rng(3)
    result = None
    for _ in range(40):
        settings.set_speed("pump", float(rng.uniform(0.3, 2.0)))
        result = solver.solve(settings, temperature=heat.link_temperature(), warm_start=result)
        dt = float(rng.choice([0.01, 1.0, 30.0, 600.0]))
        step = heat.step(result, dt, link_heat={"plate1": 3000.0}, exchangers=[hx])
        temps = heat.link_temperature()
        assert np.all(np.isfinite(temps)) and np.all(np.isfinite(step.node_temperature))
        # No temperature may leave the range the physics allows.
        assert temps.min() >= 20.0 - 1e-9 and temps.max() < 200.0


def test_stagnant_pipe_heats_up_and_volume_less_source_is_reported():
    net = _closed_loop()
    heat = HeatTransport(net, 30.0)
    zero = np.zeros(net.n_links)
    step = heat.step(zero, 10.0, link_heat={"plate1": 1000.0, "pump": 500.0})
    vol = net.volume[net.link_index["plate1"]]
    rc = float(WATER.volumetric_heat_capacity(30.0))
    assert heat.link_temperature()[net.link_index["plate1"]] == pytest.approx(
        30.0 + 1000.0 * 10.0 / (rc * vol), rel=1e-9)
    assert step.unabsorbed_heat == pytest.approx(500.0)
