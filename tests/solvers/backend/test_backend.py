"""The backend object: selection, lazy imports, transfers, clear errors."""

import subprocess
import sys

import numpy as np
import pytest

from solvers.backend import Backend, BackendUnavailable, select_backend


def test_import_is_lazy():
    """Importing solvers.backend must not import numba or cupy."""
    code = (
        "import sys, solvers.backend\n"
        "assert 'cupy' not in sys.modules and 'numba' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_cpu_backends(name):
    backend = select_backend(name)
    assert isinstance(backend, Backend)
    assert backend.name == name and backend.xp is np and not backend.is_gpu
    assert backend.device and backend.reason
    host = np.arange(6.0).reshape(2, 3)
    dev = backend.to_device(host, dtype=np.float32)
    assert dev.dtype == np.float32 and dev.flags.c_contiguous
    back = backend.to_host(dev)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, host)


def test_numba_backend_imports_numba():
    backend = select_backend("numba")
    assert backend.module("numba").__name__ == "numba"
    assert backend.compiled


def test_auto_picks_something_and_says_why():
    backend = select_backend("auto")
    assert backend.name in ("cupy", "numba", "numpy")
    assert backend.reason.startswith("auto:")
    # numba is installed with the package, so auto never falls back to numpy here
    assert backend.name in ("cupy", "numba")


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown backend"):
        select_backend("fortran")


def _gpu_usable():
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no driver, no runtime: no GPU
        return False


def test_cupy_unavailable_is_clear():
    """Without a usable GPU, asking for cupy raises BackendUnavailable with the reason."""
    if _gpu_usable():
        pytest.skip("a GPU is usable here")
    with pytest.raises(BackendUnavailable, match="backend 'cupy' is unavailable"):
        select_backend("cupy")


def test_cupy_backend_round_trip():
    cupy = pytest.importorskip("cupy")
    if not _gpu_usable():
        pytest.skip("cupy imports but no GPU is visible")
    backend = select_backend("cupy")
    assert backend.is_gpu and backend.xp is cupy
    host = np.linspace(0.0, 1.0, 7)
    dev = backend.to_device(host)
    assert isinstance(dev, cupy.ndarray)
    back = backend.to_host(dev * 2)
    assert isinstance(back, np.ndarray)
    np.testing.assert_allclose(back, 2 * host)
    assert select_backend("auto").name == "cupy"
    _, total = cupy.cuda.Device().mem_info
    assert 0 < backend.free_memory() <= total


def test_small_work_runs_numba_on_one_thread_and_restores_the_count(monkeypatch):
    """``threads_for``: with sleeping (passive) OpenMP threads, work below
    ``SERIAL_CELLS`` gets one thread (waking one costs more than small work
    takes), at or above it the caller's count stays; with spinning (active)
    threads nothing changes; leaving restores the count, even on an error."""
    from solvers.backend import SERIAL_CELLS

    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")
    backend = select_backend("numba")
    numba = backend.module("numba")
    threads = numba.get_num_threads()
    with backend.threads_for(SERIAL_CELLS - 1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == threads
    with backend.threads_for(SERIAL_CELLS):
        assert numba.get_num_threads() == threads
    with pytest.raises(KeyError), backend.threads_for(10):
        raise KeyError("inside")
    assert numba.get_num_threads() == threads
    with select_backend("numpy").threads_for(10):
        assert numba.get_num_threads() == threads
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    with backend.threads_for(10):
        assert numba.get_num_threads() == threads
