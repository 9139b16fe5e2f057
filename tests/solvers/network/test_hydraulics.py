"""Exact hydraulic answers, warm starts and fluids."""

from __future__ import annotations

import math

import numpy as np
import pytest

from solvers.network import (
    PG25,
    WATER,
    HydraulicSolver,
    NetworkBuilder,
    PumpCurve,
    SolverOptions,
    constant_fluid,
)

G = 9.80665


def _parallel(fluid, diameters, lengths, roughness, demand):
    b = NetworkBuilder("darcy-weisbach", fluid)
    b.add_fixed_head("R", 50.0)
    b.add_junction("A", 0.0, demand=demand)
    for i, (d, length) in enumerate(zip(diameters, lengths, strict=True)):
        b.add_pipe(f"p{i}", "R", "A", length, d, roughness)
    return b.build()


def test_parallel_pipes_constant_friction_factor_split():
    # A vanishing viscosity puts both pipes at Re ~ 1e12, where Swamee-Jain's
    # friction factor is the Reynolds-independent 0.25/log10(ε/3.7d)².
    fluid = constant_fluid("inviscid", 1000.0, 1e-12, 4180.0)
    d, length, eps, demand = [0.10, 0.15], [300.0, 500.0], 1e-3, 0.04
    net = _parallel(fluid, d, length, eps, demand)
    r = HydraulicSolver(net).solve()
    assert r.converged
    f = [0.25 / math.log10(eps / (3.7 * di)) ** 2 for di in d]
    res = [8.0 * fi * li / (G * math.pi**2 * di**5) for fi, li, di in zip(f, length, d,
                                                                          strict=True)]
    h = (demand / sum(ri**-0.5 for ri in res)) ** 2
    q = [math.sqrt(h / ri) for ri in res]
    assert r.flow[:2] == pytest.approx(q, rel=1e-6)
    assert 50.0 - r.node("A")["head"] == pytest.approx(h, rel=1e-6)


def test_parallel_laminar_pipes_hagen_poiseuille():
    fluid = constant_fluid("oil", 900.0, 0.5, 2000.0)
    d, length, demand = [0.05, 0.08], [100.0, 250.0], 1e-4
    net = _parallel(fluid, d, length, 0.0, demand)
    r = HydraulicSolver(net).solve()
    nu = 0.5 / 900.0
    res = [128.0 * nu * li / (G * math.pi * di**4) for li, di in zip(length, d, strict=True)]
    h = demand / sum(1.0 / ri for ri in res)
    assert r.flow[:2] == pytest.approx([h / ri for ri in res], rel=1e-9)


def test_one_point_pump_curve_and_speed_affinity():
    b = NetworkBuilder()
    b.add_fixed_head("R", 0.0)
    b.add_junction("A", 0.0, demand=0.002)
    b.add_pump("P", "R", "A", PumpCurve.from_points([(0.003, 20.0)]))
    net = b.build()
    solver = HydraulicSolver(net)
    settings = net.settings()
    for speed in (1.0, 0.7):
        settings.set_speed("P", speed)
        r = solver.solve(settings)
        # H = s²·a − b·s^(2−c)·Q^c with a = 1.33334·H₁, zero head at 2·Q₁.
        a = 1.33334 * 20.0
        c = math.log(a / (a - 20.0)) / math.log(2.0)
        expected = speed**2 * a - (a - 20.0) / 0.003**c * speed ** (2 - c) * 0.002**c
        assert r.node("A")["head"] == pytest.approx(expected, rel=1e-9)


def test_warm_start_after_a_small_change_is_faster_and_agrees():
    b = NetworkBuilder()
    b.add_fixed_head("R", 30.0)
    names = [f"J{i}" for i in range(12)]
    for i, n in enumerate(names):
        b.add_junction(n, 0.0, demand=1e-3 * (1 + i % 3))
    b.add_pipe("in", "R", "J0", 50, 0.2, 1e-4)
    for i in range(11):
        b.add_pipe(f"p{i}", names[i], names[i + 1], 80, 0.1 - 0.004 * i, 1e-4)
    for i in range(0, 10, 3):
        b.add_pipe(f"loop{i}", names[i], names[i + 2], 120, 0.05, 1e-4)
    net = b.build()
    solver = HydraulicSolver(net, SolverOptions(tolerance=1e-9))
    settings = net.settings()
    first = solver.solve(settings)
    settings.set_demand("J7", 4e-3)
    cold = solver.solve(settings)
    warm = solver.solve(settings, warm_start=first)
    assert warm.converged and warm.iterations < cold.iterations
    assert np.allclose(warm.flow, cold.flow, rtol=1e-8, atol=1e-12)
    assert warm.flow_residual < 1e-12 and warm.head_residual < 1e-9


