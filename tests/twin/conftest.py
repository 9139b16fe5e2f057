"""Fixtures for the twin tests: the example halls as documents and models."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from twin.examples import layouts_dir
from twin.files import parse_layout

EXAMPLES = sorted(layouts_dir().glob("*.json"))


@pytest.fixture(scope="session")
def pod_document() -> dict:
    """The pod-1mw layout as a JSON document."""
    return json.loads((layouts_dir() / "pod-1mw.json").read_text())


@pytest.fixture
def pod(pod_document):
    """The pod-1mw layout as a model."""
    return parse_layout(copy.deepcopy(pod_document), "pod-1mw.json")


@pytest.fixture
def write_json(tmp_path: Path):
    """Write a document to a file in a temporary folder and return its path."""
    def write(document, name: str = "layout.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(document))
        return path
    return write
