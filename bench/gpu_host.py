"""The host's share of a CuPy air step, measured without a GPU.

Usage::

    python bench/gpu_host.py [--steps 5] [--calls 2000]

On a GPU a small grid's step is bound by the host: Python launching each
kernel (and waiting where it reads a result back), not the GPU's work.  This
runs the CuPy kernel classes on the CPU stand-in of
``tests/solvers/air/cuda_on_cpu.py`` (the same CUDA source built by the host
C++ compiler, the same host code) and prints

1. the launches of one semi-Lagrangian step of ``bench/air.py``'s stand-in
   hall (112 × 88 × 22 cells, float32), by kind: raw kernels, elementwise
   and reduction kernels, and how many of the raw ones are V-cycles (which a
   GPU replays as one CUDA graph each); NumPy-style operations on device
   arrays (slicing, ``sum``) are launches on a GPU too and are not counted;
2. the host's own microseconds to marshal one launch of a few kernels (the
   kernel itself replaced by a no-op): what our Python adds to CuPy's own
   launch cost, which this does not include.

Nothing here passes or fails on a time.  Needs a C++ compiler.
"""

from __future__ import annotations

import argparse
import collections
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tests.solvers.air.cuda_on_cpu as stand_in  # noqa: E402
from bench.air import hall_problem  # noqa: E402
from solvers.air.grid import GHOST  # noqa: E402
from solvers.air.kernels_cupy import CupyKernels  # noqa: E402
from solvers.air.kernels_sl_cupy import CupySemiLagrangianKernels  # noqa: E402
from solvers.air.multigrid import PoissonMG  # noqa: E402
from solvers.backend import cpu_name  # noqa: E402

KINDS = {"raw": stand_in.CpuFunction, "elementwise": stand_in.CpuElementwiseKernel,
         "reduction": stand_in.CpuReductionKernel}  # fmt: skip


def count_launches(steps):
    """Launches per step by kind, those inside V-cycles, and CG iterations per step."""
    counts, in_cycles = collections.Counter(), collections.Counter()
    for kind, cls in KINDS.items():
        call = cls.__call__

        def counted(self, *args, _call=call, _kind=kind, **kwargs):
            counts[_kind] += 1
            return _call(self, *args, **kwargs)

        cls.__call__ = counted
    cycle = PoissonMG._cycle_from_r

    def counted_cycle(self):
        before = counts.copy()
        cycle(self)
        in_cycles.update(counts - before)

    PoissonMG._cycle_from_r = counted_cycle
    solver = hall_problem((112, 88, 22), stand_in.CpuCudaBackend(), np.float32,
                          advection="semi-lagrangian", cfl=4)[0]  # fmt: skip
    solver.pressure_rtol = 1e-3  # the halls' tolerance (docs/air.md)
    for _ in range(3):
        solver.step()
    counts.clear()
    in_cycles.clear()
    iterations = 0
    for _ in range(steps):
        solver.step()
        iterations += solver.poisson.iterations
    per = {kind: counts[kind] / steps for kind in KINDS}
    return per, in_cycles["raw"] / steps, iterations / steps


def marshalling(calls):
    """Microseconds of host work per launch of a few kernels, the kernel a no-op."""
    backend = stand_in.CpuCudaBackend()
    kernels, sl = CupyKernels(backend), CupySemiLagrangianKernels(backend)
    kernels._fn = lambda dtype, name, coef="real": lambda *args: None
    sl._fn = lambda dtype, name: lambda *args: None
    n3, h, off = (22, 88, 112), (0.25, 0.25, 0.25), (False, False, False)
    shape = tuple(n + 2 * GHOST for n in n3)
    T, fluid = np.zeros(shape, np.float32), np.ones(shape, np.uint8)
    vel = [np.zeros(shape, np.float32) for _ in range(3)]
    cases = {
        "divergence": lambda: kernels.divergence(vel, h, -1.0, fluid, GHOST, n3, T),
        "project": lambda: kernels.project(0, vel[0], T, fluid, h, 0.1, GHOST, n3),
        "scalar_update": lambda: kernels.scalar_update(T, vel, 2e-5, T, 1.2, fluid, h, 0.1,
                                                       GHOST, n3, T),
        "sl_scalar": lambda: sl.sl_scalar(T, vel, fluid, off, GHOST, n3, T),
        "diffuse_velocity": lambda: sl.diffuse_velocity(0, T, T, 1.5e-5, T, fluid, h, 0.1, 0.03,
                                                        24.0, GHOST, n3, T),
    }  # fmt: skip
    out = {}
    for name, fn in cases.items():
        best = np.inf
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            best = min(best, (time.perf_counter() - start) / calls)
        out[name] = 1e6 * best
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="steps counted (after 3 more)")
    parser.add_argument("--calls", type=int, default=2000, help="launches timed per kernel")
    args = parser.parse_args(argv)
    if stand_in.compiler() is None:
        sys.exit("gpu_host: needs a C++ compiler (g++ or c++) for the CUDA source on the CPU")
    print(f"host: {cpu_name()}, Python {platform.python_version()}")
    per, cycles, iterations = count_launches(args.steps)
    print(f"launches per semi-Lagrangian step of the stand-in hall ({iterations:.1f} CG "
          f"iterations): raw {per['raw']:.1f} (of which {cycles:.1f} in V-cycles, one graph "
          f"each on a GPU), elementwise {per['elementwise']:.1f}, "
          f"reduction {per['reduction']:.1f}")  # fmt: skip
    print("host microseconds to marshal one launch (CuPy's own launch cost not included):")
    for name, micros in marshalling(args.calls).items():
        print(f"  {name:18s} {micros:6.2f}")


if __name__ == "__main__":
    main()
