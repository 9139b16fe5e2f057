"""``halltwin demo``: the default incident, run headless, and its summary.

Every example hall is validated with each of its scenarios, then the
default incident — `pod-1mw`'s duty pump trips while its standby is out of
service — is run (coolant side only, so it takes seconds) into a run file in
a temporary folder, and the summary ``halltwin info`` would print is shown:
the pump failure, the loop's alarm, every rack throttling then tripping.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from twin.errors import UserError
from twin.examples import example_layouts, layouts_dir, scenarios_for
from twin.files import load_layout, load_scenario
from twin.validation import validate_files

DEFAULT_INCIDENT = ("pod-1mw", "pod-1mw--pump-trip-no-standby")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser("demo", help="validate the examples and run the default "
                                                "incident headless")
    parser.set_defaults(func=run)


def _validate_examples() -> int:
    layouts = example_layouts()
    if not layouts:
        raise UserError(f"{layouts_dir()}: no example layouts found")
    failed = 0
    for layout in layouts:
        checks = [validate_files(layout)] + [validate_files(layout, s)
                                             for s in scenarios_for(layout)]
        errors = [p for c in checks for p in c.errors]
        print(f"{layout.name}: {'valid' if not errors else 'INVALID'}, "
              f"{len(checks) - 1} scenarios")
        for problem in errors:
            print(f"  {problem}")
        failed += bool(errors)
    return failed


def run(args: argparse.Namespace) -> int:
    """Validate every example, then run and summarize the default incident."""
    # Imported here, not at the top, so `halltwin --version` and --help stay fast.
    from twin.cli.info import summarize as summarize_run
    from twin.engine import EngineOptions, Simulation
    from twin.engine.recording import open_run_file
    from twin.runs import RunReader

    if _validate_examples():
        return 1
    hall, incident = DEFAULT_INCIDENT
    layout = load_layout(layouts_dir() / f"{hall}.json")
    scenario = load_scenario(layouts_dir() / "scenarios" / f"{incident}.json")
    print(f"\nRunning {incident} (coolant side; add the room air with `halltwin run`)...")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{incident}.h5"
        sim = Simulation(layout, scenario, EngineOptions(air=False))
        sim.writer = open_run_file(sim, path, ["halltwin", "demo"])
        try:
            sim.run()
        finally:
            sim.writer.close("complete" if sim.time >= scenario.duration else "failed")
        with RunReader(path) as reader:
            for line in summarize_run(reader):
                print(line)
    return 0
