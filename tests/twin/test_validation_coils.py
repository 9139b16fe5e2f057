"""The CDU capacity warning counts the heat rear doors and air units on its water return.

Worked by hand on the pod (one CDU, 35 degC TCS supply; one CRAH at 24 degC;
racks of 120 kW, capture 0.8).  Row A's racks heat their 24 kW of air by 25 K
(960 W/K of air) and wear doors on CDU-1's water; row B's wear doors on
facility water.  At design the door sees the flows it is rated at (its rack's
nominal air, its rated water), so its effectiveness is its rated one,
``capacity / (C_min x 20 K)`` while that stays below 0.9, and it takes
``capacity x (T_exhaust - T_water) / 20 K`` with 24 + 25 - 35 = 14 K:

- a 15 kW door: 15 x 14 / 20 = 10.5 kW (effectiveness 15 / 19.2 = 0.78);
- a 20 kW door would need 20 / 19.2 > 0.9: capped, 0.9 x 960 W/K x 14 K = 12.096 kW.

A CRAH on CDU-1's water counts at its 250 kW rating.
"""

from __future__ import annotations

import copy

import pytest

from twin.files import parse_layout
from twin.liquid.coils import MAX_EFFECTIVENESS, RATED_ETD_K
from twin.validation import check_layout, coolant_loops, loop_heat
from twin.validation.summary import summarize

RACKS = 8 * 0.8 * 120e3  # W of liquid heat
DOOR_KW = 15.0
DOOR = DOOR_KW * 1e3 * (24.0 + 25.0 - 35.0) / RATED_ETD_K  # W each, 10.5 kW
CRAH = 250e3  # W


def pod_with(pod_document, *, doors_kw: float | None = None, crah_on_cdu: bool = False,
             cdu_kw: float | None = None) -> dict:
    document = copy.deepcopy(pod_document)
    for rack in document["racks"]:
        row_a = rack["id"].startswith("A")
        rack["air_delta_t_k"] = 25.0
        if doors_kw is not None:
            rack["rear_door"] = {"capacity_kw": doors_kw,
                                 "water_source": "CDU-1" if row_a else "facility"}
    if crah_on_cdu:
        crah = copy.deepcopy(document["air_units"][0])
        crah.update(id="CRAH-2", x_m=10.7, supply="west", water_source="CDU-1")
        document["air_units"].append(crah)
    if cdu_kw is not None:
        document["cdus"][0]["capacity_kw"] = cdu_kw
    return document


def warnings_of(document: dict) -> list[str]:
    layout = parse_layout(document, "hall.json")
    problems = check_layout(layout, "hall.json")
    assert not [p for p in problems if p.severity == "error"]
    return [str(p) for p in problems if p.severity == "warning"]


def heat_of(document: dict):
    layout = parse_layout(document, "hall.json")
    [loop] = coolant_loops(layout)
    return loop_heat(layout, loop)


def test_design_heat_of_the_doors_and_air_units_on_the_cdus_water(pod_document):
    heat = heat_of(pod_with(pod_document, doors_kw=DOOR_KW, crah_on_cdu=True))
    assert heat.racks == pytest.approx(RACKS, rel=1e-12)
    # Row A's four doors on CDU-1; row B's (facility water) are not the CDU's.
    assert (heat.n_doors, heat.n_air_units) == (4, 1)
    assert heat.doors == pytest.approx(4 * DOOR, rel=1e-12)
    assert heat.air_units == pytest.approx(CRAH, rel=1e-12)  # its rating
    assert heat.total == pytest.approx(RACKS + 4 * DOOR + CRAH, rel=1e-12)
    # A door rated above what 0.9 of its rack's air could give takes 0.9 C_air dT.
    capped = heat_of(pod_with(pod_document, doors_kw=20.0))
    air_rate = 24e3 / 25.0  # W/K
    assert capped.doors == pytest.approx(4 * MAX_EFFECTIVENESS * air_rate * 14.0, rel=1e-12)
    # Nothing on the CDU's water: the racks alone, as before.
    alone = heat_of(pod_with(pod_document))
    assert (alone.total, alone.n_doors, alone.n_air_units) == (pytest.approx(RACKS), 0, 0)


def test_doors_push_a_cdu_that_fits_its_racks_over_its_capacity(pod_document):
    # 768 kW of racks fit 800 kW; with 42 kW of doors the loop needs 810 kW.
    assert warnings_of(pod_with(pod_document, cdu_kw=800.0)) == []
    lines = warnings_of(pod_with(pod_document, doors_kw=DOOR_KW, cdu_kw=800.0))
    assert lines == ["hall.json: cdus[0].capacity_kw: warning: CDU capacity 800 kW on the "
                     "loop of 'CDU-1' is below the 810 kW it must take at design: 768 kW of "
                     "liquid heat its racks make + 42 kW its 4 rear doors take"]


def test_an_air_unit_on_the_cdus_water_counts_at_its_rating(pod_document):
    # 768 kW of racks fit 1,000 kW; the CRAH's 250 kW rating does not.
    assert warnings_of(pod_with(pod_document, cdu_kw=1000.0)) == []
    lines = warnings_of(pod_with(pod_document, crah_on_cdu=True, cdu_kw=1000.0))
    assert lines == ["hall.json: cdus[0].capacity_kw: warning: CDU capacity 1,000 kW on the "
                     "loop of 'CDU-1' is below the 1,018 kW it must take at design: 768 kW of "
                     "liquid heat its racks make + 250 kW of its air unit's rated capacity"]


def test_the_warning_names_the_hand_sum_and_fires_just_above_it(pod_document):
    total = RACKS + 4 * DOOR + CRAH  # 1,060 kW
    assert f"{total / 1e3:,.0f}" == "1,060"
    # A milliwatt either side of the hand sum decides it.
    below = pod_with(pod_document, doors_kw=DOOR_KW, crah_on_cdu=True,
                     cdu_kw=(total - 1e-3) / 1e3)
    above = pod_with(pod_document, doors_kw=DOOR_KW, crah_on_cdu=True,
                     cdu_kw=(total + 1e-3) / 1e3)
    assert warnings_of(above) == []
    [line] = warnings_of(below)
    assert line.startswith("hall.json: cdus[0].capacity_kw: warning: CDU capacity 1,060 kW")
    assert line.endswith("is below the 1,060 kW it must take at design: 768 kW of liquid heat "
                         "its racks make + 42 kW its 4 rear doors take + 250 kW of its air "
                         "unit's rated capacity")


def test_summary_counts_the_doors_and_air_units_on_cdu_water(pod_document):
    layout = parse_layout(pod_with(pod_document, doors_kw=DOOR_KW, crah_on_cdu=True,
                                   cdu_kw=1050.0), "hall.json")
    text = "\n".join(summarize(layout))
    assert ("loop 1     CDU-1: 8 racks, 1,060 kW liquid (racks 768 kW, doors and air units "
            "292 kW), capacity 1,050 kW") in text
    assert ("with N+1 (largest CDU out) 0 kW for 1,060 kW of liquid heat (292 kW of it from "
            "rear doors and air units) (NOT covered)") in text
    plain = "\n".join(summarize(parse_layout(pod_with(pod_document), "hall.json")))
    assert "loop 1     CDU-1: 8 racks, 768 kW liquid, capacity 1,368 kW" in plain
