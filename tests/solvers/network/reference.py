"""EPANET reference solutions through wntr, and the shared SI test network."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

# The modules that compare with EPANET skip, rather than fail to collect, where
# wntr is not installed (the GPU machine has no dev extra).
wntr = pytest.importorskip("wntr", reason="EPANET comparisons need wntr (the dev extra)")

NETWORKS = Path(wntr.__file__).parent / "library" / "networks"

#: Darcy–Weisbach network in SI units (LPS, mm, m): a tank, a pump on a
#: 3-point curve, a closed isolation valve, a PRV feeding a zone of its own,
#: an FCV, a GPV on a head-loss curve, a check-valve pipe, minor losses, an
#: emitter, and loops.
SI_NETWORK = """\
[TITLE]
Darcy-Weisbach SI test network for HallTwin

[JUNCTIONS]
;ID   Elev   Demand
 J1   5      0
 J2   4      2.5
 J3   3      1.5
 J4   3      2.0
 J5   2      1.0
 J6   1      0.8
 J7   1      0.0
 J8   0      0.5
 J9   1      0.5
 J10  0      0.7
 J11  0      0.4

[RESERVOIRS]
 R1   10

[TANKS]
;ID  Elev  Init  Min  Max  Diam  MinVol
 T1   30    4     0    8    10    0

[PIPES]
;ID  N1  N2  Length  Diam  Rough(mm)  Minor  Status
 P1  J1  J2  200     150   0.05       2.0    Open
 P2  J2  J3  150     100   0.05       0.5    Open
 P3  J3  J4  180     100   0.1        0      Open
 P4  J2  J4  250     80    0.05       0      Open
 P5  J4  J5  120     80    0.05       1.0    CV
 P6  J5  J6  100     60    0.05       0      Open
 P7  J6  J7  90      60    0.05       0      Open
 P8  T1  J3  300     125   0.2        0      Open
 P9  J7  J8  80      50    0.05       0      Open
 P10 J5  J8  160     50    0.05       0      Open
 P11 J9  J10 100     50    0.05       0      Open

[PUMPS]
 PU1  R1  J1  HEAD C1

[VALVES]
;ID  N1  N2  Diam  Type  Setting  Minor
 V1  J6  J8  50    TCV   5        0
 V2  J3  J9  80    PRV   15       0.5
 V3  J4  J7  50    FCV   0.6      0.2
 V4  J8  J11 50    GPV   C2       0

[STATUS]
 V1  Closed

[EMITTERS]
 J5   0.05

[CURVES]
 C1  0     60
 C1  8     50
 C1  14    30
 C2  0     0.2
 C2  0.5   1.0
 C2  2     6.0

[OPTIONS]
 Units            LPS
 Headloss         D-W
 Viscosity        1.0
 Specific Gravity 1.0
 Trials           100
 Accuracy         0.001

[TIMES]
 Duration 0

[END]
"""


def write_si_network(directory: Path) -> Path:
    """Write :data:`SI_NETWORK` to ``directory/si.inp`` and return the path."""
    path = Path(directory) / "si.inp"
    path.write_text(SI_NETWORK)
    return path


def epanet_snapshot(path: Path, accuracy: float = 1e-8) -> tuple[dict, dict]:
    """Heads (m) and flows (m³/s) at time 0 from EPANET run through wntr.

    EPANET is asked for a tight ACCURACY: at the files' usual 0.001 its small
    flows are themselves only good to about 0.5 %.
    """

    wn = wntr.network.WaterNetworkModel(str(path))
    wn.options.time.duration = 0
    wn.options.hydraulic.accuracy = accuracy
    with tempfile.TemporaryDirectory() as tmp:
        results = wntr.sim.EpanetSimulator(wn).run_sim(file_prefix=os.path.join(tmp, "ref"))
    heads = results.node["head"].iloc[0]
    flows = results.link["flowrate"].iloc[0]
    return ({k: float(v) for k, v in heads.items()}, {k: float(v) for k, v in flows.items()})


def compare(network, result, heads: dict, flows: dict) -> tuple[float, float]:
    """Worst head error (m, beyond 0.1 % or 1 mm) and flow error (beyond 0.1 %).

    Returns the largest excess over the allowed band, so both are <= 0 when
    every head and flow is within tolerance.  The flow band has a floor of
    1e-7 m³/s: EPANET leaves ~1e-8 m³/s through closed links (its 1e-8
    conductance) and stores results in single precision.
    """
    h_ref = np.array([heads[n] for n in network.node_names])
    q_ref = np.array([flows[n] for n in network.link_names])
    h_band = np.maximum(1e-3, 1e-3 * np.abs(h_ref))
    q_band = np.maximum(1e-7, 1e-3 * np.abs(q_ref))
    return (float(np.max(np.abs(result.head - h_ref) - h_band)),
            float(np.max(np.abs(result.flow - q_ref) - q_band)))
