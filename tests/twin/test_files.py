"""Reading and saving files: round trips, atomic saves, garbage in."""

from __future__ import annotations

import copy
import json
import os

import pytest

from twin.errors import UserError, ValidationError
from twin.files import dump_text, load_layout, load_scenario, read_json, save_atomic
from twin.model.scenario import Scenario

from .conftest import EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_round_trip_gives_an_equal_model(path, tmp_path):
    first = load_layout(path)
    save_atomic(first, tmp_path / "copy.json")
    second = load_layout(tmp_path / "copy.json")
    assert second == first
    # And the committed file is exactly what saving writes (nothing lost or added).
    assert dump_text(second) == path.read_text()


def test_si_inside_file_units_outside(pod):
    rack = pod.racks[0]
    assert rack.power == pytest.approx(120e3)  # W
    assert rack.design_flow == pytest.approx(180 / 6e4)  # 1.5 L/min per kW, in m^3/s
    assert rack.design_dp == pytest.approx(60e3)  # Pa
    document = json.loads(dump_text(pod))
    assert document["racks"][0]["power_kw"] == 120.0
    assert document["pipes"][0]["diameter_mm"] == pytest.approx(pod.pipes[0].diameter * 1e3)


def test_save_is_atomic_when_the_rename_fails(pod, tmp_path, monkeypatch):
    target = tmp_path / "hall.json"
    target.write_text("old content")

    def broken_replace(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(UserError, match="cannot be saved: No space left"):
        save_atomic(pod, target)
    assert target.read_text() == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["hall.json"]  # no temporary left


def test_save_into_a_missing_folder_is_a_user_error(pod, tmp_path):
    with pytest.raises(UserError, match="cannot write here"):
        save_atomic(pod, tmp_path / "nowhere" / "hall.json")


GARBAGE = {
    "empty": (b"", "is empty"),
    "blank": (b"  \n\t ", "is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
    "latin1": ('{"name": "caf\xe9"}'.encode("latin-1"), "not UTF-8"),
    "not json": (b"racks: 8", "not valid JSON: Expecting value at line 1 column 1"),
    "truncated": (b'{"format": "halltwin-layout", "racks": [', "not valid JSON"),
    "nan": (b'{"format": "halltwin-layout", "x": NaN}', "NaN is not a number JSON allows"),
    "infinity": (b'{"format": "halltwin-layout", "x": -Infinity}', "-Infinity is not a number"),
    "huge int": (b'{"x": ' + b"9" * 5000 + b"}", "not valid JSON"),
    "deep": (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    "array": (b"[1, 2, 3]", "must be a JSON object"),
    "wrong format": (b'{"format": "epanet"}', 'must be "halltwin-layout", got "epanet"'),
    "no format": (b'{"racks": []}', 'must be "halltwin-layout", got null'),
    "newer": (b'{"format": "halltwin-layout", "version": 7}', "version 7 is newer"),
    "scenario": (b'{"format": "halltwin-scenario"}', "is a scenario file; a layout file"),
}


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_gets_one_clear_message(name, tmp_path):
    content, expected = GARBAGE[name]
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        load_layout(path)
    text = str(caught.value)
    assert text.startswith(str(path))
    assert expected in text


def test_huge_numbers_are_out_of_range(pod_document, tmp_path):
    document = copy.deepcopy(pod_document)
    document["racks"][0]["power_kw"] = 1e308
    document["hall"]["width_m"] = "WIDTH"
    path = tmp_path / "huge.json"
    # 1e400 is valid JSON text that Python reads as infinity.
    path.write_text(json.dumps(document).replace('"WIDTH"', "1e400"))
    with pytest.raises(ValidationError) as caught:
        load_layout(path)
    messages = [str(p) for p in caught.value.problems]
    assert any("racks[0].power_kw: must be a finite number of magnitude" in m for m in messages)
    assert any("hall.width_m: must be a finite number" in m for m in messages)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ValidationError, match="no such file"):
        read_json(tmp_path / "absent.json")
    with pytest.raises(ValidationError, match="is a folder"):
        read_json(tmp_path)


def test_scenario_files_load(tmp_path):
    scenarios = sorted((EXAMPLES[0].parent / "scenarios").glob("*.json"))
    assert len(scenarios) >= 6
    for path in scenarios:
        scenario = load_scenario(path)
        assert isinstance(scenario, Scenario)
        save_atomic(scenario, tmp_path / path.name)
        assert load_scenario(tmp_path / path.name) == scenario
