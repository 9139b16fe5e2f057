"""A CDU technology-cooling loop built with the public API (as the twin will)."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.network import (
    PG25,
    HeatExchanger,
    HeatTransport,
    HydraulicSolver,
    NetworkBuilder,
    PumpCurve,
    loss_coefficient,
)

RACKS = 4
RACK_FLOW = 3e-3  # m³/s at design (about 180 L/min: a 120 kW rack at 1.5 L/min/kW)
RACK_DP = 60e3  # Pa across the cold-plate branch at design flow


def _loop():
    rho = float(PG25.density(35.0))
    b = NetworkBuilder("darcy-weisbach", PG25)
    b.add_fixed_head("tank", head=12.0, elevation=2.0)
    for n in ("suction", "p1_out", "p2_out", "discharge", "supply_hdr", "return_hdr"):
        b.add_junction(n, 0.0)
    b.add_pipe("tank_line", "tank", "suction", 2.0, 0.025, 4.5e-5)
    curve = PumpCurve.from_points([(0.0, 40.0), (RACKS * RACK_FLOW, 30.0),
                                   (2.2 * RACKS * RACK_FLOW, 5.0)])
    b.add_pump("pump1", "suction", "p1_out", curve)
    b.add_pump("pump2", "suction", "p2_out", curve, speed=0.0)
    b.add_valve("check1", "p1_out", "discharge", 0.08, check_valve=True, setting=0.5)
    b.add_valve("check2", "p2_out", "discharge", 0.08, check_valve=True, setting=0.5)
    b.add_pipe("supply_main", "discharge", "supply_hdr", 20.0, 0.1, 4.5e-5)
    k_plate = loss_coefficient(RACK_DP, RACK_FLOW, 0.032, rho)
    for r in range(RACKS):
        b.add_junction(f"r{r}_in", 0.0)
        b.add_junction(f"r{r}_out", 0.0)
        b.add_pipe(f"r{r}_supply", "supply_hdr", f"r{r}_in", 5.0 + 3.0 * r, 0.04, 4.5e-5)
        b.add_pipe(f"r{r}_plate", f"r{r}_in", f"r{r}_out", 2.0, 0.032, 1e-5, minor_loss=k_plate)
        b.add_pipe(f"r{r}_return", f"r{r}_out", "return_hdr", 5.0 + 3.0 * r, 0.04, 4.5e-5)
    b.add_pipe("hx", "return_hdr", "suction", 20.0, 0.1, 4.5e-5, minor_loss=8.0)
    return b.build()


def test_standby_pump_carries_the_loop_after_a_trip():
    net = _loop()
    solver = HydraulicSolver(net)
    s = net.settings()
    normal = solver.solve(s, temperature=35.0)
    assert normal.converged, normal.message
    plates = [normal.link(f"r{r}_plate")["flow"] for r in range(RACKS)]
    # Continuity holds to the solver's tolerance (1e-6 relative flow change).
    assert normal.flow_residual < 1e-6 * sum(plates)
    assert normal.link("pump1")["flow"] == pytest.approx(sum(plates), rel=1e-6)
    assert min(plates) > 0.8 * RACK_FLOW
    assert normal.link("check2")["flow"] == pytest.approx(0.0, abs=1e-12)
    assert normal.link("tank_line")["flow"] == pytest.approx(0.0, abs=1e-6 * sum(plates))

    s.set_speed("pump1", 0.0)
    tripped = solver.solve(s, temperature=35.0, warm_start=normal)
    assert tripped.converged
    assert np.max(np.abs(tripped.flow)) < 1e-9

    s.set_speed("pump2", 1.0)
    standby = solver.solve(s, temperature=35.0, warm_start=tripped)
    assert standby.converged
    # A stopped pump passes no flow (EPANET's convention), so its check valve idles.
    assert standby.link("check1")["flow"] == pytest.approx(0.0, abs=1e-12)
    assert standby.link("pump1")["status"] == "closed"
    for r in range(RACKS):
        assert standby.link(f"r{r}_plate")["flow"] == pytest.approx(plates[r], rel=1e-6)


def test_loop_heat_balance_at_steady_state():
    net = _loop()
    result = HydraulicSolver(net).solve(temperature=35.0)
    heat = HeatTransport(net, 35.0)
    hx = HeatExchanger("hx", ua=4.0e4, primary_inlet_temperature=25.0, primary_flow=8e-3)
    sources = {f"r{r}_plate": 3.0e4 for r in range(RACKS)}
    for _ in range(900):
        step = heat.step(result, 1.0, link_heat=sources, exchangers=[hx])
    assert step.exchanger_heat[0] == pytest.approx(1.2e5, rel=0.005)
    supply = step.node_temperature[net.node_index["supply_hdr"]]
    back = step.node_temperature[net.node_index["return_hdr"]]
    rc = float(PG25.volumetric_heat_capacity(35.0))
    # The temperature rise across the racks carries their heat.
    assert (back - supply) * rc * result.link("pump1")["flow"] == pytest.approx(1.2e5, rel=0.01)


def test_a_loop_with_every_pump_stopped_is_still_and_converged():
    """With nothing driving the flow the answer is a still network, reported as converged
    (the relative flow change is a ratio of round-off there, so the residuals decide)."""
    rho = float(PG25.density(35.0))
    b = NetworkBuilder("darcy-weisbach", PG25)
    b.add_fixed_head("tank", head=17.0, elevation=2.0)
    for n in ("suction", "discharge", "supply", "return"):
        b.add_junction(n, 2.0)
    b.add_pipe("tank_line", "tank", "suction", 1.0, 0.05, 4.5e-5)
    curve = PumpCurve.from_points([(0.0, 33.0), (RACK_FLOW, 25.0), (1.8 * RACK_FLOW, 0.0)])
    b.add_pump("pump", "suction", "discharge", curve, open=False)
    b.add_valve("hx", "discharge", "supply", 0.05, setting=5.0)
    b.add_pipe("feed", "supply", "return", 30.0, 0.05, 4.5e-5)
    b.add_valve("rack", "return", "suction", 0.04,
                setting=loss_coefficient(RACK_DP, RACK_FLOW, 0.04, rho))
    still = HydraulicSolver(b.build()).solve(temperature=35.0)
    assert still.converged, still.message
    assert np.max(np.abs(still.flow)) < 1e-9
