"""The committed example halls are what `layouts/build_examples.py` builds, with real numbers."""

from __future__ import annotations

import importlib.util
import json

import pytest

from twin.examples import layouts_dir
from twin.files import load_layout, to_document


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_examples",
                                                  layouts_dir() / "build_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["pod-1mw", "rows-3mw", "hall-10mw"])
def test_committed_layout_is_the_builders_output(builder, name):
    built = {"pod-1mw": builder.build_pod, "rows-3mw": builder.build_rows,
             "hall-10mw": builder.build_hall}[name]()
    committed = json.loads((layouts_dir() / f"{name}.json").read_text())
    assert to_document(built) == committed, "run `python layouts/build_examples.py`"


def test_halls_have_the_sizes_the_issue_names():
    pod = load_layout(layouts_dir() / "pod-1mw.json")
    assert [r.power for r in pod.racks] == [120e3] * 8
    assert len(pod.cdus) == 1 and len(pod.cdus[0].pumps) == 2
    rows = load_layout(layouts_dir() / "rows-3mw.json")
    assert len(rows.racks) == 24 and {r.power for r in rows.racks} == {132e3}
    assert len(rows.cdus) == 3 and rows.valves and rows.plant.towers
    hall = load_layout(layouts_dir() / "hall-10mw.json")
    assert 66 <= len(hall.racks) <= 74 and {r.power for r in hall.racks} == {140e3}
    assert len(hall.cdus) == 8 and hall.plant.chillers and hall.plant.towers
    # OCP guidance: 1.5 L/min per kW; a 132 kW rack takes ~200 L/min.
    assert rows.racks[0].design_flow * 6e4 == pytest.approx(198.0)
