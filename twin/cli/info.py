"""``halltwin info RUN.h5``: what happened in a run, in a screenful."""

from __future__ import annotations

import argparse
import json

from twin.errors import UserError
from twin.events import format_event
from twin.runs import RunReader
from twin.runs import summary as measures


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``info`` sub-command."""
    parser = subparsers.add_parser(
        "info", help="summarize a run file: peaks, first alarm, cascade, PUE, WUE",
        description="Summarize a run: status and duration, peak chip and inlet temperature "
                    "of each rack and when, the first alarm, the failure cascade from its root "
                    "cause, compute lost in rack-hours, PUE and WUE over the run.")
    parser.add_argument("run", help="run file (.h5)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the summary; return 0 (a bad file raises UserError)."""
    with RunReader(args.run) as reader:
        try:
            lines = summarize(reader)
        except (OSError, KeyError, ValueError, json.JSONDecodeError) as error:
            raise UserError(f"{args.run}: a damaged run file ({error})") from None
    print("\n".join(lines))
    return 0


def _name(document: dict | None) -> str:
    return document.get("name", "?") if isinstance(document, dict) else "none"


def summarize(run: RunReader) -> list[str]:
    """The lines ``halltwin info`` prints for a run."""
    meta = run.metadata
    times = run.series_times if run.row_count else run.frame_times
    duration = float(times[-1]) if len(times) else 0.0  # runs start at t = 0
    lines = [f"{run.path}: {run.status}, {duration:g} s simulated ({run.frame_count} frames, "
             f"{run.row_count} series rows, {run.event_count} events)"]
    lines.append(f"  layout {_name(run.layout)}; scenario {_name(run.scenario)}; backend "
                 f"{meta.get('backend') or '?'} on {meta.get('device') or '?'}; created "
                 f"{meta.get('created') or '?'} by halltwin "
                 f"{meta.get('software_version') or '?'}")
    lines += _peaks(run)
    log = run.events()
    first = log.first_abnormal()
    lines.append("first alarm: " + ("none" if first is None
                                    else format_event(log[first])))
    cascade = log.cascade()
    if cascade:
        lines.append("failure cascade (from each root cause):")
        lines += ["  " + line for line in cascade]
    else:
        lines.append("failure cascade: none (nothing went abnormal)")
    hours = measures.rack_hours(run)
    if hours is not None:
        lines.append(f"compute lost: {hours['tripped']:.3f} rack-hours tripped, "
                     f"{hours['throttled']:.3f} rack-hours throttled")
    efficiency = []
    pue, wue = measures.pue(run), measures.wue(run)
    if pue is not None:
        efficiency.append(f"PUE {pue:.3f}")
    if wue is not None:
        efficiency.append(f"WUE {wue:.3f} L/kWh")
    if efficiency:
        lines.append(", ".join(efficiency) + " over the run")
    return lines


def _peaks(run: RunReader) -> list[str]:
    chip = {p.component: p for p in measures.peaks(run, "rack_chip_temperature")}
    inlet = {p.component: p for p in measures.peaks(run, "rack_inlet_temperature")}
    if not chip and not inlet:
        return []
    lines = [f"  {'rack':<12} {'chip peak':>10} {'at':>10}   {'inlet peak':>10} {'at':>10}"]
    for rack in dict.fromkeys([*chip, *inlet]):
        row = f"  {rack:<12}"
        for peak in (chip.get(rack), inlet.get(rack)):
            row += (f" {peak.value:10.1f} {peak.time:8.1f} s  " if peak
                    else f" {'-':>10} {'-':>10}  ")
        lines.append(row.rstrip())
    return ["peaks (degC):"] + lines
