"""``halltwin schema FOLDER``: write the JSON Schemas of the layout and scenario files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from twin.errors import UserError
from twin.model.layout import Layout
from twin.model.scenario import Scenario

SCHEMAS = {"layout.schema.json": Layout, "scenario.schema.json": Scenario}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``schema`` sub-command."""
    parser = subparsers.add_parser("schema", help="export the file formats' JSON Schemas")
    parser.add_argument("folder",
                        help="folder to write layout.schema.json and scenario.schema.json")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write one schema file per format into the folder."""
    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder")
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        (folder / name).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {folder / name}")
    return 0
