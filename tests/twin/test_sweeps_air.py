"""Contingency runs with the room-air model (what ``halltwin sweep --air`` runs on each worker)."""

from __future__ import annotations

from twin.examples import layouts_dir
from twin.files import load_layout, to_document
from twin.sweeps import contingencies
from twin.sweeps.outcome import run_contingency

POD = layouts_dir() / "pod-1mw.json"


def test_losing_the_only_air_unit_heats_the_inlets_a_pump_loss_does_not():
    """pod-1mw, failures at 60 s, runs to 120 s with the air model on 0.5 m cells.

    The pod has one air unit: without it the racks' air-side heat stays in
    the room and the rack inlets warm; a pump trip with a working standby
    leaves the room as it was.  Both rows must be complete and measured.
    """
    layout = load_layout(POD)
    cases = {c.id: c for c in contingencies(layout, until=120.0)}
    options = {"air": True, "air_spacing": 0.5, "backend": "numba"}
    rows = {
        cid: run_contingency(to_document(layout), to_document(cases[cid].scenario), cid,
                             cases[cid].kind, options)  # fmt: skip
        for cid in ("CRAH-1", "CDU-1-PB")
    }
    for row in rows.values():
        assert row["status"] == "complete", row["message"]
        assert row["racks_tripped"] == 0
    hot, calm = rows["CRAH-1"], rows["CDU-1-PB"]
    assert hot["max_inlet_temperature"] > calm["max_inlet_temperature"] + 1.0
    # the air unit's supply setpoint bounds the healthy room's inlets from below
    supply = min(unit.supply_temp for unit in layout.air_units)
    assert calm["max_inlet_temperature"] > supply
