"""The editing API: every edit returns a new valid layout or a clear error."""

from __future__ import annotations

import math

import pytest

from twin.editing import (
    EditError,
    add,
    add_rack_row,
    connect,
    move,
    next_id,
    pipe_length,
    remove,
    rotate,
    set_property,
)
from twin.model.base import Side
from twin.pipe_sizing import STANDARD_BORES_MM, pipe_row, size_bore
from twin.validation import check_layout


def test_set_property_in_file_units_and_old_layout_unchanged(pod):
    new = set_property(pod, "A1", "power_kw", 132)
    assert new.find("A1").component.power == pytest.approx(132e3)
    assert pod.find("A1").component.power == pytest.approx(120e3)
    nested = set_property(pod, "A1", "chip.heat_capacity_kj_per_k", 90)
    assert nested.find("A1").component.chip.heat_capacity == pytest.approx(90e3)


def test_bad_edits_raise_with_the_place(pod):
    with pytest.raises(EditError, match=r"racks\[0\].power_kw: must be > 0 kW, got -1"):
        set_property(pod, "A1", "power_kw", -1)
    with pytest.raises(EditError, match="'A1' has no property 'speed'"):
        set_property(pod, "A1", "speed", 1)
    with pytest.raises(EditError, match="no component 'ZZ'"):
        move(pod, "ZZ", 1, 1)
    with pytest.raises(EditError, match="overlaps 'A1'"):
        move(pod, "A2", 3.1, 3.0)
    with pytest.raises(EditError, match="outside the hall"):
        move(pod, "CRAH-1", 11.5, 3.0)


def test_move_snaps_to_the_grid(pod):
    moved = move(pod, "CRAH-1", 0.37, 2.61, snap_m=0.25)
    unit = moved.find("CRAH-1").component
    assert (unit.x, unit.y) == (pytest.approx(0.25), pytest.approx(2.5))


def test_rotate_keeps_the_centre_and_turns_the_inlet(pod):
    pod = move(pod, "CRAH-1", 9.0, 5.0)  # open floor: it can turn all the way round
    before = pod.find("CRAH-1").component
    after = rotate(pod, "CRAH-1").find("CRAH-1").component
    assert after.facing is Side.SOUTH  # east -> south, clockwise
    assert after.centre == pytest.approx(before.centre)
    assert after.extent == pytest.approx(before.extent[::-1])
    four_times = pod
    for _ in range(4):
        four_times = rotate(four_times, "CRAH-1")
    assert four_times.find("CRAH-1").component == before
    with pytest.raises(EditError, match=r"air_units\[0\].x_m: must be >= 0 m, got -0.7"):
        rotate(move(pod, "CRAH-1", 0.3, 3.0), "CRAH-1")  # against the west wall


def test_remove_a_rack_takes_its_hoses_and_branches(pod):
    new = remove(pod, ["A1"])
    assert new.find("A1") is None and new.find("A1-S") is None
    assert not [p for p in new.pipes if {"A1-S", "A1-R"} & {p.from_, p.to}]
    assert len(new.racks) == 7
    assert not [p for p in check_layout(new) if p.severity == "error"]


def test_remove_a_junction_a_rack_needs_is_refused(pod):
    with pytest.raises(EditError, match="junction 'A1-S' does not exist"):
        remove(pod, ["A1-S"])


def test_add_row_and_pipe_it_to_a_cdu(pod):
    cleared = remove(pod, [r.id for r in pod.racks if r.id.startswith("B")])
    row = add_rack_row(cleared, 4, 3.0, 5.4, 132.0, "north", prefix="N")
    new_ids = [r.id for r in row.racks if r.id.startswith("N")]
    assert new_ids == ["N1", "N2", "N3", "N4"]
    unpiped = [str(p) for p in check_layout(row)]
    assert any("racks[4].supply: junction 'N1-S' is not piped" in line for line in unpiped)
    piped = pipe_row(row, new_ids, "CDU-1")
    assert not [p for p in check_layout(piped) if p.severity == "error"]
    # Every new pipe carries its design flow at or under 2 m/s, in the smallest bore that does.
    branch = next(p for p in piped.pipes if p.to == "N1-S")
    assert branch.diameter == pytest.approx(STANDARD_BORES_MM[50] * 1e-3)  # 198 L/min -> DN50


def test_pipe_sizing_picks_the_smallest_bore_under_the_velocity_limit():
    flow = 198 / 6e4  # one 132 kW rack at 1.5 L/min per kW
    bore = size_bore(flow, 2.0)
    velocity = flow / (math.pi * (bore * 1e-3) ** 2 / 4)
    assert bore == STANDARD_BORES_MM[50]
    assert 1.4 < velocity <= 2.0
    smaller = STANDARD_BORES_MM[40] * 1e-3
    assert flow / (math.pi * smaller**2 / 4) > 2.0
    with pytest.raises(EditError, match="needs more than DN600"):
        size_bore(10.0, 2.0)


def test_connect_and_length_from_geometry(pod):
    new = connect(pod, "A1-S", "A2-S", 52.5, pipe_id="PX")
    a, b = new.nodes["A1-S"], new.nodes["A2-S"]
    assert pipe_length(new, "PX") == pytest.approx(math.dist((a.x, a.y), (b.x, b.y)))
    with pytest.raises(EditError, match="ends at the junction it starts from"):
        connect(pod, "A1-S", "A1-S", 52.5)


def test_add_with_a_duplicate_id_is_refused(pod):
    with pytest.raises(EditError, match="duplicate id 'A1'"):
        add(pod, "junctions", {"id": "A1", "x_m": 1, "y_m": 1})
    assert next_id(pod, "A") == "A5"
