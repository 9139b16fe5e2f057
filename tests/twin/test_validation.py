"""The hall's rules: each mistake a designer can make gets a message naming its place."""

from __future__ import annotations

import copy

import pytest

from twin.errors import ValidationError
from twin.files import parse_layout, parse_scenario
from twin.validation import check_layout, check_scenario, validate_files
from twin.validation.summary import summarize

from .conftest import EXAMPLES


def problems_of(document: dict) -> list[str]:
    """Every problem (schema or rules) of a layout document, as printed lines."""
    try:
        layout = parse_layout(document, "hall.json")
    except ValidationError as error:
        return [str(p) for p in error.problems]
    return [str(p) for p in check_layout(layout, "hall.json")]


@pytest.fixture
def doc(pod_document):
    return copy.deepcopy(pod_document)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_valid_alone_and_with_each_scenario(path):
    report = validate_files(path)
    assert report.errors == []
    scenarios = sorted((path.parent / "scenarios").glob(f"{path.stem}--*.json"))
    assert scenarios, f"no scenarios for {path.name}"
    for scenario in scenarios:
        assert validate_files(path, scenario).errors == []


def test_schema_messages_name_the_place_and_what_is_allowed(doc):
    doc["racks"][3]["power_kw"] = -5
    doc["racks"][1]["inlet"] = "up"
    doc["racks"][2]["powr_kw"] = 100
    doc["cdus"][0]["pumps"][0]["curve"]["head_kpa"] = [100, 200, 0]
    del doc["hall"]["depth_m"]
    lines = problems_of(doc)
    assert "hall.json: racks[3].power_kw: must be > 0 kW, got -5" in lines
    assert any(line.startswith("hall.json: racks[1].inlet: must be 'north', 'east', 'south' or "
                               "'west', got 'up'") for line in lines)
    assert any("racks[2].powr_kw: unknown key (did you mean 'power_kw'?)" in line
               for line in lines)
    assert "hall.json: cdus[0].pumps[0].curve: head_kpa must decrease strictly" in lines
    assert "hall.json: hall.depth_m: required key is missing" in lines


def test_duplicate_and_dangling_ids(doc):
    doc["racks"][1]["id"] = doc["racks"][0]["id"]
    doc["pipes"][0]["to"] = "NOWHERE"
    doc["racks"][2]["supply"] = "GHOST"
    doc["leaks"][0]["at"] = "P404"
    doc["air_units"][0]["water_source"] = "CDU-9"
    lines = problems_of(doc)
    assert "hall.json: racks[1].id: duplicate id 'A1' (also racks[0])" in lines
    assert "hall.json: pipes[0].to: junction 'NOWHERE' does not exist" in lines
    assert "hall.json: racks[2].supply: junction 'GHOST' does not exist" in lines
    assert "hall.json: leaks[0].at: no junction or pipe 'P404'" in lines
    assert ("hall.json: air_units[0].water_source: must be 'facility' or a CDU id, got 'CDU-9'"
            in lines)


def test_pipe_to_itself_and_rack_with_one_node(doc):
    doc["pipes"][4]["to"] = doc["pipes"][4]["from"]
    doc["racks"][0]["return"] = doc["racks"][0]["supply"]
    lines = problems_of(doc)
    assert any(line.startswith("hall.json: pipes[4].to: ") and "ends at the junction it starts "
               "from" in line for line in lines)
    assert "hall.json: racks[0].return: 'A1' has the same junction for supply and return" in lines


def test_geometry_outside_overlap_and_blocked_inlet(doc):
    doc["racks"][0]["x_m"] = 11.8  # 0.6 m wide in a 12 m hall
    doc["racks"][2]["x_m"] = doc["racks"][1]["x_m"] + 0.3  # half on top of its neighbour
    doc["air_units"][0]["y_m"] = 1.0
    doc["cdus"][0]["y_m"] = 1.9  # in front of... nothing: CDU fronts are not checked
    doc["racks"][7]["y_m"] = 2.1  # B4 moved in front of row A's inlets
    lines = problems_of(doc)
    assert any(line.startswith("hall.json: racks[0]: 'A1' reaches (12.4, 4.2) m, outside the hall")
               for line in lines)
    assert any("racks[2]: 'A3' overlaps 'A2' (racks[1])" in line for line in lines)
    assert any("'B4' blocks the inlet of" in line for line in lines)


def test_inlet_facing_a_wall(doc):
    doc["racks"][0]["y_m"] = 0.2
    lines = problems_of(doc)
    assert any("racks[0]: the inlet of 'A1' faces a wall with less than 0.6 m clear" in line
               for line in lines)


