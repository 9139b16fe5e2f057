"""``halltwin network FILE.inp [--json]``: solve an EPANET network's snapshot.

Reads an EPANET input file, solves the steady state at time 0 with the
HallTwin network solver, and prints heads and pressures per node and flows
and velocities per link in the file's own units, with the solver's status.
Piping engineers can bring existing models this way, and it is how the
solver is checked against EPANET.
"""

from __future__ import annotations

import argparse
import json
import sys

from twin.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``network`` sub-command."""
    parser = subparsers.add_parser(
        "network", help="solve an EPANET .inp network (snapshot at time 0)",
        description="Solve the steady state of an EPANET .inp file at time 0 and print "
                    "heads, pressures, flows and velocities in the file's units.")
    parser.add_argument("file", metavar="FILE.inp", help="EPANET input file")
    parser.add_argument("--json", action="store_true",
                        help='print {"status", "units", "nodes", "links"} as JSON')
    parser.set_defaults(func=run)


def _table(data: dict, result) -> str:
    units = data["units"]
    lines = [f"status: {result.status} ({result.message})", ""]
    lines.append(f"{'node':<20} {'head ' + units['head']:>14} "
                 f"{'pressure ' + units['pressure']:>16}  state")
    for name, v in data["nodes"].items():
        lines.append(f"{name:<20} {v['head']:>14.4f} {v['pressure']:>16.4f}  "
                     f"{result.node(name)['status']}")
    lines.append("")
    lines.append(f"{'link':<20} {'flow ' + units['flow']:>14} "
                 f"{'velocity ' + units['velocity']:>16}  state")
    for name, v in data["links"].items():
        lines.append(f"{name:<20} {v['flow']:>14.4f} {v['velocity']:>16.4f}  "
                     f"{result.link(name)['status']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Solve the file; exit 0 when converged, 2 when the solver did not converge."""
    # Imported here, not at the top, so `halltwin --version` and --help stay fast.
    from solvers.network.epanet import InpError, read_inp
    from solvers.network.hydraulics import HydraulicSolver
    from solvers.network.inp_units import report

    try:
        model = read_inp(args.file)
    except InpError as error:
        raise UserError(f"{error} (see docs/network.md for what is supported)") from None
    result = HydraulicSolver(model.network, model.options).solve()
    data = report(result, model.units)
    if args.json:
        print(json.dumps(data, indent=1))
    else:
        print(_table(data, result))
    for note in (*model.notes, *result.warnings):
        print(f"halltwin network: note: {note}", file=sys.stderr)
    if not result.converged:
        print(f"halltwin network: {result.message}", file=sys.stderr)
        return 2
    return 0
