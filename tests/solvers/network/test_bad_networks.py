"""Networks that are wrong or odd get a clear status or message, never NaN."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.network import HydraulicSolver, NetworkBuilder, NetworkError, PumpCurve, SolverOptions


def _finite(result):
    for name in ("head", "pressure", "flow", "velocity", "emitter_flow"):
        assert np.all(np.isfinite(getattr(result, name))), name


def test_isolated_section_gets_zero_flow_and_status():
    b = NetworkBuilder()
    b.add_fixed_head("R", 30.0)
    for n in ("A", "B", "C", "D"):
        b.add_junction(n, 1.0, demand=1e-3)
    b.add_pipe("p1", "R", "A", 100, 0.1, 1e-4)
    b.add_valve("iso", "A", "B", 0.1, open=False)
    b.add_pipe("p2", "B", "C", 100, 0.1, 1e-4)
    b.add_pipe("p3", "C", "D", 100, 0.1, 1e-4)
    b.add_pipe("p4", "D", "B", 100, 0.1, 1e-4)
    r = HydraulicSolver(b.build()).solve()
    _finite(r)
    assert r.converged
    assert r.isolated_nodes == ["B", "C", "D"]
    assert all(r.link(n)["flow"] == 0.0 for n in ("iso", "p2", "p3", "p4"))
    assert r.link("p2")["status"] == "isolated" and r.link("iso")["status"] == "closed"
    assert r.node("C")["pressure"] == 0.0 and r.node("A")["status"] == "ok"
    assert r.link("p1")["flow"] == pytest.approx(1e-3)
    assert any("demand not served" in w for w in r.warnings)
    assert "isolated" in r.message


def test_closed_loop_without_any_fixed_head_is_all_isolated():
    b = NetworkBuilder()
    b.add_junction("A")
    b.add_junction("B")
    b.add_pump("P", "A", "B", PumpCurve.from_points([(0.001, 10.0)]))
    b.add_pipe("p", "B", "A", 10, 0.05, 1e-4)
    r = HydraulicSolver(b.build()).solve()
    _finite(r)
    assert r.isolated_nodes == ["A", "B"] and np.all(r.flow == 0.0)


def test_pump_against_a_closed_valve_is_dead_headed():
    b = NetworkBuilder()
    b.add_fixed_head("tank", 5.0)
    b.add_junction("S", 0.0)
    b.add_junction("D", 0.0, demand=1e-3)
    b.add_pump("P", "tank", "S", PumpCurve.power_function(30.0, 2e6, 2.0))
    b.add_valve("V", "S", "D", 0.05, open=False)
    b.add_pipe("feed", "tank", "D", 50, 0.05, 1e-4)
    r = HydraulicSolver(b.build()).solve()
    _finite(r)
    assert r.converged
    assert r.link("P")["flow"] == pytest.approx(0.0, abs=1e-12)
    assert r.node("S")["head"] == pytest.approx(35.0, abs=1e-6)
    assert any("dead-headed" in w for w in r.warnings)


def test_pump_that_cannot_reach_the_head_closes():
    b = NetworkBuilder()
    b.add_fixed_head("low", 0.0)
    b.add_fixed_head("high", 50.0)
    b.add_pump("P", "low", "high", PumpCurve.power_function(30.0, 2e6, 2.0))
    r = HydraulicSolver(b.build()).solve()
    _finite(r)
    assert r.converged and r.link("P")["status"] == "check-closed"
    assert r.link("P")["flow"] == 0.0
    assert any("cannot deliver" in w for w in r.warnings)


def test_negative_demand_is_a_supply_and_balances():
    b = NetworkBuilder()
    b.add_fixed_head("tank", 10.0)
    b.add_junction("A", 0.0, demand=-2e-3)
    b.add_junction("B", 0.0, demand=5e-4)
    b.add_pipe("p1", "A", "B", 40, 0.05, 1e-4)
    b.add_pipe("p2", "B", "tank", 40, 0.05, 1e-4)
    r = HydraulicSolver(b.build()).solve()
    _finite(r)
    assert r.converged
    assert r.link("p2")["flow"] == pytest.approx(1.5e-3, rel=1e-9)
    assert any("negative demand" in w and "'A'" in w for w in r.warnings)


@pytest.mark.parametrize(("length", "diameter", "key"), [(0.0, 0.1, "length"),
                                                          (10.0, 0.0, "diameter"),
                                                          (10.0, float("nan"), "diameter")])
def test_zero_length_or_diameter_is_refused_by_name(length, diameter, key):
    b = NetworkBuilder()
    b.add_fixed_head("R", 10.0)
    b.add_junction("A")
    with pytest.raises(NetworkError, match=rf"pipe 'bad': {key} must be > 0"):
        b.add_pipe("bad", "R", "A", length, diameter, 1e-4)


def test_unknown_node_and_duplicate_names_are_refused():
    b = NetworkBuilder()
    b.add_junction("A")
    with pytest.raises(NetworkError, match="node 'A' is defined twice"):
        b.add_junction("A")
    with pytest.raises(NetworkError, match="node 'Z' does not exist"):
        b.add_pipe("p", "A", "Z", 1.0, 0.1, 0.0)


def test_iteration_limit_reports_not_converged_with_residuals():
    b = NetworkBuilder()
    b.add_fixed_head("R", 30.0)
    b.add_junction("A", demand=0.01)
    b.add_junction("B", demand=0.01)
    b.add_pipe("p1", "R", "A", 100, 0.1, 1e-4)
    b.add_pipe("p2", "A", "B", 100, 0.08, 1e-4)
    r = HydraulicSolver(b.build(), SolverOptions(max_iterations=1)).solve()
    _finite(r)
    assert r.status == "not-converged" and not r.converged
    assert r.head_residual > 0.0 and "not converged" in r.message


def test_emitter_leak_follows_square_root_of_pressure():
    b = NetworkBuilder()
    b.add_fixed_head("R", 20.0)
    b.add_junction("A", 0.0, emitter=1e-5)
    b.add_pipe("p", "R", "A", 10, 0.1, 1e-5)
    r = HydraulicSolver(b.build(), SolverOptions(tolerance=1e-10)).solve()
    p = r.node("A")["pressure"]
    assert r.emitter_flow[1] == pytest.approx(1e-5 * p**0.5, rel=1e-8)
    assert r.link("p")["flow"] == pytest.approx(r.emitter_flow[1], rel=1e-9)
