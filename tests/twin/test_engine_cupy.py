"""The engine on the CuPy backend gives the numpy backend's run.

Runs the 1 MW pod for a few seconds of air on the numpy backend and on the
``cupy`` one: on a GPU where there is one, and as the same CUDA source and
CuPy host code compiled for the CPU (:mod:`tests.solvers.air.cuda_on_cpu`),
so CI checks what the engine does with GPU arrays (patches, frames, the
room's reports) without a GPU.
"""

from __future__ import annotations

import numpy as np
import pytest

import solvers.backend
from tests.solvers.air.cuda_on_cpu import cuda_on_cpu_backend, gpu_backend
from twin.engine import EngineOptions, Simulation
from twin.examples import layouts_dir
from twin.files import load_layout

OPTIONS = EngineOptions(backend="numpy", spin_up=5.0)


@pytest.fixture(scope="module", params=["gpu", "cuda-source-on-cpu"])
def device(request):
    return gpu_backend() if request.param == "gpu" else cuda_on_cpu_backend()


def _run():
    sim = Simulation(load_layout(layouts_dir() / "pod-1mw.json"), options=OPTIONS)
    sim.run(5.0)
    temperature, speed = sim.air.frame()
    return sim, (temperature.copy(), speed.copy(), sim.room.inlet.copy(),
                 np.array(sim.last["air_unit_heat"]), np.array([sim.last["air_heat_content"]]))


def test_engine_run_on_cupy_matches_numpy(device, monkeypatch):
    reference_sim, reference = _run()
    monkeypatch.setattr(solvers.backend, "select_backend", lambda name="auto": device)
    sim, states = _run()
    assert sim.air.solver.backend is device
    assert type(sim.air.solver.kernels).__name__ == "CupyKernels"
    assert sim.air.solver.steps == reference_sim.air.solver.steps
    *fields, content = states
    for got, want in zip(fields, reference[:-1], strict=True):
        scale = max(1.0, float(np.nanmax(np.abs(want))))
        # float32 fields: the tolerance of the solver's whole-step tests
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * scale)
    # the air's heat content (J, from float32 temperatures summed in float64)
    np.testing.assert_allclose(content, reference[-1], rtol=1e-6)
