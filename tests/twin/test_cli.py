"""The command line: exit codes, summaries, schema export, ``python -m twin``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from twin import __version__
from twin.cli import main
from twin.examples import layouts_dir


def test_validate_prints_a_summary_and_exits_0(capsys):
    path = layouts_dir() / "pod-1mw.json"
    scenario = layouts_dir() / "scenarios" / "pod-1mw--pump-trip.json"
    assert main(["validate", str(path), str(scenario)]) == 0
    out = capsys.readouterr().out
    assert "racks      8, IT 960 kW (liquid 768 kW, air 192 kW)" in out
    assert "pod-1mw--pump-trip.json: valid (Duty pump trip: 1 events over 600 s)" in out


def test_validate_bad_layout_exits_1_with_one_line_per_problem(tmp_path, pod_document, capsys):
    document = json.loads(json.dumps(pod_document))
    document["racks"][12 % len(document["racks"])]["power_kw"] = -5
    document["pipes"][0]["to"] = "MISSING"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{path}: racks[4].power_kw: must be > 0 kW, got -5"
    assert err[-1] == "1 problem found; nothing was run or written"


def test_scenario_for_another_hall_is_caught(capsys):
    layout = layouts_dir() / "pod-1mw.json"
    scenario = layouts_dir() / "scenarios" / "rows-3mw--cdu-loss.json"
    assert main(["validate", str(layout), str(scenario)]) == 1
    assert "no component 'CDU-2' in the layout" in capsys.readouterr().err


def test_schema_export_writes_valid_json_schemas(tmp_path, capsys):
    assert main(["schema", str(tmp_path)]) == 0
    layout_schema = json.loads((tmp_path / "layout.schema.json").read_text())
    assert layout_schema["additionalProperties"] is False
    rack = layout_schema["$defs"]["Rack"]["properties"]["power_kw"]
    assert rack["exclusiveMinimum"] == 0 and "[kW]" in rack["description"]
    assert main(["schema", str(tmp_path / "absent")]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_committed_schemas_are_current(tmp_path):
    main(["schema", str(tmp_path)])
    docs = layouts_dir().parent / "docs" / "schema"
    for name in ("layout.schema.json", "scenario.schema.json"):
        assert (docs / name).read_text() == (tmp_path / name).read_text(), \
            "run `make schema` and commit docs/schema"


def test_demo_runs_the_default_incident(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for name in ("pod-1mw.json: valid, 5 scenarios", "rows-3mw.json: valid, 3 scenarios",
                 "hall-10mw.json: valid, 3 scenarios"):
        assert name in out
    assert "first alarm: 60.00 s  CDU-1  alarm: no pump running or starting on CDU-1" in out
    assert "compute lost: " in out and "rack-hours tripped" in out


def test_python_m_twin_and_version():
    result = subprocess.run([sys.executable, "-m", "twin", "--version"], capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == f"halltwin {__version__}"


def test_missing_file_is_a_message_not_a_traceback():
    result = subprocess.run([sys.executable, "-m", "twin", "validate", "no-such.json"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("no-such.json: no such file")
    assert "Traceback" not in result.stderr


def test_output_piped_into_head_stops_quietly():
    """The 10 MW report (~74 kB) overfills the pipe after ``head`` has gone."""
    hall = layouts_dir() / "hall-10mw.json"
    result = subprocess.run(f"'{sys.executable}' -m twin check '{hall}' --json | head -1",
                            shell=True, capture_output=True, text=True)
    assert result.stdout == "{\n"
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--until", "nan"], "--until must be a finite number > 0 s, got nan"),
    (["--until", "inf"], "--until must be a finite number > 0 s, got inf"),
    (["--until", "-3"], "--until must be a finite number > 0 s, got -3"),
    (["--dt", "nan"], "--dt must be > 0 and at most 60 s, got nan"),
    (["--dt", "61"], "--dt must be > 0 and at most 60 s, got 61"),
    (["--grid", "0"], "--grid must be a finite number > 0 m, got 0"),
    (["--grid", "-1"], "--grid must be a finite number > 0 m, got -1"),
    (["--grid", "nan"], "--grid must be a finite number > 0 m, got nan"),
    (["--grid", "10"], "air grid 10 m is too coarse for the 12 x 9 x 4.5 m hall: use a grid "
                       "of at most 0.6 m"),
])
def test_run_refuses_numbers_out_of_range(tmp_path, capsys, args, message):
    """NaN passes every ``<=`` check: ``--until nan`` used to "complete" at 0 s with exit 0,
    ``--until inf`` and ``--dt nan`` ran for ever, ``--grid 0`` quietly took the layout's
    grid and ``--grid -1`` or ``10`` ended in a traceback."""
    out = tmp_path / "run.h5"
    assert main(["run", str(layouts_dir() / "pod-1mw.json"), *args, "-o", str(out),
                 "--quiet"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert err == f"halltwin run: {message}\n"
    assert not out.exists()


def test_a_backend_this_machine_lacks_is_a_message(tmp_path, capsys, monkeypatch):
    """``--backend cupy`` where CuPy does not import (made so here, GPU or not)."""
    monkeypatch.setitem(sys.modules, "cupy", None)
    out = tmp_path / "run.h5"
    assert main(["run", str(layouts_dir() / "pod-1mw.json"), "--backend", "cupy", "-o",
                 str(out), "--quiet"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert err.startswith("halltwin run: backend 'cupy' is unavailable: cupy does not import")
    assert err.endswith("; choose another (auto takes the fastest that works here)\n")
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize(("output", "message"), [
    ("{tmp}", "-o {tmp}: is a folder; give a file name in it"),
    ("{tmp}/run.csv", "-o {tmp}/run.csv: must end in .h5 or .hdf5"),
    ("{layout}", "-o {layout}: is the layout this command reads; writing there would destroy "
                 "it, give another name"),
])
def test_run_will_not_write_over_a_folder_its_layout_or_another_kind_of_file(
        tmp_path, capsys, output, message):
    """``-o`` naming the layout itself used to replace it by the run file."""
    layout = tmp_path / "hall.json"
    layout.write_bytes((layouts_dir() / "pod-1mw.json").read_bytes())
    output = output.format(tmp=tmp_path, layout=layout)
    assert main(["run", str(layout), "--no-air", "--until", "5", "-o", output, "--quiet"]) == 1
    assert capsys.readouterr().err.startswith(
        f"halltwin run: {message.format(tmp=tmp_path, layout=layout)}")
    assert layout.read_bytes() == (layouts_dir() / "pod-1mw.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hall.json"]
