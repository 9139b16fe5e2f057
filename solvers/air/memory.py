"""How much memory an air model takes, checked before its grid is built.

A grid too fine for the machine would otherwise fail deep inside NumPy (a
traceback) or, worse, be stopped by the kernel's out-of-memory killer once
its zero-filled arrays are first touched: the 10 MW hall at 0.01 m (3.4e9
cells) did so after a minute.  Callers check the shape first, with the
backend's free memory, and turn the message into advice for their own users.
"""

from __future__ import annotations

import numpy as np

from .grid import GHOST

#: Bytes an :class:`.AirSolver` and its grid hold per cell of the padded grid,
#: per byte of the float type, and for the byte-wide masks.  Measured with
#: tracemalloc after two steps (numpy and numba, flux and semi-Lagrangian,
#: float32 and float64): 26-35 bytes per float byte, the most on the smallest
#: grid (40 x 30 x 20 cells), for about 26 fields, the multigrid's levels and
#: the semi-Lagrangian displacements.
BYTES_PER_FLOAT_BYTE = 40
MASK_BYTES = 8


def air_bytes(shape, dtype):
    """Bytes an air model on ``shape`` (cells along x, y, z) of float ``dtype`` needs, about."""
    cells = float(np.prod([float(n) + 2 * GHOST for n in shape]))
    return cells * (BYTES_PER_FLOAT_BYTE * np.dtype(dtype).itemsize + MASK_BYTES)


def check_memory(shape, dtype, backend, copies=1):
    """Raise ``ValueError`` if ``copies`` air models on ``shape`` would not fit in the backend's
    memory (several: a sweep's workers, each holding its own model at once).

    Parameters
    ----------
    shape : tuple of int
        Cells along x, y and z.
    dtype : numpy dtype
        The solver's float type.
    backend : Backend
        Where the arrays would live (:meth:`.Backend.free_memory`).
    copies : int
        Models held at the same time.

    Returns
    -------
    float
        The fraction of the free memory the model would take (0 where the
        free memory cannot be told).
    """
    need = copies * air_bytes(shape, dtype)
    free = backend.free_memory()
    if free is None:
        return 0.0
    if need > free:
        cells = " x ".join(str(int(n)) for n in shape)
        where = "GPU" if backend.is_gpu else "host"
        models = f"{copies} models of " if copies > 1 else ""
        together = " together" if copies > 1 else ""
        raise ValueError(
            f"{models}{cells} cells ({float(np.prod([float(n) for n in shape])):.3g}) need "
            f"about {_gigabytes(need)} of {where} memory{together}, more than the "
            f"{_gigabytes(free)} free"
        )
    return need / free


def _gigabytes(size):
    return f"{size / 1e9:,.0f} GB" if size >= 1e11 else f"{size / 1e9:.3g} GB"
