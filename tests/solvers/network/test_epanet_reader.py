"""The .inp reader: units, time-0 patterns and controls, clear errors."""

from __future__ import annotations

import pytest

from solvers.network.epanet import InpError, parse_inp, read_inp
from solvers.network.hydraulics import HydraulicSolver
from tests.solvers.network.reference import NETWORKS, SI_NETWORK

SMALL = """\
[JUNCTIONS]
 A   0   {demand}   {pattern}
[RESERVOIRS]
 R   {head}
[PIPES]
 P1  R  A  {length}  {diameter}  100
[PATTERNS]
 PAT  0.5  2.0
[OPTIONS]
 Units {units}
 Headloss H-W
[TIMES]
 Pattern Timestep 1:00
 Pattern Start {start}
"""


def _small(**kw):
    values = {"demand": 10, "pattern": "", "head": 30, "length": 100, "diameter": 100,
              "units": "LPS", "start": "0:00"}
    values.update(kw)
    return parse_inp(SMALL.format(**values), "small.inp")


def test_us_and_si_files_give_the_same_si_network():
    si = _small()
    us = _small(demand=10 / 0.0630901964, head=30 / 0.3048, length=100 / 0.3048,
                diameter=100 / 25.4, units="GPM")
    r_si = HydraulicSolver(si.network).solve()
    r_us = HydraulicSolver(us.network).solve()
    assert r_us.head == pytest.approx(r_si.head, rel=1e-9)
    assert r_us.flow == pytest.approx(r_si.flow, rel=1e-9)


def test_pattern_multiplier_at_time_zero():
    assert _small(pattern="PAT").network.settings().demand[0] == pytest.approx(5e-3)
    later = _small(pattern="PAT", start="1:00").network.settings().demand[0]
    assert later == pytest.approx(20e-3)


def test_net3_time_zero_state_from_status_controls_and_patterns():
    model = read_inp(NETWORKS / "Net3.inp")
    net, s = model.network, model.network.settings()
    assert s.status[net.link_index["10"]] == 0  # [STATUS] closes the Lake pump
    assert s.status[net.link_index["330"]] == 0  # closed; tank-1 control keeps it so
    # Default pattern 1 starts at 1.34.
    j = net.node_index["101"]
    assert s.demand[j] == pytest.approx(189.95 * 1.34 * 0.003785411784 / 60.0)


def test_tanks_are_fixed_heads_at_their_initial_level():
    model = read_inp(NETWORKS / "Net1.inp")
    r = HydraulicSolver(model.network).solve()
    assert r.node("2")["head"] == pytest.approx((850 + 120) * 0.3048)


@pytest.mark.parametrize(("text", "message"), [
    ("[JUNCTIONS]\n A 0\n[ROUGHNESS]\n P 1\n", r"line 3: section \[ROUGHNESS\] is not supp"),
    ("[LEAKAGE]\n", r"line 1: section \[LEAKAGE\] is not supported"),
    ("[OPTIONS]\n Units XYZ\n", r"line 2: flow units 'XYZ' unknown; allowed: CFS"),
    ("[OPTIONS]\n Headloss C-M\n", r"line 2: headloss 'C-M' is not supported"),
    ("[JUNCTIONS]\n A 0\n B 0\n[VALVES]\n V A B 100 PBV 1\n", r"line 5: valve type PBV"),
    ("[JUNCTIONS]\n A 0\n B 0\n[VALVES]\n V A B 100 GPV C\n", r"line 5: GPV head-loss curve"),
    ("[JUNCTIONS]\n A 0\n[RESERVOIRS]\n R 5\n[PIPES]\n P R A 0 100 100\n",
     r"line 6: pipe 'P': length must be > 0"),
    ("[JUNCTIONS]\n A 0\n[RESERVOIRS]\n R 5\n[PIPES]\n P R A 10 0 100\n",
     r"line 6: pipe 'P': diameter must be > 0"),
    ("[JUNCTIONS]\n A zero\n", r"line 2: elevation must be a number, got 'zero'"),
    ("[JUNCTIONS]\n A 0\n[PUMPS]\n P A B HEAD C9\n", r"line 4: pump curve 'C9' is not defined"),
    ("[JUNCTIONS]\n A 0\n[PIPES]\n P A B 1 1 1\n", r"line 4: link 'P': node 'B' does not exist"),
    ("A 0\n", r"line 1: data before the first \[SECTION\] header"),
])
def test_bad_files_name_file_line_and_rule(text, message):
    with pytest.raises(InpError, match=message) as info:
        parse_inp(text, "bad.inp")
    assert str(info.value).startswith("bad.inp, line")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InpError, match="cannot read the file"):
        read_inp(tmp_path / "nope.inp")


def test_si_network_reads_valves_emitters_and_curves():
    model = parse_inp(SI_NETWORK, "si.inp")
    net, s = model.network, model.network.settings()
    assert model.units.names() == {"flow": "LPS", "head": "m", "pressure": "m",
                                   "velocity": "m/s"}
    assert s.status[net.link_index["V1"]] == 0
    assert s.emitter[net.node_index["J5"]] > 0.0
    curve = net.pumps[net.link_index["PU1"]]
    assert curve.head(8e-3) == pytest.approx(50.0)
