"""Heads and flows against EPANET 2.2 (run through wntr's EpanetSimulator)."""

from __future__ import annotations

import pytest

from solvers.network.epanet import read_inp
from solvers.network.hydraulics import HydraulicSolver, SolverOptions
from tests.solvers.network.reference import NETWORKS, compare, epanet_snapshot, write_si_network

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _check(path):
    model = read_inp(path)
    result = HydraulicSolver(model.network, SolverOptions(tolerance=1e-8)).solve()
    assert result.converged, result.message
    heads, flows = epanet_snapshot(path)
    head_excess, flow_excess = compare(model.network, result, heads, flows)
    assert head_excess <= 0.0, f"a head is {head_excess:.3g} m beyond 0.1 % / 1 mm of EPANET"
    assert flow_excess <= 0.0, f"a flow is {flow_excess:.3g} m³/s beyond 0.1 % of EPANET"
    return model, result


@pytest.mark.parametrize("name", ["Net1", "Net2", "Net3"])
def test_epanet_example_networks(name):
    _check(NETWORKS / f"{name}.inp")


def test_darcy_weisbach_si_network_with_pump_and_closed_valve(tmp_path):
    model, result = _check(write_si_network(tmp_path))
    status = dict(zip(model.network.link_names, result.link_status, strict=True))
    # The closed isolation valve carries nothing, the PRV and FCV regulate,
    # and the pump works on its curve.
    assert status["V1"] == 0 and result.link("V1")["flow"] == 0.0
    assert result.link("V2")["status"] == "active"
    assert result.link("V3")["status"] == "active"
    assert result.link("PU1")["flow"] > 0.0
    assert result.node("J9")["head"] == pytest.approx(16.0, abs=1e-6)
    assert result.link("V4")["flow"] == pytest.approx(0.4e-3, rel=1e-9)


def test_file_accuracy_is_honoured_and_still_close():
    # At the file's own ACCURACY (0.001) the answer is that of a few Newton
    # steps: heads agree with tight EPANET to well under a millimetre.
    model = read_inp(NETWORKS / "Net3.inp")
    assert model.options.tolerance == pytest.approx(0.001)
    result = HydraulicSolver(model.network, model.options).solve()
    heads, _ = epanet_snapshot(NETWORKS / "Net3.inp")
    worst = max(abs(result.head[i] - heads[n]) for i, n in enumerate(model.network.node_names))
    assert result.converged and worst < 1e-3