def test_temperature_changes_viscosity_and_pg25_loses_more_head():
    def loss(fluid, temp):
        b = NetworkBuilder("darcy-weisbach", fluid)
        b.add_fixed_head("R", 10.0)
        b.add_junction("A", 0.0, demand=2e-4)
        b.add_pipe("p", "R", "A", 20.0, 0.02, 1e-5)
        return 10.0 - HydraulicSolver(b.build()).solve(temperature=temp).node("A")["head"]

    assert loss(WATER, 15.0) > loss(WATER, 45.0)
    assert loss(PG25, 20.0) > 1.2 * loss(WATER, 20.0)


def test_fluid_properties():
    assert float(WATER.density(20.0)) == pytest.approx(998.2, abs=0.1)
    assert float(WATER.viscosity(20.0)) == pytest.approx(1.002e-3, rel=0.01)
    assert float(WATER.specific_heat(20.0)) == pytest.approx(4182.0, rel=0.002)
    ratio = float(PG25.viscosity(20.0) / WATER.viscosity(20.0))
    assert 1.8 < ratio < 2.5


def test_pressure_uses_density_and_elevation():
    b = NetworkBuilder()
    b.add_fixed_head("R", 20.0)
    b.add_junction("A", 5.0, demand=0.0)
    b.add_pipe("p", "R", "A", 10.0, 0.05, 1e-5)
    r = HydraulicSolver(b.build()).solve(temperature=20.0)
    assert r.node("A")["pressure"] == pytest.approx(float(WATER.density(20.0)) * G * 15.0)


def test_design_pressure_drop_is_reproduced_by_its_loss_coefficient():
    from solvers.network.components import loss_coefficient, throttle_loss_coefficient

    rho = float(WATER.density(30.0))
    k = loss_coefficient(50e3, 3e-3, 0.025, rho)
    b = NetworkBuilder()
    b.add_fixed_head("R", 100.0)
    b.add_junction("A", 0.0, demand=3e-3)
    b.add_valve("plate", "R", "A", 0.025, "TCV", setting=k)
    r = HydraulicSolver(b.build()).solve(temperature=30.0)
    assert r.node("A")["pressure"] == pytest.approx(rho * G * 100.0 - 50e3, rel=1e-9)
    assert throttle_loss_coefficient(1.0, 2.0) == 2.0
    assert throttle_loss_coefficient(0.5, 2.0, 50.0) == pytest.approx(2.0 * 50.0)
    assert throttle_loss_coefficient(0.5, 2.0, characteristic="linear") == pytest.approx(8.0)


def test_check_valve_blocks_reverse_flow():
    b = NetworkBuilder()
    b.add_fixed_head("low", 10.0)
    b.add_fixed_head("high", 20.0)
    b.add_junction("A", 0.0, demand=1e-3)
    b.add_pipe("feed", "low", "A", 50, 0.05, 1e-4)
    b.add_pipe("cv", "A", "high", 50, 0.05, 1e-4, check_valve=True)
    r = HydraulicSolver(b.build()).solve()
    assert r.converged
    assert r.link("cv")["status"] == "check-closed" and r.link("cv")["flow"] == 0.0
    assert r.link("feed")["flow"] == pytest.approx(1e-3)


def test_warm_start_respects_a_valve_fixed_open_since():
    b = NetworkBuilder()
    b.add_fixed_head("R", 60.0)
    b.add_junction("A", 0.0, demand=2e-3)
    b.add_valve("prv", "R", "A", 0.05, "PRV", setting=200e3)
    net = b.build()
    solver = HydraulicSolver(net)
    s = net.settings()
    regulating = solver.solve(s)
    assert regulating.link("prv")["status"] == "active"
    assert regulating.node("A")["pressure"] == pytest.approx(200e3, rel=1e-6)
    s.set_fully_open("prv")
    opened = solver.solve(s, warm_start=regulating)
    assert opened.converged and opened.link("prv")["status"] == "open"
    assert opened.node("A")["head"] > 59.0
