"""Every verification case of the air solver at the full sizes of issue 4, with its bound.

Usage::

    python bench/verify_all.py [--backend auto|numpy|numba|cupy] [--json FILE]

Prints one line per check: the figure, the bound the issue sets, and whether
it holds.  (The test suite runs the same cases on coarser grids.)  Exit
status 1 when a check fails.  Figures, not times, decide the outcome.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solvers.air import run_case  # noqa: E402
from solvers.backend import select_backend  # noqa: E402

#: (label, case, options, [(metric path, bound, kind)]) — kind "abs" bounds |value|,
#: "range" takes (low, high), "min" a lower bound.
CHECKS = [
    ("cavity Re 100, 128² (Ghia 129)", "cavity", {"re": 100, "n": 128},
     [("reference_error.u_rms", 0.02, "abs"), ("reference_error.v_rms", 0.02, "abs")]),
    ("cavity Re 1000, 128² (Ghia 129)", "cavity", {"re": 1000, "n": 128},
     [("reference_error.u_rms", 0.02, "abs"), ("reference_error.v_rms", 0.02, "abs")]),
    ("heated cavity Ra 1e4, 128²", "heated-cavity", {"ra": 1e4, "n": 128},
     [("reference_error.Nu_avg", 0.02, "abs"), ("reference_error.u_max", 0.03, "abs"),
      ("reference_error.v_max", 0.03, "abs")]),
    ("heated cavity Ra 1e5, 128²", "heated-cavity", {"ra": 1e5, "n": 128},
     [("reference_error.Nu_avg", 0.02, "abs"), ("reference_error.u_max", 0.03, "abs"),
      ("reference_error.v_max", 0.03, "abs")]),
    ("heat equation, 16³/32³/64³", "heat", {"n": 64},
     [("metrics.observed_order", (1.9, 2.1), "range")]),
    ("advected Gaussian, 128²", "gaussian", {"n": 128},
     [("metrics.undershoot", 0.0, "min")]),
    ("Taylor-Green, 64²", "taylor-green", {"n": 64}, [("metrics.energy_error", 0.01, "abs")]),
    ("rack in a box, 0.25 m", "rack-box", {"spacing": 0.25},
     [("metrics.heat_balance_error", 0.01, "abs")]),
]


def _get(result, path):
    head, name = path.split(".")
    return result[head][name]


def _holds(value, bound, kind):
    if kind == "abs":
        return abs(value) <= bound
    if kind == "range":
        return bound[0] <= value <= bound[1]
    return value >= bound


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--json", help="also write all results to this file")
    parser.add_argument("--only", help="run only the cases whose label contains this text")
    args = parser.parse_args(argv)
    backend = select_backend(args.backend)
    print(f"backend {backend.name} on {backend.device}")
    results, failed = [], 0
    for label, case, options, checks in CHECKS:
        if args.only and args.only not in label:
            continue
        start = time.perf_counter()
        result = run_case(case, backend, **options)
        seconds = time.perf_counter() - start
        results.append(result)
        for path, bound, kind in checks:
            value = _get(result, path)
            ok = _holds(value, bound, kind)
            failed += not ok
            shown = f"in {bound}" if kind == "range" else (f">= {bound}" if kind == "min"
                                                           else f"|x| <= {bound}")
            print(f"{'ok  ' if ok else 'FAIL'} {label:34s} {path:28s} {value:+.4g}  ({shown})"
                  f"  [{seconds:.0f} s]")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"{len(results)} cases, {failed} failed checks")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
