"""Random networks: the solver always answers with finite numbers and balances."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvers.network import HeatTransport, HydraulicSolver, NetworkBuilder, PumpCurve


@st.composite
def networks(draw):
    n = draw(st.integers(3, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    b = NetworkBuilder(draw(st.sampled_from(["darcy-weisbach", "hazen-williams"])))
    hw = b.headloss == "hazen-williams"
    b.add_fixed_head("R0", float(rng.uniform(10, 40)))
    names = ["R0"]
    for i in range(1, n):
        name = f"J{i}"
        b.add_junction(name, float(rng.uniform(0, 5)), demand=float(rng.uniform(-2e-3, 5e-3)))
        names.append(name)
    links = 0

    def pipe(a, c):
        nonlocal links
        b.add_pipe(f"L{links}", a, c, float(rng.uniform(5, 300)), float(rng.uniform(0.03, 0.3)),
                   float(rng.uniform(90, 140)) if hw else float(rng.uniform(0, 1e-3)),
                   minor_loss=float(rng.choice([0.0, 2.0])), check_valve=bool(rng.random() < 0.1),
                   open=bool(rng.random() > 0.15))
        links += 1

    for i in range(1, n):
        parent = names[int(rng.integers(0, i))]
        if i == 1 and draw(st.booleans()):
            b.add_pump("PU", parent, names[i], PumpCurve.from_points([(0.01, 20.0)]),
                       speed=float(rng.choice([0.0, 0.6, 1.0])))
        else:
            pipe(parent, names[i])
    for _ in range(int(rng.integers(0, n))):
        a, c = rng.choice(n, size=2, replace=False)
        pipe(names[a], names[c])
    return b.build()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.floats(0.05, 500.0))
def test_random_networks_give_finite_balanced_answers(net, dt):
    r = HydraulicSolver(net).solve()
    assert r.status in ("converged", "not-converged")
    for name in ("head", "pressure", "flow", "velocity", "emitter_flow"):
        assert np.all(np.isfinite(getattr(r, name)))
    iso = r.node_status.astype(bool)
    touching = iso[net.start] | iso[net.end]
    assert np.all(r.flow[touching] == 0.0)
    if r.converged:
        # A link at zero flow has the floor gradient 1e-6 m per m³/s, i.e. a
        # conductance of 1e6 m²/s that turns 1e-14 m of head round-off into
        # 1e-8 m³/s: the floor of any continuity check.
        assert r.flow_residual <= 1e-6 * np.abs(r.flow).max() + 1e-8
    heat = HeatTransport(net, 20.0)
    heat.boundary_temperature[:] = 30.0
    step = heat.step(r, dt, link_heat=np.where(net.volume > 0, 500.0, 0.0))
    temps = heat.link_temperature()
    assert np.all(np.isfinite(temps)) and np.all(np.isfinite(step.node_temperature))
    # Round-off scale: the energies moved and the energy stored in the pipes.
    stored = 4.2e6 * float(np.sum(net.volume * np.abs(temps)))
    energy = abs(step.inflow_energy) + abs(step.outflow_energy) + step.source_heat * dt + stored
    assert abs(step.balance_error) <= 1e-9 * energy
