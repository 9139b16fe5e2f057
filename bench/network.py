"""Coolant-network benchmark: HallTwin's solver beside EPANET and WNTRSimulator.

For each network: time per hydraulic solve (cold start, as EPANET's
ENinitH + ENrunH, and warm-started from the last solution), time per heat
step, EPANET 2.2's own toolkit solve through wntr's ``ENepanet`` wrapper
(file opened once: no file I/O in the timing) and WNTRSimulator's marginal
time per hydraulic step, all in the same process.  Figures are printed, never judged: see
docs/performance.md.

Run:  .venv/bin/python bench/network.py [--repeat N]

A hall's own network joins the table through :func:`bench_network`, which
takes any :class:`solvers.network.Network` (EPANET and WNTR columns need an
.inp file and are left empty without one).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from solvers.network.epanet import read_inp
from solvers.network.heat import HeatTransport
from solvers.network.hydraulics import HydraulicSolver, SolverOptions
from solvers.network.network import Network
from twin.files import load_layout
from twin.liquid import build_loops


def _best(fn, repeat: int, inner: int) -> float:
    """Median over ``repeat`` rounds of the mean time of ``inner`` calls, in s."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def _inner(network: Network) -> int:
    return max(3, 20000 // max(network.n_links, 1))


def bench_network(name: str, network: Network, options: SolverOptions | None = None,
                  inp: Path | None = None, repeat: int = 5, heat_dt: float = 1.0) -> dict:
    """Time one network; returns a row of the table (seconds, or None).

    Parameters
    ----------
    name : str
        Row label.
    network : Network
        Any network (an EPANET file's, or a hall's coolant loops).
    options : SolverOptions, optional
        Convergence settings (an .inp file's ACCURACY and TRIALS).
    inp : Path, optional
        The EPANET file, for the EPANET and WNTRSimulator columns.
    repeat : int
        Timing rounds (the median is kept).
    heat_dt : float
        Heat step in s.
    """
    solver = HydraulicSolver(network, options)
    settings = network.settings()
    first = solver.solve(settings)
    inner = _inner(network)
    row = {"name": name, "nodes": network.n_nodes, "links": network.n_links,
           "status": first.status, "iterations": first.iterations}
    row["cold"] = _best(lambda: solver.solve(settings), repeat, inner)
    row["warm"] = _best(lambda: solver.solve(settings, warm_start=first), repeat, inner)
    heat = HeatTransport(network, 20.0)
    link_heat = np.where(network.volume > 0.0, 100.0, 0.0)
    heat.step(first, heat_dt, link_heat=link_heat)
    row["heat"] = _best(lambda: heat.step(first, heat_dt, link_heat=link_heat), repeat, inner)
    row["epanet"] = row["wntr"] = None
    if inp is not None:
        row["epanet"] = _epanet_toolkit(inp, repeat, inner)
        small = network.n_links < 1000
        row["wntr"] = _wntr_simulator(inp, repeat if small else 1, 24 if small else 3)
    return row


def _epanet_toolkit(inp: Path, repeat: int, inner: int) -> float:
    """EPANET 2.2 snapshot solve (ENinitH + ENrunH) with the file already open."""
    from wntr.epanet.toolkit import ENepanet

    with tempfile.TemporaryDirectory() as tmp:
        en = ENepanet()
        en.ENopen(str(inp), os.path.join(tmp, "bench.rpt"), os.path.join(tmp, "bench.bin"))
        en.ENopenH()

        def once():
            en.ENinitH(0)
            en.ENrunH()

        once()
        t = _best(once, repeat, inner)
        en.ENcloseH()
        en.ENclose()
    return t


def _wntr_simulator(inp: Path, repeat: int, steps: int) -> float:
    """WNTRSimulator's marginal time per hydraulic step.

    (T(1 + steps) − T(1))/steps from runs at a 1 h step, so its one-off model
    set-up is not counted against it.
    """
    import wntr

    def run(hours: int):
        wn = wntr.network.WaterNetworkModel(str(inp))
        wn.options.time.duration = hours * 3600
        wn.options.time.hydraulic_timestep = 3600
        wn.options.time.report_timestep = 3600
        t0 = time.perf_counter()
        wntr.sim.WNTRSimulator(wn).run_sim()
        return time.perf_counter() - t0

    run(0)
    one = statistics.median(run(0) for _ in range(repeat))
    many = statistics.median(run(steps) for _ in range(repeat))
    return max(many - one, 0.0) / steps


def _fmt(t: float | None) -> str:
    if t is None:
        return "—"
    return f"{t * 1e6:.0f} µs" if t < 1e-3 else f"{t * 1e3:.2f} ms"


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table with the ratios the goals name."""
    head = ("| network | nodes | links | HallTwin solve (cold) | warm | EPANET toolkit | "
            "HallTwin / EPANET | WNTRSimulator per step | WNTR / HallTwin | heat step |")
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        ep = f"{r['cold'] / r['epanet']:.2f}×" if r["epanet"] else "—"
        wn = f"{r['wntr'] / r['cold']:.0f}×" if r["wntr"] else "—"
        lines.append(f"| {r['name']} | {r['nodes']} | {r['links']} | {_fmt(r['cold'])} "
                     f"({r['iterations']} it) | {_fmt(r['warm'])} | {_fmt(r['epanet'])} | {ep} "
                     f"| {_fmt(r['wntr'])} | {wn} | {_fmt(r['heat'])} |")
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark on EPANET's Net3 and Net6 and the 10 MW example hall's loops."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timing rounds (median kept)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import wntr

    library = Path(wntr.__file__).parent / "library" / "networks"
    rows = []
    for name in ("Net3", "Net6"):
        inp = library / f"{name}.inp"
        model = read_inp(inp)
        rows.append(bench_network(name, model.network, model.options, inp, args.repeat))
    hall = load_layout(Path(__file__).resolve().parent.parent / "layouts" / "hall-10mw.json")
    for number, loop in enumerate(build_loops(hall), start=1):
        rows.append(bench_network(f"hall-10mw loop {number}", loop.network, repeat=args.repeat))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, wntr {wntr.__version__}")
    print(table(rows))


if __name__ == "__main__":
    main()
