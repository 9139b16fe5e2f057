"""Every example scenario, run to its end with the room-air model, on a coarse grid.

What ``halltwin run LAYOUT -s SCENARIO --grid G`` does for each of the
bundled incidents (semi-Lagrangian air, numba): the run must finish with
status ``complete``, keep the air finite, and its file must open in xarray
with frames up to the scenario's end.  ``G`` is the coarsest grid each hall
resolves: 0.6 m (the examples' racks are 0.6 m wide) except for the pod,
whose air unit stands 0.3 m from a wall and needs 0.5 m.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from twin.cli import main
from twin.engine import EngineOptions, Simulation
from twin.engine.air import HALL_PRESSURE_RTOL
from twin.examples import layouts_dir
from twin.files import load_layout
from twin.runs import RunReader

xr = pytest.importorskip("xarray")

SCENARIOS = sorted((layouts_dir() / "scenarios").glob("*.json"))
GRID = {"pod-1mw": 0.5, "rows-3mw": 0.6, "hall-10mw": 0.6}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_example_scenario_runs_to_its_end_with_air(scenario, tmp_path, capsys):
    hall = scenario.stem.split("--")[0]
    layout = layouts_dir() / (hall + ".json")
    duration = json.loads(scenario.read_text())["duration_s"]
    out = tmp_path / "run.h5"
    code = main(["run", str(layout), "-s", str(scenario), "--grid", str(GRID[hall]),
                 "--backend", "numba", "-o", str(out), "--quiet"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    with RunReader(out) as run:
        assert run.status == "complete"
        assert run.frame_times[-1] == pytest.approx(duration)
        _, inlet = run.series("rack_inlet_temperature")
        assert np.all(np.isfinite(inlet)) and inlet.max() < 80.0
    with xr.open_dataset(out, engine="h5netcdf", group="fields") as fields:
        T = fields.air_temperature.isel(time=-1).values
        assert np.nanmin(T) > 0.0 and np.nanmax(T) < 100.0


def test_a_grid_too_coarse_for_an_air_path_is_refused_clearly(tmp_path, capsys):
    """At 0.6 m the pod's air unit, 0.3 m from its wall, has no room air at its intake."""
    out = tmp_path / "run.h5"
    code = main(["run", str(layouts_dir() / "pod-1mw.json"), "--grid", "0.6", "--backend",
                 "numba", "-o", str(out), "--quiet"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "no room air lies beside the intake (x-)" in err and "'CRAH-1'" in err
    assert "use a finer grid" in err and "Traceback" not in err
    assert not out.exists()


def test_a_grid_too_fine_for_the_memory_is_refused_before_it_is_built(tmp_path, capsys):
    """At 0.01 m the 10 MW hall has 3.4e9 cells: the run used to be killed by the
    out-of-memory killer after a minute; now it says so, and what would fit, at once."""
    out = tmp_path / "run.h5"
    code = main(["run", str(layouts_dir() / "hall-10mw.json"), "--grid", "0.01", "--backend",
                 "numba", "-o", str(out), "--quiet"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "air grid 0.01 m: 2800 x 2200 x 550 cells (3.39e+09) need about 575 GB" in err
    assert "use a grid of at least" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("courant", ["0.5", "20", "nan"])
def test_a_courant_number_out_of_range_is_refused_clearly(courant, tmp_path, capsys):
    out = tmp_path / "run.h5"
    code = main(["run", str(layouts_dir() / "pod-1mw.json"), "--courant", courant,
                 "-o", str(out), "--quiet"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert f"--courant must be between 1 and 8, got {float(courant):g}" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_the_courant_number_sets_the_air_step():
    """``EngineOptions.courant`` reaches the air solver: twice the number, twice the step
    from the same flow (the pod's advective limit, its speeds after the spin-up)."""
    steps = []
    for courant in (4.0, 8.0):
        options = EngineOptions(backend="numba", air_spacing=0.5, spin_up=0.0, courant=courant)
        sim = Simulation(load_layout(layouts_dir() / "pod-1mw.json"), options=options)
        solver = sim.air.solver
        assert solver.cfl == courant
        sim.air.solver.set_velocity(u=0.5, v=-0.25, w=0.0)  # a uniform draught, m/s
        steps.append(solver.stable_dt())
    assert steps[1] == pytest.approx(2.0 * steps[0], rel=1e-12)


def test_the_halls_pressure_tolerance_moves_the_inlets_by_millikelvins():
    """The engine stops the pressure solve at ``HALL_PRESSURE_RTOL`` unless told
    otherwise; against a solve 1000 times tighter, the pod's rack inlets after
    20 s agree within 0.01 K (the scheme itself moves them by about 1 K between
    Courant 2 and 4), in fewer CG iterations."""
    inlets, iterations = {}, {}
    for rtol in (None, 1e-6):
        options = EngineOptions(backend="numba", air_spacing=0.5, spin_up=10.0,
                                pressure_rtol=rtol)  # fmt: skip
        sim = Simulation(load_layout(layouts_dir() / "pod-1mw.json"), options=options)
        solver = sim.air.solver
        assert solver.pressure_rtol == (HALL_PRESSURE_RTOL if rtol is None else rtol)
        counts = []
        step = solver.step

        def counted(max_dt=np.inf, land=False, step=step, solver=solver, counts=counts):
            taken = step(max_dt, land)
            counts.append(solver.pressure_iterations)
            return taken

        solver.step = counted
        sim.run(20.0)
        inlets[rtol], iterations[rtol] = sim.air.rack_inlet(), np.mean(counts)
    assert np.all(np.isfinite(inlets[None]))
    assert np.max(np.abs(inlets[None] - inlets[1e-6])) < 0.01  # rtol 0.1 gives 0.047 K
    assert iterations[None] < iterations[1e-6]
