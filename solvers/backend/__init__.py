"""The array backend: chosen once, passed to every solver.

Like Oceananigans' architecture object, a :class:`Backend` is picked once at
start-up (``select_backend``) and handed to the solvers, which never ask again
which library they run on.  Three backends exist:

``numpy``
    The readable reference: vectorised NumPy on the CPU.
``numba``
    The same arrays as ``numpy`` (host NumPy arrays), but the solvers run
    compiled, fused and parallel CPU kernels on them.
``cupy``
    CuPy arrays on an NVIDIA GPU with fused CUDA kernels.

Imports are lazy: importing this module imports neither numba nor cupy; a
backend's library is imported when that backend is selected.  This module is
the only place in the project that imports cupy.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import platform
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["BACKEND_NAMES", "SERIAL_CELLS", "Backend", "BackendUnavailable", "OneThread",
           "select_backend", "serial_cells", "cpu_name", "host_available_memory"]

#: Names accepted by :func:`select_backend`, fastest first.
BACKEND_NAMES = ("cupy", "numba", "numpy")

#: Work on fewer cells than this runs numba's kernels on one thread while
#: OpenMP's idle threads sleep (:data:`OMP_WAIT_POLICY` passive, the default):
#: waking one costs more than the work.  On the 2-core development VM, two
#: passive threads against one: the pod at 0.5 m (3,900 cells) 90x against
#: 237x real time, at 0.25 m (31,000) 23x against 33x; the 10 MW hall
#: (217,000) 9.0x against 8.2x, and 10.0x with its coarse multigrid levels
#: (27,000 cells and fewer) on one thread.  Spinning threads start at once
#: (the pod at 0.25 m: 51x on two), so then nothing is made serial.
SERIAL_CELLS = 40_000


class BackendUnavailable(RuntimeError):
    """A backend was asked for by name but cannot run here.

    The message says why (the library does not import, or no GPU is visible).
    """


@dataclass(frozen=True)
class Backend:
    """The array library and device that the solvers run on.

    Parameters
    ----------
    name : str
        ``"numpy"``, ``"numba"`` or ``"cupy"``.
    xp : module
        The array module (``numpy`` or ``cupy``); ``numba`` uses ``numpy`` arrays.
    device : str
        Human-readable device name: the CPU model, or the GPU's name.
    reason : str
        Why this backend was chosen (for ``auto``: what was tried and why it
        was or was not taken).
    """

    name: str
    xp: ModuleType
    device: str
    reason: str
    _modules: dict[str, ModuleType] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_gpu(self) -> bool:
        """True when arrays live in GPU memory (``cupy``)."""
        return self.name == "cupy"

    @property
    def compiled(self) -> bool:
        """True when the solvers use compiled kernels (``numba`` or ``cupy``)."""
        return self.name in ("numba", "cupy")

    def module(self, name: str) -> ModuleType:
        """Return this backend's library module (``"numba"`` or ``"cupy"``), imported once."""
        if name not in self._modules:
            self._modules[name] = importlib.import_module(name)
        return self._modules[name]

    def to_device(self, array: Any, dtype: Any = None) -> Any:
        """Copy a host array (or anything array-like) to the backend's memory.

        Parameters
        ----------
        array : array_like
            Host data (any units; values are copied unchanged).
        dtype : dtype, optional
            Element type of the result; the input's by default.

        Returns
        -------
        ndarray
            A contiguous array of the backend (``numpy.ndarray`` or ``cupy.ndarray``).
        """
        return self.xp.ascontiguousarray(self.xp.asarray(array, dtype=dtype))

    def to_host(self, array: Any) -> np.ndarray:
        """Return a host NumPy array holding the values of ``array`` (a copy for GPU arrays)."""
        if self.name == "cupy" and not isinstance(array, np.ndarray):
            return self.xp.asnumpy(array)
        return np.asarray(array)

    def synchronize(self) -> None:
        """Wait until queued device work is finished (a no-op on the CPU); for timing."""
        if self.name == "cupy":
            self.xp.cuda.Device().synchronize()

    def free_memory(self) -> int | None:
        """Bytes the backend's arrays can still take: the GPU's free memory, or the
        host's available memory (``MemAvailable``); ``None`` where it cannot be told."""
        if self.name == "cupy":
            return int(self.xp.cuda.Device().mem_info[0])
        return host_available_memory()

    def threads_for(self, cells: int) -> contextlib.AbstractContextManager:
        """A context for work on ``cells`` cells: numba on one thread below :func:`serial_cells`.

        numba's thread count is per calling thread, so this changes nothing
        for other threads, and it is restored on leaving.
        """
        if self.name != "numba" or cells >= serial_cells():
            return contextlib.nullcontext()
        return OneThread(self.module("numba"))


class OneThread:
    """numba's kernels on one thread inside the context, the caller's count restored after.

    Parameters
    ----------
    numba : module
        The imported numba (its thread count is per calling thread).
    """

    def __init__(self, numba: ModuleType):
        self._numba = numba
        self._threads = 1

    def __enter__(self):
        self._threads = self._numba.get_num_threads()
        self._numba.set_num_threads(1)
        return self

    def __exit__(self, *exc):
        self._numba.set_num_threads(self._threads)
        return False


#: A container's memory limit and use (cgroup v2, then v1): ``/proc/meminfo``
#: shows the host's memory, which a limited container cannot have.
CGROUP_MEMORY = (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                 ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                  "/sys/fs/cgroup/memory/memory.usage_in_bytes"))  # fmt: skip


