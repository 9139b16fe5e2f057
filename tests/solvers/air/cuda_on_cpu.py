"""Run the air solver's CUDA C kernels on the CPU, so CI checks them without a GPU.

CuPy compiles our kernel sources with NVRTC and launches them as
``function((blocks,), (threads,), args)``.  :class:`CpuCuda` stands in for
the ``cupy`` module: its ``RawModule`` compiles the same source with the
host C++ compiler, with the CUDA keywords defined away and the thread
indices as globals, and each function runs its kernel once per thread, one
after another; its ``ElementwiseKernel`` and ``ReductionKernel`` put the
same C snippets in a C++ loop.  Its streams cannot record a CUDA graph, so
code that records one takes its fallback of plain calls.  Every other
attribute is NumPy's, so the CuPy kernel classes (argument marshalling
included), and with them the whole solver on :class:`CpuCudaBackend`, run
unchanged on NumPy arrays.

This checks each kernel's arithmetic and indexing, and the host code around
them, against the NumPy reference; it does not check what only a GPU shows
(races between threads, NVRTC's dialect, CUDA graphs, speed), which the CuPy
tests do where a GPU is lent.
Kernels must be one independent thread per cell, with no shared memory or
synchronisation, as ours are.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from solvers.backend import BackendUnavailable, host_available_memory, select_backend

#: Host-side definitions of what the kernel sources take from CUDA.
PRELUDE = r"""
#include <cmath>
using std::floor; using std::fmin; using std::fmax; using std::sqrt; using std::fabs;
struct Index3 { long long x; };
static Index3 blockDim = {1}, blockIdx = {0}, threadIdx = {0};
#define __global__
#define __device__
#define __forceinline__ inline
// threads run one after another here, so an atomic add is a plain one
template <class T> inline T atomicAdd(T *address, T value) {
    T old = *address; *address += value; return old;
}
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


@functools.cache
def build(source):
    """The shared library of C++ ``source``, built once per source text (cached on disk)."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "halltwin-cuda-on-cpu"
    folder.mkdir(exist_ok=True)
    library = folder / f"{digest}.so"
    if not library.exists():
        cpp = folder / f"{digest}.cpp"
        cpp.write_text(source)
        # built under a private name, then renamed: parallel test workers never load half a file
        partial = folder / f"{digest}.{os.getpid()}.so"
        done = subprocess.run([compiler(), "-O1", "-shared", "-fPIC", "-o", str(partial),
                               str(cpp)], capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{cpp} does not compile:\n{done.stderr[-3000:]}")
        partial.replace(library)
    return ctypes.CDLL(str(library))


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

    def __init__(self, code, macros=None, name_expressions=None):
        macros = {"DIMS": "int g, int nz, int ny, int nx, int NY, int NX", **(macros or {})}
        real = "double" if "typedef double real;" in code else "float"
        kernels = {name: _parameters(sig, macros) for name, sig in _KERNEL.findall(code)}
        launchers = []
        for name, params in kernels.items():
            decl = ", ".join(f"{'real' if t == 'real' else t} {'*' if p else ''}{n}"
                             for t, p, n in params)  # fmt: skip
            call = ", ".join(n for _, _, n in params)
            launchers.append(
                # launcher names end in "_": kernel parameters may be called b or t
                f'extern "C" void launch_{name}(long long blocks_, long long threads_, {decl}) {{\n'
                f"    blockDim.x = threads_;\n"
                f"    for (long long b_ = 0; b_ < blocks_; ++b_)\n"
                f"        for (long long t_ = 0; t_ < threads_; ++t_) {{\n"
                f"            blockIdx.x = b_; threadIdx.x = t_; {name}({call});\n        }}\n}}"
            )
        lib = build(PRELUDE + code + "\n" + "\n".join(launchers) + "\n")
        self._functions = {n: CpuFunction(lib, n, p, real) for n, p in kernels.items()}

    def get_function(self, name):
        return self._functions[name]


#: C types of CuPy's parameter type names.
_C_OF = {"float64": "double", "float32": "float", "int32": "int", "int64": "long long",
         "uint8": "unsigned char", "bool": "bool"}  # fmt: skip


def _typed(params):
    """``"T x, float64 off"`` -> ``[("T", "x"), ("float64", "off")]``."""
    return [tuple(p.split()) for p in params.split(",")]


def _bind(params, args):
    """The C type of each parameter and the dtype that ``T`` takes (from the first array)."""
    t = next((a.dtype for (kind, _), a in zip(params, args, strict=True)
              if kind == "T" and isinstance(a, np.ndarray)), np.dtype(np.float64))  # fmt: skip
    ctypes_ = [("T" if kind == "T" else _C_OF[kind]) for kind, _ in params]
    return ctypes_, t


def _declare(params, ctypes_, args, index):
    """C parameter list, and the loop body's per-element bindings (arrays by reference)."""
    decl, body = [], []
    for (_, name), ctype, value in zip(params, ctypes_, args, strict=True):
        if isinstance(value, np.ndarray):
            # a zero-dimensional array is broadcast, as CuPy does: its one element
            decl.append(f"{ctype} *{name}_")
            body.append(f"{ctype} &{name} = {name}_[{index if value.ndim else 0}];")
        else:
            decl.append(f"{ctype} {name}")
    return ", ".join(decl), " ".join(body)


def _c_args(ctypes_, args, t):
    out = []
    for ctype, value in zip(ctypes_, args, strict=True):
        if isinstance(value, np.ndarray):
            out.append(ctypes.c_void_p(value.ctypes.data))
        else:
            dtype = t if ctype == "T" else {v: k for k, v in _C_OF.items()}[ctype]
            out.append(np.ctypeslib.as_ctypes_type(np.dtype(dtype))(value))
    return out


