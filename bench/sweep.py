"""Speed-up of a contingency sweep with the number of Dask workers.

    .venv/bin/python bench/sweep.py [--layout layouts/rows-3mw.json] [--workers 1 2]
                                    [--until 900] [--repeat 2]

Runs the layout's N-1 sweep (coolant only, as `halltwin sweep` does by
default) in this process one contingency after another, then on a local
cluster of each number of workers, and prints per sweep: the cluster's start
time, the sweep's wall time (from submitting to the last result; best of
``--repeat``) and the speed-up over one worker.  Numbers are printed, never
judged; `docs/performance.md` ("Sweeps") records them with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twin.files import load_layout, to_document  # noqa: E402
from twin.sweeps import contingencies, run_contingency  # noqa: E402
from twin.sweeps.runner import connect, run_sweep  # noqa: E402


def serial(layout, cases) -> float:
    """Wall time (s) of every contingency run here, one after another."""
    document = to_document(layout)
    started = time.perf_counter()
    for c in cases:
        run_contingency(document, to_document(c.scenario), c.id, c.kind, {"air": False})
    return time.perf_counter() - started


def on_cluster(layout, cases, workers: int, repeat: int) -> tuple[float, float]:
    """(cluster start time, best sweep wall time) in seconds on ``workers`` processes."""
    started = time.perf_counter()
    with connect(None, workers) as client:
        client.wait_for_workers(workers)
        start = time.perf_counter() - started
        best = float("inf")
        for _ in range(repeat):
            began = time.perf_counter()
            rows = run_sweep(client, layout, cases, {"air": False})
            best = min(best, time.perf_counter() - began)
            assert all(r["status"] == "complete" for r in rows)
    return start, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", default=str(ROOT / "layouts" / "rows-3mw.json"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--until", type=float, default=900.0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    import distributed

    layout = load_layout(args.layout)
    cases = contingencies(layout, 1, args.until)
    print(f"machine: {platform.machine()} {platform.processor() or ''}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; Python "
          f"{platform.python_version()}, distributed {distributed.__version__}")
    print(f"sweep: {Path(args.layout).name}, {len(cases)} N-1 contingencies to "
          f"{args.until:g} s, coolant only")
    alone = serial(layout, cases)
    print(f"in-process, one after another: {alone:6.2f} s "
          f"({alone / len(cases):.2f} s per contingency)")
    print(f"{'workers':>7} {'start s':>8} {'sweep s':>8} {'speed-up':>9} {'vs serial':>10}")
    base = None
    for workers in args.workers:
        start, wall = on_cluster(layout, cases, workers, args.repeat)
        base = base or wall
        print(f"{workers:>7} {start:8.2f} {wall:8.2f} {base / wall:8.2f}x {alone / wall:9.2f}x")


if __name__ == "__main__":
    main()
