"""What recording a run costs: frames and series of a 10 MW hall written by RunWriter.

The grid is the 10 MW example's air grid (``layouts/hall-10mw.json``: 28 m x
22 m x 5.5 m at 0.25 m, 112 x 88 x 22 cells, 0.87 MB per float32 field, two
fields per frame); the series are one per component of that hall (72 racks,
8 CDUs, 16 pumps, 288 pipes, 332 junctions, 4 air units).
Frames are smooth temperature and speed fields with small-scale noise, as a
turbulent room gives, moving from frame to frame.  For each compression:

1. *throughput*: frames written back to back: the writer thread's rate in MB/s
   of raw field data by wall time and by its own CPU time, its CPU time per
   frame, and the size on disk;
2. *overhead*: a stand-in solver (NumPy 7-point stencil sweeps on the same
   grid) runs a fixed amount of work per frame, with and without recording.
   The difference in wall time is what recording costs the run on an idle
   machine; on a loaded one it drowns in noise, so the cost is also given as
   the producer's time in the writer's calls plus the writer thread's CPU
   time, over the solver's time.

With ``--engine``, the real thing instead: the coupled engine runs the 10 MW
hall with its air model (``--grid`` metres, ``--until`` simulated seconds,
frames every 5 s and a series row per 1 s network step, as ``halltwin run``
records), without recording and recording each compression, the cases
interleaved; the engine is built (and its kernels compiled) outside the timing.
It prints each case's best and median wall time, its process CPU time (all
threads: the solver's, numba's and the writer's) and the overhead of
recording on both, against the run without recording.  A case ``MODE@N``
runs the numba kernels with ``N`` grid rows per parallel chunk instead of the
engine's :data:`twin.engine.air.PARALLEL_CHUNK_ROWS` (0: numba's default,
one equal share per thread), against ``off@N``.

Usage: ``python bench/recording.py [--frames 40] [--sweeps 300] [--repeat 3] [--noise 0.05]``
or ``python bench/recording.py --engine [--grid 0.5] [--until 30] [--repeat 2]
[--modes off,lzf,none] [--backend numba]``, e.g. ``--modes off@0,lzf@0,off,lzf``.
Prints figures; never passes or fails on them.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from twin.engine.air import PARALLEL_CHUNK_ROWS as ENGINE_CHUNK_ROWS
from twin.examples import layouts_dir
from twin.files import dump_text, load_layout
from twin.runs import RunWriter

HALL = load_layout(layouts_dir() / "hall-10mw.json")
CELL = HALL.hall.grid
SHAPE = tuple(round(extent / CELL) for extent in (HALL.hall.height, HALL.hall.depth,
                                                  HALL.hall.width))  # (z, y, x) cells
IDS = {"rack": [r.id for r in HALL.racks], "cdu": [c.id for c in HALL.cdus],
       "pump": [p.id for c in HALL.cdus for p in c.pumps], "pipe": [p.id for p in HALL.pipes],
       "node": [j.id for j in HALL.junctions], "air_unit": [a.id for a in HALL.air_units]}
COUNTS = {dim: len(ids) for dim, ids in IDS.items()}
SERIES = ["rack_inlet_temperature", "rack_chip_temperature", "rack_power", "rack_state",
          "cdu_supply_temperature", "cdu_return_temperature", "cdu_heat", "pump_flow",
          "pipe_flow", "node_pressure", "air_unit_heat", "it_power", "cooling_power", "pue",
          "water_use"]
#: Series rows per frame: the network steps at 1 s, frames every 5 s of simulated time.
ROWS_PER_FRAME = 5


def make_frames(count: int, noise: float, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """Smooth plumes plus ``noise`` K (and 0.4 ``noise`` m/s) of random small-scale noise,
    drifting with the frame number."""
    rng = np.random.default_rng(seed)
    z, y, x = np.meshgrid(*(np.arange(n) * CELL for n in SHAPE), indexing="ij")
    frames = []
    for k in range(count):
        plume = sum(8.0 * np.exp(-((x - cx - 0.1 * k) ** 2 + (y - cy) ** 2) / 8.0 - z / 4.0)
                    for cx, cy in ((6, 5), (14, 11), (22, 16)))
        temperature = 24.0 + 0.8 * z + plume + rng.normal(0, noise, SHAPE)
        speed = 0.3 + 0.2 * np.sin(x / 3.0 + 0.05 * k) * np.cos(y / 4.0) \
            + rng.normal(0, 0.4 * noise, SHAPE)
        frames.append((temperature.astype(np.float32), np.abs(speed).astype(np.float32)))
    return frames


def row_values(rng: np.random.Generator) -> dict[str, object]:
    """One series row with every series of a 10 MW hall."""
    dims = {"rack_inlet_temperature": "rack", "rack_chip_temperature": "rack",
            "rack_power": "rack", "rack_state": "rack", "cdu_supply_temperature": "cdu",
            "cdu_return_temperature": "cdu", "cdu_heat": "cdu", "pump_flow": "pump",
            "pipe_flow": "pipe", "node_pressure": "node", "air_unit_heat": "air_unit"}
    values: dict[str, object] = {name: rng.random(COUNTS[dim]) for name, dim in dims.items()}
    values["rack_state"] = np.zeros(COUNTS["rack"], np.int8)
    values.update(it_power=1e7, cooling_power=1e6, pue=1.1, water_use=1e-3)
    return values


def open_writer(path: Path, compression: str | None) -> RunWriter:
    x, y, z = ((np.arange(n) + 0.5) * CELL for n in SHAPE[::-1])
    return RunWriter(path, x=x, y=y, z=z, components=IDS, series=SERIES,
                     metadata={"software_version": "bench", "layout": dump_text(HALL)},
                     compression=compression)


def record(path: Path, compression: str | None, frames, sweeps: int) -> dict[str, float]:
    """Run ``len(frames)`` frame intervals of stand-in solver work (``sweeps`` stencil
    sweeps each), recording when ``compression`` is not False; return timings."""
    rng = np.random.default_rng(2)
    field = np.array(frames[0][0], dtype=np.float64)
    scratch = np.empty_like(field)
    writer = open_writer(path, compression) if compression is not False else None
    started = time.perf_counter()
    for k, (temperature, speed) in enumerate(frames):
        for _ in range(sweeps):  # a Jacobi sweep: what an explicit air step costs
            np.add(field[:-2, 1:-1, 1:-1], field[2:, 1:-1, 1:-1], out=scratch[1:-1, 1:-1, 1:-1])
            scratch[1:-1, 1:-1, 1:-1] += field[1:-1, :-2, 1:-1]
            scratch[1:-1, 1:-1, 1:-1] += field[1:-1, 2:, 1:-1]
            scratch[1:-1, 1:-1, 1:-1] += field[1:-1, 1:-1, :-2]
            scratch[1:-1, 1:-1, 1:-1] += field[1:-1, 1:-1, 2:]
            field[1:-1, 1:-1, 1:-1] = scratch[1:-1, 1:-1, 1:-1] / 6.0
        if writer is not None:
            for r in range(ROWS_PER_FRAME):
                writer.write_series(5.0 * k + r, row_values(rng))
            writer.write_frame(5.0 * k, air_temperature=temperature, air_speed=speed)
    solver_done = time.perf_counter()
    if writer is not None:
        writer.close("complete")
    ended = time.perf_counter()
    result = {"loop_s": solver_done - started, "total_s": ended - started}
    if writer is not None:
        stats = writer.stats
        result.update(producer_s=stats.producer_s, writer_s=stats.writer_s,
                      writer_cpu_s=stats.writer_cpu_s, raw_mb=stats.field_bytes / 1e6,
                      file_mb=path.stat().st_size / 1e6)
    return result


def engine_run(path: Path, case: str, args) -> dict[str, float]:
    """One run of the 10 MW hall by the engine, recording with compression ``MODE``
    (``off``: not at all) of ``case`` (``MODE`` or ``MODE@CHUNK``); timings of the
    run alone, the file's close included."""
    import twin.engine.air as hall_air
    from twin.engine import EngineOptions, Simulation, default_scenario
    from twin.engine.recording import open_run_file

    mode, _, chunk = case.partition("@")
    hall_air.PARALLEL_CHUNK_ROWS = int(chunk) if chunk else ENGINE_CHUNK_ROWS
    options = EngineOptions(air=True, air_spacing=args.grid, spin_up=args.spin_up,
                            backend=args.backend)
    sim = Simulation(HALL, default_scenario(args.until), options)
    if mode != "off":
        sim.writer = open_run_file(sim, path, ["bench"], None if mode == "none" else mode)
    wall, cpu = time.perf_counter(), time.process_time()
    sim.run()
    if sim.writer is not None:
        sim.writer.close("complete")
    grid = sim.air.solver.grid
    result = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
              "air_steps": sim.air.solver.steps, "cells": grid.nx * grid.ny * grid.nz,
              "load": os.getloadavg()[0]}
    if sim.writer is not None:
        stats = sim.writer.stats
        result.update(frames=stats.frames, rows=stats.rows, producer_s=stats.producer_s,
                      writer_cpu_s=stats.writer_cpu_s, file_mb=path.stat().st_size / 1e6)
    return result


