"""``halltwin network``: text and JSON output, exit status, clear errors."""

from __future__ import annotations

import json

import pytest

from tests.solvers.network.reference import NETWORKS, write_si_network
from twin.cli import main


def test_text_report_lists_nodes_links_and_status(capsys):
    assert main(["network", str(NETWORKS / "Net1.inp")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("status: converged")
    assert "head ft" in out and "pressure psi" in out and "flow GPM" in out
    assert "\n2 " in out and "\n110 " in out


def test_json_report_in_file_units(capsys, tmp_path):
    path = write_si_network(tmp_path)
    assert main(["network", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"status", "units", "nodes", "links"}
    assert data["status"] == "converged"
    assert data["units"]["flow"] == "LPS" and data["units"]["head"] == "m"
    assert set(data["nodes"]["J9"]) == {"head", "pressure"}
    assert set(data["links"]["V3"]) == {"flow", "velocity"}
    assert data["nodes"]["J9"]["head"] == pytest.approx(16.0)
    assert data["nodes"]["J9"]["pressure"] == pytest.approx(15.0)
    assert data["links"]["V3"]["flow"] == pytest.approx(0.6, rel=1e-4)
    assert data["links"]["V1"]["flow"] == 0.0


def test_json_matches_net1_epanet_heads(capsys):
    assert main(["network", str(NETWORKS / "Net1.inp"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # EPANET 2.2 reports 1004.35 ft at node 10 and 1866.18 GPM in pipe 10.
    assert data["nodes"]["10"]["head"] == pytest.approx(1004.35, abs=0.01)
    assert data["links"]["10"]["flow"] == pytest.approx(1866.18, abs=0.05)


def test_bad_file_exits_1_with_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.inp"
    bad.write_text("[JUNCTIONS]\n A 0\n[RESERVOIRS]\n R 5\n[PIPES]\n P R A 10 0 100\n")
    assert main(["network", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}, line 6" in err and "diameter must be > 0" in err
    assert "Traceback" not in err


def test_missing_file_exits_1(capsys, tmp_path):
    assert main(["network", str(tmp_path / "none.inp")]) == 1
    assert "cannot read the file" in capsys.readouterr().err
