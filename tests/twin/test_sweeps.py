"""Contingency sweeps: generation, a local-cluster sweep, a real scheduler losing a
worker, and the command's refusals."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from twin.cli import main
from twin.errors import UserError
from twin.examples import layouts_dir
from twin.files import load_layout
from twin.runs import RunReader
from twin.sweeps import contingencies, rank, single_failures

pytest.importorskip("distributed")
xr = pytest.importorskip("xarray")

ROWS = layouts_dir() / "rows-3mw.json"
POD = layouts_dir() / "pod-1mw.json"
DASK = Path(sys.executable).with_name("dask")


@pytest.mark.parametrize(("name", "kinds"), [
    ("pod-1mw", {"pump": 2, "cdu": 1, "air_unit": 1, "dry_cooler": 2, "leak": 1}),
    ("rows-3mw", {"pump": 6, "cdu": 3, "air_unit": 2, "tower": 1, "valve": 14, "leak": 1}),
    ("hall-10mw", {"pump": 16, "cdu": 8, "air_unit": 4, "tower": 3, "chiller": 2,
                   "valve": 44}),
])
def test_single_failures_of_the_examples(name, kinds):
    layout = load_layout(layouts_dir() / f"{name}.json")
    failures = single_failures(layout)
    assert Counter(f.kind for f in failures) == kinds
    assert len({f.target for f in failures}) == len(failures)
    cases = contingencies(layout, until=300.0)
    assert [c.id for c in cases] == [f.target for f in failures]
    leak = next(c for c in cases if c.kind == "leak") if "leak" in kinds else None
    if leak is not None:
        [event] = leak.scenario.events
        assert (event.action, event.time, leak.scenario.duration) == ("leak_start", 60.0, 300.0)


def test_pairs_capped_and_sampled():
    layout = load_layout(ROWS)
    pairs = contingencies(layout, order=2, max_pairs=400)
    assert len(pairs) == 27 * 26 // 2
    assert all(len(c.scenario.events) == 2 for c in pairs)
    assert pairs[0].id == "CDU-1-PA+CDU-1-PB" and pairs[0].kind == "pump+pump"
    with pytest.raises(UserError, match="351 N-2 pairs exceed --max-pairs 100"):
        contingencies(layout, order=2, max_pairs=100)
    first = contingencies(layout, order=2, max_pairs=100, sample=20, seed=7)
    again = contingencies(layout, order=2, max_pairs=100, sample=20, seed=7)
    other = contingencies(layout, order=2, max_pairs=100, sample=20, seed=8)
    assert len(first) == 20 and [c.id for c in first] == [c.id for c in again]
    assert [c.id for c in first] != [c.id for c in other]
    with pytest.raises(UserError, match="later than the failure time"):
        contingencies(layout, until=60.0)


def test_rank_orders_trips_then_compute_then_chip():
    def row(cid, tripped, lost, chip):
        return {"id": cid, "racks_tripped": tripped, "compute_lost": lost,
                "max_chip_temperature": chip}
    rows = [row("a", 0, 0.0, 70.0), row("b", 2, 0.1, 92.0), row("c", 2, 0.3, 92.0),
            row("d", 0, 0.0, 80.0), row("e", 0, 0.0, math.nan)]
    assert [(r["id"], r["rank"]) for r in rank(rows)] == [
        ("c", 1), ("b", 2), ("d", 3), ("a", 4), ("e", 5)]


def test_local_sweep_ranks_the_row_feed_valve_first(tmp_path, capsys):
    """The designed-in weak point of rows-3mw: each row hangs on one feed, so one
    of its isolation valves stuck closed trips the whole row (layouts/README.md)."""
    output = tmp_path / "sweep.h5"
    assert main(["sweep", str(ROWS), "--n-1", "--workers", "2", "-o", str(output),
                 "--quiet"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[2].split()[1] == "ROWA-VS1"
    with xr.open_dataset(output, engine="h5netcdf") as sweep:
        assert sweep.sizes["contingency"] == 27
        worst = sweep.isel(contingency=0)
        assert str(worst.contingency.values) == "ROWA-VS1" and str(worst.kind.values) == "valve"
        assert int(worst.racks_tripped) == 12 and float(worst.max_chip_temperature) > 92.0
        assert 0 < float(worst.time_to_throttle) < float(worst.time_to_trip) < 120.0
        assert sweep.max_chip_temperature.attrs["units"] == "degC"
        assert sweep.time_to_trip.attrs["units"] == "s"
        # a pump trip is carried by the standby: nothing throttles, nothing is lost
        pump = sweep.sel(contingency="CDU-2-PA")
        assert int(pump.racks_tripped) == 0 and math.isnan(float(pump.time_to_throttle))
        assert float(pump.compute_lost) == 0.0 and 1.0 < float(pump.pue) < 1.2
        assert (sweep["rank"].values == list(range(1, 28))).all()
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.h5"]  # no temporary left


def _wait_for(predicate, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_scheduler_sweep_survives_a_worker_dying(tmp_path):
    """A real `dask scheduler` and two `dask worker`s on loopback; one worker is
    killed while the sweep runs, and every contingency still gets its row."""
    address_file = tmp_path / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    processes, logs = [], []

    def start(*args: str) -> subprocess.Popen:
        log = (tmp_path / f"dask-{len(processes)}.log").open("w")
        logs.append(log)
        process = subprocess.Popen([str(DASK), *args, *common], stdout=log,
                                   stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    try:
        start("scheduler", "--port", "0", "--scheduler-file", str(address_file))
        _wait_for(address_file.exists, "the scheduler's address file")
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        victim = start("worker", address, "--nthreads", "1", "--no-nanny")
        start("worker", address, "--nthreads", "1", "--no-nanny")
        runs = tmp_path / "runs"
        output = tmp_path / "sweep.h5"
        sweep = subprocess.Popen(
            [sys.executable, "-m", "twin", "sweep", str(ROWS), "--until", "300",
             "--scheduler", address, "-o", str(output), "--keep-runs", str(runs), "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(sweep)
        # Kill a worker once a few runs are under way (run files appear as runs start).
        _wait_for(lambda: runs.exists() and len(list(runs.iterdir())) >= 4, "runs to start")
        victim.kill()
        out, err = sweep.communicate(timeout=120)
        assert sweep.returncode == 0, err
        assert victim.poll() is not None
        assert "Remove worker" in (tmp_path / "dask-0.log").read_text()  # the scheduler saw it
        with xr.open_dataset(output, engine="h5netcdf") as summary:
            assert summary.sizes["contingency"] == 27
            assert set(summary.status.values) == {"complete"}
        kept = sorted(p.name for p in runs.iterdir())
        assert len(kept) == 27 and "LEAK-A.h5" in kept
        with RunReader(runs / "ROWB-VR1.h5") as run:
            assert run.status == "complete" and run.series_times[-1] == pytest.approx(300.0)
            assert run.events().first_abnormal() is not None
        assert "27 contingencies" in out
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        for log in logs:
            log.close()


@pytest.mark.parametrize(("args", "message"), [
    (["missing.json"], "missing.json"),
    ([str(POD), "--workers", "0"], "--workers must be at least 1"),
    ([str(POD), "--grid", "0.5"], "--grid sets the air grid: it needs --air"),
    ([str(POD), "--air", "--grid", "0.6"], "no room air lies beside the intake (x-)"),
    ([str(POD), "--until", "30"], "later than the failure time (60 s)"),
    ([str(POD), "--until", "nan"], "--until must be a finite number > 0 s, got nan"),
    ([str(POD), "--air", "--grid", "inf"], "--grid must be a finite number > 0 m, got inf"),
    ([str(POD), "--n-2", "--max-pairs", "5"], "21 N-2 pairs exceed --max-pairs 5"),
    ([str(POD), "--scheduler", "127.0.0.1:8786"], "--scheduler must look like tcp://HOST:PORT"),
    ([str(POD), "-o", "nowhere/sweep.h5"], "folder nowhere does not exist"),
    ([str(POD), "-o", "sweep.csv"], "-o sweep.csv: must end in .h5 or .hdf5"),
    ([str(POD), "--sample", "3"], "--sample draws pairs of failures: it needs --n-2"),
    ([str(POD), "--top", "-1"], "--top must be 0 (all rows) or more, got -1"),
])
def test_bad_input_exits_1_and_writes_nothing(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", *args]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_workers_whose_air_models_do_not_fit_together_are_refused(tmp_path, monkeypatch,
                                                                   capsys):
    """Every local worker holds its own air model at once: with room for two and a half
    of the pod's models at 0.25 m, four workers are refused before any starts, with the
    worker count and the grid that would fit; two pass the check."""
    import solvers.backend
    from solvers.air import Grid
    from solvers.air.memory import air_bytes
    from twin.cli.sweep import _check_workers_memory

    one = air_bytes(Grid.box_shape((12.0, 9.0, 4.5), 0.25), "float32")
    monkeypatch.setattr(solvers.backend, "host_available_memory", lambda: int(2.5 * one))
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(POD), "--air", "--grid", "0.25", "--workers", "4"]) == 1
    err = capsys.readouterr().err
    assert "--workers 4: air grid 0.25 m: 4 models of 48 x 36 x 18 cells" in err
    assert "together, more than the" in err
    assert "use a grid of at least 0.3 m here, or use --workers 2" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    _check_workers_memory(load_layout(POD), 0.25, 2)