def main_engine(args) -> None:
    """The real engine on the 10 MW hall, with and without recording."""
    cases = args.modes.split(",")
    print(f"{HALL.name}: the engine with air at {args.grid:g} m, {args.until:g} s simulated "
          f"after {args.spin_up:g} s of spin-up, backend {args.backend}; best of {args.repeat}, "
          f"cases interleaved; {ENGINE_CHUNK_ROWS} rows per parallel chunk unless @N says")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "engine.h5"
        engine_run(path, "off", argparse.Namespace(**{**vars(args), "until": 1.0}))  # compile
        runs: dict = {case: [] for case in cases}
        for _ in range(args.repeat):
            for case in cases:
                runs[case].append(engine_run(path, case, args))
                found = runs[case][-1]
                print(f"  {case:<10} {found['wall_s']:7.2f} s wall {found['cpu_s']:7.2f} s CPU, "
                      f"load {found['load']:.1f}", flush=True)
    best = {case: min(runs[case], key=lambda r: r["wall_s"]) for case in cases}
    first = next(iter(best.values()))
    loads = [r["load"] for found in runs.values() for r in found]
    print(f"grid {first['cells']} cells, {first['air_steps']} air steps; load average "
          f"{min(loads):.1f}-{max(loads):.1f} after the runs")
    print(f"{'recording':<10} {'wall s':>7} {'median':>7} {'CPU s':>7} {'wall overhead':>14} "
          f"{'CPU overhead':>13} {'frames':>7} {'rows':>5} {'file MB':>8} "
          f"{'producer ms/frame':>18} {'thread CPU ms/frame':>20}")
    for case in cases:
        r = best[case]
        mode, at, chunk = case.partition("@")
        base = best.get(f"off{at}{chunk}")
        over = (f"{100 * (r['wall_s'] - base['wall_s']) / base['wall_s']:13.1f}% "
                f"{100 * (r['cpu_s'] - base['cpu_s']) / base['cpu_s']:12.1f}%"
                if base is not None and mode != "off" else f"{'—':>14} {'—':>13}")
        frames = r.get("frames", 0)
        per = (f"{r['file_mb']:8.1f} {1e3 * r['producer_s'] / max(frames, 1):18.2f} "
               f"{1e3 * r['writer_cpu_s'] / max(frames, 1):20.2f}" if frames else
               f"{'—':>8} {'—':>18} {'—':>20}")
        median = float(np.median([found["wall_s"] for found in runs[case]]))
        print(f"{case:<10} {r['wall_s']:7.2f} {median:7.2f} {r['cpu_s']:7.2f} {over} "
              f"{frames:7d} {r.get('rows', 0):5d} {per}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", action="store_true",
                        help="measure the real engine on the 10 MW hall with air")
    parser.add_argument("--grid", type=float, default=0.5, help="air grid (m), --engine")
    parser.add_argument("--until", type=float, default=30.0,
                        help="simulated seconds per run, --engine")
    parser.add_argument("--spin-up", type=float, default=10.0,
                        help="air spin-up before each run (s), --engine")
    parser.add_argument("--modes", default="off,lzf,none",
                        help="recording cases: off, lzf, gzip, none (uncompressed), each "
                        "optionally @N rows per parallel chunk, --engine")
    parser.add_argument("--backend", default="numba", help="air backend, --engine")
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--sweeps", type=int, default=300,
                        help="stencil sweeps of stand-in solver work per frame")
    parser.add_argument("--repeat", type=int, default=None,
                        help="best of this many runs (default 3, or 2 with --engine)")
    parser.add_argument("--noise", type=float, default=0.05,
                        help="random noise on the temperature field (K); 0 for smooth fields")
    args = parser.parse_args()
    if args.engine:
        args.repeat = args.repeat or 2
        main_engine(args)
        return
    args.repeat = args.repeat or 3
    frames = make_frames(args.frames, args.noise)
    frame_mb = 2 * frames[0][0].nbytes / 1e6
    print(f"{HALL.name}: grid {SHAPE[2]} x {SHAPE[1]} x {SHAPE[0]} cells, {frame_mb:.2f} MB "
          f"per frame (2 float32 fields), {ROWS_PER_FRAME} series rows per frame of "
          f"{sum(COUNTS.values()) * 8 / 1000:.1f} kB; noise {args.noise:g} K; {args.frames} "
          f"frames; best of {args.repeat}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, NumPy {np.__version__}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.h5"
        print("\nthroughput (frames back to back, no solver work):")
        print(f"{'compression':<12} {'frames/s':>9} {'MB/s (wall)':>12} {'MB/s (CPU)':>11} "
              f"{'CPU ms/frame':>13} {'file MB':>8} {'field MB':>9} {'ratio':>6}")
        for compression in (None, "lzf", "gzip"):
            best = min((record(path, compression, frames, 0) for _ in range(args.repeat)),
                       key=lambda r: r["total_s"])
            print(f"{str(compression):<12} {args.frames / best['total_s']:9.1f} "
                  f"{best['raw_mb'] / best['writer_s']:12.1f} "
                  f"{best['raw_mb'] / best['writer_cpu_s']:11.1f} "
                  f"{1e3 * best['writer_cpu_s'] / args.frames:13.2f} {best['file_mb']:8.1f} "
                  f"{best['raw_mb']:9.1f} {best['raw_mb'] / best['file_mb']:6.2f}")
        print(f"\noverhead on a run ({args.sweeps} stencil sweeps of solver work per frame; "
              "runs interleaved so load drifts hit every case alike):")
        modes = (False, None, "lzf", "gzip")
        runs: dict = {mode: [] for mode in modes}
        for _ in range(args.repeat):
            for mode in modes:
                runs[mode].append(record(path, mode, frames, args.sweeps))
        best = {mode: min(runs[mode], key=lambda r: r["total_s"]) for mode in modes}
        base = best[False]["total_s"]
        print(f"solver alone: {base:.2f} s, {1e3 * base / args.frames:.1f} ms per frame")
        print(f"{'compression':<12} {'run s':>7} {'overhead':>9} {'producer ms/frame':>18} "
              f"{'thread CPU ms/frame':>20} {'CPU / solver':>13}")
        for mode in modes[1:]:
            result = best[mode]
            cost = result["producer_s"] + result["writer_cpu_s"]
            print(f"{str(mode):<12} {result['total_s']:7.2f} "
                  f"{100 * (result['total_s'] - base) / base:8.1f}% "
                  f"{1e3 * result['producer_s'] / args.frames:18.2f} "
                  f"{1e3 * result['writer_cpu_s'] / args.frames:20.2f} "
                  f"{100 * cost / base:12.1f}%")

if __name__ == "__main__":
    main()