def _contiguous(args):
    """C-contiguous copies of array arguments (views of a padded array are strided)."""
    return [np.ascontiguousarray(a) if isinstance(a, np.ndarray) and a.ndim else a for a in args]


class CpuElementwiseKernel:
    """``cupy.ElementwiseKernel``: the operation in a C++ loop over equal-shaped arrays
    (zero-dimensional ones broadcast)."""

    def __init__(self, in_params, out_params, operation, name, **_):
        self._ins, self._outs, self._op = _typed(in_params), _typed(out_params), operation

    def __call__(self, *args):
        params = self._ins + self._outs
        if len(args) != len(params):
            raise TypeError(f"{len(args)} arguments for {len(params)} parameters")
        shapes = {a.shape for a in args if isinstance(a, np.ndarray)}
        if len(shapes - {()}) > 1:
            raise ValueError(f"arrays of different shapes {shapes}: only 0-d ones broadcast")
        ctypes_, t = _bind(params, args)
        flat = _contiguous(args)
        decl, body = _declare(params, ctypes_, flat, "i")
        source = (f"{PRELUDE}typedef {_C_OF[t.name]} T;\n"
                  f'extern "C" void run(long long n, {decl}) {{\n'
                  f"  for (long long i = 0; i < n; ++i) {{\n    {body} {self._op};\n  }}\n}}\n")
        n = max(a.size for a in flat if isinstance(a, np.ndarray))
        build(source).run(ctypes.c_longlong(n), *_c_args(ctypes_, flat, t))
        for view, done in zip(args[len(self._ins):], flat[len(self._ins):], strict=True):
            if view is not done:
                view[...] = done


class CpuReductionKernel:
    """``cupy.ReductionKernel`` over one axis (or all): map, reduce and post-map in C++."""

    def __init__(self, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity,
                 name, reduce_type, **_):  # fmt: skip
        self._ins, self._outs = _typed(in_params), _typed(out_params)
        self._map, self._reduce, self._post = map_expr, reduce_expr, post_map_expr
        self._identity, self._rtype = identity, reduce_type

    def __call__(self, *args, axis=None):
        arrays = [a for a in args if isinstance(a, np.ndarray)]
        shape = arrays[0].shape
        axis = tuple(range(len(shape))) if axis is None else (axis,)
        kept = [d for d in range(len(shape)) if d not in axis]
        order = kept + list(axis)
        m = int(np.prod([shape[d] for d in axis]))
        moved = [np.ascontiguousarray(np.transpose(a, order)) if isinstance(a, np.ndarray) else a
                 for a in args]  # fmt: skip
        outer = int(np.prod([shape[d] for d in kept]))
        (out_kind, out_name), = self._outs
        out = np.empty(outer, dtype=out_kind)
        ctypes_, t = _bind(self._ins, moved)
        decl, body = _declare(self._ins, ctypes_, moved, "o * m + j")
        r = self._rtype
        source = (
            f"{PRELUDE}typedef {_C_OF[t.name]} T;\n"
            f"static inline {r} reduce_({r} a, {r} b) {{ return ({self._reduce}); }}\n"
            f'extern "C" void run(long long outer, long long m, {decl}, '
            f"{_C_OF[out_kind]} *{out_name}_) {{\n"
            f"  for (long long o = 0; o < outer; ++o) {{\n"
            f"    {r} a = ({self._identity});\n"
            f"    for (long long j = 0; j < m; ++j) {{\n"
            f"      {body} a = reduce_(a, ({r})({self._map}));\n    }}\n"
            f"    {_C_OF[out_kind]} &{out_name} = {out_name}_[o]; {self._post};\n  }}\n}}\n"
        )
        args = _c_args(ctypes_, moved, t)
        build(source).run(ctypes.c_longlong(outer), ctypes.c_longlong(m), *args,
                          ctypes.c_void_p(out.ctypes.data))  # fmt: skip
        return out.reshape([shape[d] for d in kept])


class _NoGraphStream:
    """A stream that cannot record: :meth:`.CupyKernels.replayable` falls back to plain calls."""

    def __init__(self, non_blocking=False):
        self.non_blocking = non_blocking

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def begin_capture(self):
        raise RuntimeError("CUDA graphs need a GPU")


class _CudaNamespace:
    Stream = _NoGraphStream

    @staticmethod
    def Event(**_):  # noqa: N802 - CuPy's name
        return None


class CpuCuda:
    """The ``cupy`` stand-in: NumPy, with the kernel classes above and a stream without graphs."""

    RawModule = CpuRawModule
    ElementwiseKernel = CpuElementwiseKernel
    ReductionKernel = CpuReductionKernel
    cuda = _CudaNamespace()

    def __getattr__(self, name):
        return getattr(np, name)


class CpuCudaBackend:
    """The parts of a ``solvers.backend`` object that the CuPy kernel classes and the solver use."""

    name = "cupy"
    is_gpu = False
    compiled = True
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

    @staticmethod
    def threads_for(cells):
        return contextlib.nullcontext()

    @staticmethod
    def free_memory():
        # the stand-in's "device" arrays are host arrays
        return host_available_memory()


def gpu_backend():
    """The ``cupy`` backend, or a skip saying why there is none."""
    pytest.importorskip("cupy")
    try:
        return select_backend("cupy")
    except BackendUnavailable as error:  # cupy imports, but no GPU is visible
        pytest.skip(str(error))


def cuda_on_cpu_backend():
    """The CPU stand-in for the ``cupy`` backend, or a skip without a C++ compiler."""
    if compiler() is None:
        pytest.skip("no C++ compiler to build the CUDA source for the CPU")
    return CpuCudaBackend()
