"""An air model's memory, checked before its grid is built (``solvers.air.memory``)."""

import dataclasses
import tracemalloc

import numpy as np
import pytest

from solvers.air import AirProperties, AirSolver, Grid
from solvers.air.memory import air_bytes, check_memory
from solvers.backend import host_available_memory, select_backend


@dataclasses.dataclass
class FakeBackend:
    free: int | None
    is_gpu: bool = False

    def free_memory(self):
        return self.free


def test_the_estimate_covers_what_a_solver_takes():
    """A 40 x 30 x 20 room after two semi-Lagrangian steps holds less than the estimate, and
    more than half of it (the estimate must not refuse grids that fit by far)."""
    backend = select_backend("numpy")
    for dtype in (np.float32, np.float64):
        tracemalloc.start()
        grid = Grid.from_box((4.0, 3.0, 2.0), 0.1)
        solver = AirSolver(grid, AirProperties(turbulence="smagorinsky"), backend, dtype=dtype,
                           advection="semi-lagrangian", cfl=4.0)  # fmt: skip
        solver.set_temperature(22.0)
        solver.step()
        solver.step()
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        estimate = air_bytes(grid.shape, dtype)
        assert estimate / 2 < held < estimate, (dtype, held, estimate)


def test_a_model_that_does_not_fit_is_refused_with_its_size():
    shape = (2800, 2200, 550)
    with pytest.raises(ValueError) as refused:
        check_memory(shape, np.float32, FakeBackend(free=25e9))
    message = str(refused.value)
    assert "2800 x 2200 x 550 cells (3.39e+09)" in message
    assert "about 575 GB of host memory, more than the 25 GB free" in message
    assert "GPU memory" in str(pytest.raises(ValueError, check_memory, shape, np.float32,
                                             FakeBackend(free=80e9, is_gpu=True)).value)


def test_a_model_that_fits_returns_its_share_of_the_free_memory():
    share = check_memory((100, 100, 10), np.float64, FakeBackend(free=1e9))
    assert share == pytest.approx(104 * 104 * 14 * (40 * 8 + 8) / 1e9)
    assert check_memory((100, 100, 10), np.float64, FakeBackend(free=None)) == 0.0


def test_the_host_says_how_much_memory_is_free():
    free = host_available_memory()
    assert free is None or 0 < free
    assert select_backend("numpy").free_memory() == pytest.approx(free, rel=0.5)


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_a_container_limit_caps_the_free_memory(tmp_path, monkeypatch, version):
    """Inside a container with a memory limit, /proc/meminfo shows the host's memory:
    the room left under the cgroup's limit counts instead where it is less."""
    import solvers.backend as backend_module

    limit, usage = tmp_path / "limit", tmp_path / "usage"
    limit.write_text("1073741824\n")  # 1 GiB
    usage.write_text("268435456\n")  # 256 MiB used
    files = ((str(limit), str(usage)),) if version == "v2" else (
        (str(tmp_path / "absent"), str(usage)), (str(limit), str(usage)))
    monkeypatch.setattr(backend_module, "CGROUP_MEMORY", files)
    monkeypatch.setattr(backend_module, "_meminfo_available", lambda: 64 * 2**30)
    assert host_available_memory() == 768 * 2**20
    limit.write_text("max\n")
    assert host_available_memory() == 64 * 2**30
