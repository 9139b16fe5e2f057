"""Hundreds of broken files: always exit 1, a message naming the place, never a traceback."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.cli import main
from twin.examples import layouts_dir

SEEDS = {name: json.loads((layouts_dir() / f"{name}.json").read_text())
         for name in ("pod-1mw", "rows-3mw")}

#: Required keys per collection, and the numeric ones with a range to break.
REQUIRED = {"racks": ["id", "x_m", "y_m", "power_kw", "supply", "return"],
            "pipes": ["id", "from", "to", "diameter_mm"],
            "junctions": ["id", "x_m", "y_m"],
            "cdus": ["id", "capacity_kw", "supply", "return", "facility_flow_lpm"]}
OUT_OF_RANGE = {("racks", "power_kw"): st.floats(-1e6, 0.0),
                ("racks", "capture_fraction"): st.floats(1.0001, 1e6),
                ("pipes", "diameter_mm"): st.floats(-1e3, 0.0),
                ("junctions", "elevation_m"): st.floats(50.001, 1e8),
                ("cdus", "capacity_kw"): st.floats(-1e5, 0.0)}
NOT_A_NUMBER = st.one_of(st.text(max_size=5), st.booleans(), st.none(),
                         st.lists(st.integers(), max_size=2), st.just({}))
BAD_IDS = st.text(alphabet="XYZ_-.0123456789", min_size=1, max_size=8).map(lambda s: "Q" + s)


def locate(document: dict, draw, collection: str) -> tuple[str, dict]:
    """A random element of a collection: its path and the element."""
    items = document[collection]
    index = draw(st.integers(0, len(items) - 1))
    return f"{collection}[{index}]", items[index]


@st.composite
def broken(draw):
    """(document or raw bytes, text the message must contain)."""
    seed = draw(st.sampled_from(sorted(SEEDS)))
    document = copy.deepcopy(SEEDS[seed])
    kind = draw(st.sampled_from(["drop", "type", "range", "unknown", "duplicate", "dangling",
                                 "self_loop", "garbage", "truncate"]))
    if kind == "drop":
        collection = draw(st.sampled_from(sorted(REQUIRED)))
        path, item = locate(document, draw, collection)
        key = draw(st.sampled_from(REQUIRED[collection]))
        del item[key]
        return document, f"{path}.{key}: required key is missing"
    if kind == "type":
        collection, key = draw(st.sampled_from(sorted(OUT_OF_RANGE)))
        path, item = locate(document, draw, collection)
        item[key] = draw(NOT_A_NUMBER)
        return document, f"{path}.{key}: must be a number"
    if kind == "range":
        collection, key = draw(st.sampled_from(sorted(OUT_OF_RANGE)))
        path, item = locate(document, draw, collection)
        item[key] = draw(OUT_OF_RANGE[(collection, key)])
        return document, f"{path}.{key}: must be"
    if kind == "unknown":
        collection = draw(st.sampled_from(sorted(REQUIRED)))
        path, item = locate(document, draw, collection)
        key = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
                   .filter(lambda k: k not in item))
        item[key] = draw(st.integers())
        return document, f"{path}.{key}: unknown key"
    if kind == "duplicate":
        racks = document["racks"]
        i, j = draw(st.lists(st.integers(0, len(racks) - 1), min_size=2, max_size=2,
                             unique=True))
        racks[j]["id"] = racks[i]["id"]
        return document, f"duplicate id '{racks[i]['id']}'"
    if kind == "dangling":
        path, pipe = locate(document, draw, "pipes")
        end = draw(st.sampled_from(["from", "to"]))
        pipe[end] = draw(BAD_IDS)
        return document, f"{path}.{end}: junction '{pipe[end]}' does not exist"
    if kind == "self_loop":
        path, pipe = locate(document, draw, "pipes")
        pipe["to"] = pipe["from"]
        return document, f"{path}.to: '{pipe['id']}' ends at the junction it starts from"
    if kind == "garbage":
        return draw(st.binary(min_size=0, max_size=200)), ""
    text = json.dumps(document).encode()
    return text[:draw(st.integers(0, len(text) - 2))], ""


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=broken())
def test_broken_files_never_crash(case):
    content, expected = case
    stdout, stderr = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hall.json"
        path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(["validate", str(path)])
        assert sorted(p.name for p in Path(folder).iterdir()) == ["hall.json"]  # wrote nothing
    out, err = stdout.getvalue(), stderr.getvalue()
    assert status == 1
    assert "Traceback" not in out + err
    problem_lines = [line for line in err.splitlines() if not line.endswith("was run or written")]
    assert problem_lines and all(line.startswith(str(path)) for line in problem_lines)
    assert expected in err
