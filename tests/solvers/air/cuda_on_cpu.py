"""Run the air solver's CUDA C kernels on the CPU, so CI checks them without a GPU.

CuPy compiles our kernel sources with NVRTC and launches them as
``function((blocks,), (threads,), args)``.  :class:`CpuCuda` stands in for
the ``cupy`` module in that one respect: its ``RawModule`` compiles the same
source with the host C++ compiler, with the CUDA keywords defined away and
the thread indices as globals, and each function runs its kernel once per
thread, one after another.  Every other attribute is NumPy's, so a kernel
class written for CuPy (argument marshalling included) runs unchanged on
NumPy arrays.

This checks each kernel's arithmetic and indexing against the NumPy
reference; it does not check what only a GPU shows (races between threads,
NVRTC's dialect, speed), which the CuPy tests do where a GPU is lent.
Kernels must be one independent thread per cell, with no shared memory or
synchronisation, as ours are.
"""

from __future__ import annotations

import ctypes
import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

#: Host-side definitions of what the kernel sources take from CUDA.
PRELUDE = r"""
#include <cmath>
using std::floor; using std::fmin; using std::fmax; using std::sqrt; using std::fabs;
struct Index3 { long long x; };
static Index3 blockDim = {1}, blockIdx = {0}, threadIdx = {0};
#define __global__
#define __device__
#define __forceinline__ inline
"""

_KERNEL = re.compile(r'extern "C" __global__ void (\w+)\(([^)]*)\)', re.S)
_CTYPE = {"double": ctypes.c_double, "float": ctypes.c_float, "int": ctypes.c_int,
          "long long": ctypes.c_longlong}  # fmt: skip


def compiler():
    """The host C++ compiler's path, or None."""
    return shutil.which("g++") or shutil.which("c++")


def _parameters(signature, macros):
    for name, text in macros.items():
        signature = signature.replace(name, text)
    params = []
    for part in signature.split(","):
        words = part.replace("*", " * ").split()
        pointer = "*" in words
        ctype = " ".join(w for w in words[:-1] if w not in ("const", "*"))
        params.append((ctype, pointer, words[-1]))
    return params


class CpuFunction:
    """One kernel: ``f((blocks,), (threads,), args)`` runs it for every thread."""

    def __init__(self, library, name, params, real):
        self._fn = getattr(library, f"launch_{name}")
        self._params = params
        self._real = real

    def __call__(self, grid, block, args):
        if len(args) != len(self._params):
            raise TypeError(f"{len(args)} arguments for {len(self._params)} parameters")
        converted = [ctypes.c_longlong(grid[0]), ctypes.c_longlong(block[0])]
        for value, (ctype, pointer, name) in zip(args, self._params, strict=True):
            if pointer:
                if not isinstance(value, np.ndarray) or not value.flags.c_contiguous:
                    raise TypeError(f"{name}: a C-contiguous array, got {type(value)}")
                converted.append(ctypes.c_void_p(value.ctypes.data))
                continue
            ctype = self._real if ctype == "real" else ctype
            expected = np.dtype({"double": np.float64, "float": np.float32, "int": np.int32,
                                 "long long": np.int64}[ctype])  # fmt: skip
            if np.asarray(value).dtype != expected:  # CUDA would read the bytes wrongly
                raise TypeError(f"{name}: {ctype} parameter given {np.asarray(value).dtype}")
            converted.append(_CTYPE[ctype](value.item()))
        self._fn(*converted)


class CpuRawModule:
    """``cupy.RawModule(code=...)`` built by the host compiler (cached by source)."""

    def __init__(self, code, macros=None):
        macros = {"DIMS": "int g, int nz, int ny, int nx, int NY, int NX", **(macros or {})}
        real = "double" if "typedef double real;" in code else "float"
        kernels = {name: _parameters(sig, macros) for name, sig in _KERNEL.findall(code)}
        launchers = []
        for name, params in kernels.items():
            decl = ", ".join(f"{'real' if t == 'real' else t} {'*' if p else ''}{n}"
                             for t, p, n in params)  # fmt: skip
            call = ", ".join(n for _, _, n in params)
            launchers.append(
                f'extern "C" void launch_{name}(long long blocks, long long threads, {decl}) {{\n'
                f"    blockDim.x = threads;\n"
                f"    for (long long b = 0; b < blocks; ++b) for (long long t = 0; t < threads;"
                f" ++t) {{\n        blockIdx.x = b; threadIdx.x = t; {name}({call});\n    }}\n}}"
            )
        source = PRELUDE + code + "\n" + "\n".join(launchers) + "\n"
        digest = hashlib.sha1(source.encode()).hexdigest()[:16]
        folder = Path(tempfile.gettempdir()) / "halltwin-cuda-on-cpu"
        folder.mkdir(exist_ok=True)
        library = folder / f"{digest}.so"
        if not library.exists():
            cpp = folder / f"{digest}.cpp"
            cpp.write_text(source)
            partial = folder / f"{digest}.{id(self)}.so"
            subprocess.run([compiler(), "-O1", "-shared", "-fPIC", "-o", str(partial), str(cpp)],
                           check=True, capture_output=True)  # fmt: skip
            partial.replace(library)
        lib = ctypes.CDLL(str(library))
        self._functions = {n: CpuFunction(lib, n, p, real) for n, p in kernels.items()}

    def get_function(self, name):
        return self._functions[name]


class CpuCuda:
    """The ``cupy`` stand-in: NumPy, with :class:`CpuRawModule` as ``RawModule``."""

    RawModule = CpuRawModule

    def __getattr__(self, name):
        return getattr(np, name)


class CpuCudaBackend:
    """The parts of a ``solvers.backend`` object that the CuPy kernel classes use."""

    name = "cupy"
    is_gpu = False
    xp = CpuCuda()

    @staticmethod
    def to_device(a, dtype=None):
        # a copy, as a transfer to a GPU is: a test that hands the same host
        # array to the reference and to the kernel must still compare two arrays
        return np.array(a, dtype=dtype, order="C", copy=True)

    @staticmethod
    def to_host(a):
        return np.asarray(a)

    @staticmethod
    def synchronize():
        return None
