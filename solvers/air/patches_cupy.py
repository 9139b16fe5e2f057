"""The semi-Lagrangian patch exchange on a GPU: the per-patch arithmetic in one CUDA kernel.

:meth:`.PatchSet.exchange` in NumPy style is two dozen small array
operations over a hundred patches (sums, ``where``, ``clip``, the energy,
the source cells' fill); on CuPy each is a kernel launch from Python.  Here
the sink cells' running sum (a gather and a ``cumsum``) stays as it is, and
one thread per patch does the rest: its sink mean from the running sum, its
heat (set, or the setpoint's within the capacity), its source temperature,
its energy, and the source temperature into the cells behind its source
opening.  The arithmetic is the reference's (:meth:`.PatchSet._exchange`),
in double.  This module never imports cupy: it takes it from the backend.
"""

from __future__ import annotations

import numpy as np

from .kernels_cuda import PREAMBLE
from .kernels_cupy import _BLOCK

SOURCE = PREAMBLE + r"""
// ends: the running sum of the sink cells' temperatures at each patch's last cell
extern "C" __global__ void patch_exchange(const double *ends, const double *counts,
        const double *flow, const double *heat_set, const double *setpoint,
        const double *capacity, double rho_cp, double dt, int patches,
        const long long *src_cells, const long long *src_ends, real *T,
        double *t_sink, double *heat, double *t_src, double *energy) {
    long long p = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (p >= patches) return;
    double sink = (p > 0 ? ends[p] - ends[p - 1] : ends[p]) / counts[p];
    double mcp = rho_cp * flow[p], cap = capacity[p];
    double safe = mcp > 0 ? mcp : 1.0;
    // a NaN setpoint means the heat is set; NaN temperatures stay NaN
    double wanted = setpoint[p] != setpoint[p] ? heat_set[p] : mcp * (setpoint[p] - sink);
    double q = mcp > 0 ? (wanted < -cap ? -cap : (wanted > cap ? cap : wanted)) : 0.0;
    double src = sink + q / safe;
    t_sink[p] = sink;
    heat[p] = q;
    t_src[p] = src;
    energy[p] += q * dt;
    real value = (real)src;
    for (long long c = p > 0 ? src_ends[p - 1] : 0; c < src_ends[p]; ++c) T[src_cells[c]] = value;
}
"""


class FusedExchange:
    """:meth:`.PatchSet.exchange`'s per-patch work as one launch (CuPy backends).

    Parameters
    ----------
    backend : Backend
        The ``cupy`` backend (its ``xp`` is cupy).
    dtype : numpy dtype
        The temperature field's.
    """

    def __init__(self, backend, dtype):
        self.cp = backend.xp
        real = "double" if np.dtype(dtype) == np.float64 else "float"
        module = self.cp.RawModule(code=SOURCE.replace("REAL", real))
        self._kernel = module.get_function("patch_exchange")

    def __call__(self, ends, settings, counts, rho_cp, dt, sources, T, energy):
        """Book a step of ``dt`` s and fill the source cells of ``T`` (in place).

        Parameters
        ----------
        ends : device array
            Running sum of the sink cells' temperatures at each patch's last one (K).
        settings : dict
            Device arrays ``flow`` (m³/s), ``heat`` (W), ``setpoint`` (°C, NaN
            where the heat is set) and ``capacity`` (W), one value per patch.
        counts : device array
            Sink cells per patch (float64).
        sources : tuple
            The source cells (flat padded indices, patch after patch) and
            each patch's end in them (int64 device arrays).
        energy : device array
            Each patch's heat since the start (J), added to in place.

        Returns
        -------
        t_sink, heat, t_src : device arrays
            Per patch: sink mean (°C), heat (W), source temperature (°C).
        """
        cp, n = self.cp, int(counts.size)
        t_sink, heat, t_src = (cp.empty(n, dtype=np.float64) for _ in range(3))
        cells, src_ends = sources
        args = (ends, counts, settings["flow"], settings["heat"], settings["setpoint"],
                settings["capacity"], np.float64(rho_cp), np.float64(dt), np.int32(n), cells,
                src_ends, T, t_sink, heat, t_src, energy)  # fmt: skip
        self._kernel(((n + _BLOCK - 1) // _BLOCK,), (_BLOCK,), args)
        return t_sink, heat, t_src