def test_loop_needs_pump_and_tank(doc):
    doc["cdus"][0]["pumps"] = []
    doc["cdus"][0]["expansion_tank"] = None
    lines = problems_of(doc)
    assert "hall.json: cdus[0].pumps: the loop of 'CDU-1' has no pump" in lines
    assert "hall.json: cdus[0].expansion_tank: the loop of 'CDU-1' has no expansion tank" in lines


def test_all_pumps_standby(doc):
    for pump in doc["cdus"][0]["pumps"]:
        pump["standby"] = True
    assert any("every pump on the loop of 'CDU-1' is standby" in line
               for line in problems_of(doc))


def test_rack_not_connected_between_supply_and_return(doc):
    # Cut rack A1's supply branch: its supply junction is then piped to nothing.
    doc["pipes"] = [p for p in doc["pipes"] if p["to"] != "A1-S"]
    lines = problems_of(doc)
    assert "hall.json: racks[0].supply: junction 'A1-S' is not piped to any CDU supply" in lines


def test_rack_on_a_loop_without_cdu(doc):
    doc["junctions"] += [{"id": "X-S", "x_m": 1, "y_m": 8}, {"id": "X-R", "x_m": 1.2, "y_m": 8}]
    doc["racks"].append({**doc["racks"][0], "id": "X1", "x_m": 9.0, "y_m": 7.0,
                         "supply": "X-S", "return": "X-R"})
    assert "hall.json: racks[8]: rack(s) X1 hang on a loop with no CDU" in problems_of(doc)


def test_cdu_capacity_below_load_is_a_warning(doc):
    doc["cdus"][0]["capacity_kw"] = 500
    layout = parse_layout(doc, "hall.json")
    problems = check_layout(layout, "hall.json")
    warnings = [str(p) for p in problems if p.severity == "warning"]
    assert warnings == ["hall.json: cdus[0].capacity_kw: warning: CDU capacity 500 kW on the loop "
                        "of 'CDU-1' is below the 768 kW of liquid heat its racks make"]
    assert not [p for p in problems if p.severity == "error"]


def test_scenario_targets_kinds_times_and_values(pod):
    scenario = parse_scenario({
        "format": "halltwin-scenario", "version": 1, "name": "bad", "duration_s": 100,
        "events": [
            {"action": "fail", "time_s": 10, "target": "CDU-9"},
            {"action": "close_valve", "time_s": 10, "target": "A1"},
            {"action": "fail", "time_s": 500, "target": "CDU-1"},
            {"action": "load_step", "time_s": 5, "targets": ["A1", "Z9"], "fraction": 0.5},
            {"action": "set", "time_s": 5, "target": "CDU-1", "property": "speed", "value": 1},
            {"action": "set", "time_s": 5, "target": "A1", "property": "power_kw", "value": -3},
        ]}, "s.json")
    lines = [str(p) for p in check_scenario(scenario, pod, "s.json")]
    assert lines[0] == "s.json: events[0].target: no component 'CDU-9' in the layout"
    assert lines[1] == ("s.json: events[1].target: 'A1' is a rack; 'close_valve' applies to valve")
    assert lines[2] == ("s.json: events[2].time_s: 500 s is after the end of the run "
                        "(duration_s = 100)")
    assert lines[3] == "s.json: events[3].targets: no rack(s) 'Z9'; give rack ids or 'all'"
    assert lines[4].startswith("s.json: events[4].property: 'CDU-1' has no numeric property "
                               "'speed'; allowed: x_m, y_m,")
    assert lines[5] == "s.json: events[5].value: must be > 0 kW, got -3 (as A1.power_kw)"


def test_scenario_schema_errors():
    with pytest.raises(ValidationError) as caught:
        parse_scenario({"format": "halltwin-scenario", "version": 1, "name": "x",
                        "duration_s": 10, "events": [{"action": "explode", "time_s": 1},
                                                     {"time_s": 2}]}, "s.json")
    lines = [str(p) for p in caught.value.problems]
    assert lines[0].startswith("s.json: events[0]: unknown action 'explode'; allowed: 'fail'")
    assert lines[1] == "s.json: events[1]: required key 'action' is missing"


def test_summary_counts_capacity_with_n_plus_1():
    report = validate_files(EXAMPLES[0].parent / "rows-3mw.json")
    text = "\n".join(summarize(report.layout))
    assert "racks      24, IT 3,168 kW" in text
    assert "capacity 4,104 kW; with N+1 (largest CDU out) 2,736 kW for 2,534 kW" in text
    assert "(covered)" in text


def test_an_unknown_key_named_like_an_event_action_is_still_named(doc):
    doc["cdus"][0]["load_swing"] = 1  # found by the fuzz test: the name of a union tag
    assert any(line.startswith("hall.json: cdus[0].load_swing: unknown key")
               for line in problems_of(doc))