def host_available_memory() -> int | None:
    """Bytes of host memory available to a new allocation without swapping: Linux's
    ``MemAvailable`` (else the free pages), and at most what is left under a container's
    memory limit; ``None`` where none of these can be read."""
    known = [size for size in (_meminfo_available(), _cgroup_room()) if size is not None]
    return min(known) if known else None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cgroup_room() -> int | None:
    for limit_file, usage_file in CGROUP_MEMORY:
        try:
            with open(limit_file) as limit, open(usage_file) as usage:
                limit_text, used = limit.read().strip(), int(usage.read())
        except (OSError, ValueError):
            continue
        # "max" (v2), or v1's page-rounded 2^63 for no limit
        if limit_text == "max" or int(limit_text) >= 2**60:
            return None
        return max(int(limit_text) - used, 0)
    return None


def cpu_name() -> str:
    """Return the CPU model string (``/proc/cpuinfo`` on Linux, else ``platform``)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _cpu_label() -> str:
    return f"{cpu_name()} ({os.cpu_count() or 1} logical cores)"


def _try_cupy() -> tuple[ModuleType | None, str]:
    """Import cupy and find a GPU; return (module or None, why)."""
    try:
        cupy = importlib.import_module("cupy")
    except Exception as error:  # noqa: BLE001 - any import failure means "not usable"
        return None, f"cupy does not import ({type(error).__name__}: {error})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # noqa: BLE001 - driver or runtime missing
        return None, f"cupy imports but sees no GPU ({type(error).__name__}: {error})"
    if count < 1:
        return None, "cupy imports but sees no GPU (0 CUDA devices)"
    return cupy, f"cupy imports and sees {count} GPU(s)"


def _gpu_name(cupy: ModuleType) -> str:
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


#: OpenMP's wait policy for numba's parallel kernels unless the user sets one.
#: "passive": a thread with no work sleeps at once instead of spinning.  A step
#: of the air model is ~100 short parallel kernels; with spinning threads, one
#: other busy process on a 2-core machine made each kernel wait for a scheduler
#: slice (the 10 MW hall's step went from 19 to 47 ms, a parallel call on a tiny
#: array from 14 us to 8 ms).  The app always shares its cores (Qt, the run
#: writer), so passive is the default; on a quiet machine it costs a wake-up
#: per kernel (hall step 12.6 -> 19.5 ms on 2 cores), and OMP_WAIT_POLICY=active
#: in the environment wins.  Read by OpenMP when numba first runs a parallel
#: kernel, so it is set before numba is imported.
OMP_WAIT_POLICY = "passive"


def serial_cells() -> int:
    """Cells below which numba's work runs on one thread: :data:`SERIAL_CELLS` while
    OpenMP's idle threads sleep (the environment's ``OMP_WAIT_POLICY``, passive by
    default), 0 when they spin."""
    policy = os.environ.get("OMP_WAIT_POLICY", OMP_WAIT_POLICY).lower()
    return SERIAL_CELLS if policy == "passive" else 0


def _try_numba() -> tuple[ModuleType | None, str]:
    os.environ.setdefault("OMP_WAIT_POLICY", OMP_WAIT_POLICY)
    try:
        numba = importlib.import_module("numba")
    except Exception as error:  # noqa: BLE001
        return None, f"numba does not import ({type(error).__name__}: {error})"
    return numba, f"numba {numba.__version__} imports"


def _make(name: str, module: ModuleType | None, reason: str) -> Backend:
    if name == "cupy":
        return Backend("cupy", module, _gpu_name(module), reason, {"cupy": module})
    modules = {"numba": module} if name == "numba" else {}
    return Backend(name, np, _cpu_label(), reason, modules)


def select_backend(name: str = "auto") -> Backend:
    """Choose the backend once.

    Parameters
    ----------
    name : {"auto", "numpy", "numba", "cupy"}
        ``auto`` takes the fastest that works: ``cupy`` if it imports and sees
        a GPU, else ``numba`` if it imports, else ``numpy``.

    Returns
    -------
    Backend
        With ``reason`` saying why it was chosen.

    Raises
    ------
    BackendUnavailable
        A named backend that cannot work here (with the reason).
    ValueError
        An unknown name.
    """
    name = name.lower()
    if name == "numpy":
        return _make("numpy", None, "numpy asked for by name")
    if name == "numba":
        module, why = _try_numba()
        if module is None:
            raise BackendUnavailable(f"backend 'numba' is unavailable: {why}")
        return _make("numba", module, f"numba asked for by name; {why}")
    if name == "cupy":
        module, why = _try_cupy()
        if module is None:
            raise BackendUnavailable(f"backend 'cupy' is unavailable: {why}")
        return _make("cupy", module, f"cupy asked for by name; {why}")
    if name != "auto":
        raise ValueError(
            f"unknown backend {name!r}; choose one of auto, {', '.join(BACKEND_NAMES)}"
        )
    cupy, why_cupy = _try_cupy()
    if cupy is not None:
        return _make("cupy", cupy, f"auto: {why_cupy}")
    numba, why_numba = _try_numba()
    if numba is not None:
        return _make("numba", numba, f"auto: {why_cupy}; {why_numba}")
    return _make("numpy", None, f"auto: {why_cupy}; {why_numba}; using the numpy reference")
