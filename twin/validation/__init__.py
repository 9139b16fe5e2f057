"""The hall's rules beyond the schema (DESIGN §2): references, geometry, loops, capacity.

:func:`check_layout` returns every problem of a schema-valid layout;
:func:`validate_files` reads a layout (and a scenario) from disk and returns
the loaded models with all problems, for ``halltwin validate`` and the GUI's
problems panel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from twin.errors import ValidationError
from twin.files import load_layout, load_scenario
from twin.model.layout import Layout
from twin.model.scenario import Scenario
from twin.problems import Problem
from twin.validation.capacity import check_capacity, loop_heat
from twin.validation.geometry import check_geometry
from twin.validation.scenario_rules import check_scenario
from twin.validation.topology import check_loops, check_references, coolant_loops

__all__ = ["check_layout", "check_scenario", "validate_files", "Report", "coolant_loops",
           "loop_heat", "structural_problems"]


def structural_problems(layout: Layout, file: str = "") -> list[Problem]:
    """Errors no edit may leave behind: duplicate or dangling ids, equipment
    outside the hall or on top of other equipment."""
    problems = check_references(layout, file)
    return problems + check_geometry(layout, file)


def check_layout(layout: Layout, file: str = "") -> list[Problem]:
    """Every problem of a schema-valid layout, errors and warnings.

    Loop and capacity rules run only once references resolve, so one typo
    gives one message rather than a cascade.
    """
    references = check_references(layout, file)
    problems = references + check_geometry(layout, file)
    if not references:
        problems += check_loops(layout, file)
        problems += check_capacity(layout, file)
    for i, scenario in enumerate(layout.scenarios):
        problems += check_scenario(scenario, layout, file, f"scenarios[{i}]")
    return problems


@dataclass
class Report:
    """What ``halltwin validate`` found: the models (when readable) and the problems."""

    layout: Layout | None = None
    scenario: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the files unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Design concerns that do not stop a run."""
        return [p for p in self.problems if p.severity == "warning"]


def validate_files(layout_path: str | os.PathLike[str],
                   scenario_path: str | os.PathLike[str] | None = None) -> Report:
    """Read and check a layout and optionally a scenario; never raises for bad input."""
    report = Report()
    try:
        report.layout = load_layout(layout_path)
    except ValidationError as error:
        report.problems += error.problems
    if report.layout is not None:
        report.problems += check_layout(report.layout, str(layout_path))
    if scenario_path is not None:
        try:
            report.scenario = load_scenario(scenario_path)
        except ValidationError as error:
            report.problems += error.problems
        if report.scenario is not None and report.layout is not None:
            report.problems += check_scenario(report.scenario, report.layout, str(scenario_path))
    return report
