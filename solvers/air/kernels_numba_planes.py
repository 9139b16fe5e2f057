"""Plane spans and per-cell flags: what the numba stencil kernels that loop over flat runs share.

A row of the 10 MW hall's grid is 112 cells, seven 16-lane vectors.  A
kernel that loops a row at a time sets up a dozen or more views of the
row's neighbours and passes the vectorised loop's checks for every row, and
that costs a quarter or more of it there.  So the diffusion and flux
kernels loop over spans of a z-plane's interior rows taken as one flat run
of cells, ghost columns included (:func:`span`): the ghost columns are
computed and thrown away.  A byte of flags per cell (:func:`scalar_flags`,
:func:`velocity_flags`) says which cells are interior, which are fluid or
open, and which faces of a cell carry a flux; a ghost cell keeps what the
output held, so these kernels write exactly what a row-at-a-time kernel
writes.  The flags are made once per static mask (:class:`CellFlags`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .kernels_numba_mg import JIT as _JIT

#: Spans each z-plane is cut into, for the threads to share.
PARTS = 8
#: Flag bits: the faces (low and high along x, y, z) that carry a flux, the
#: cell fluid (or the face open), and the cell interior.
WEST, EAST, SOUTH, NORTH, DOWN, UP, ACTIVE, INTERIOR = (1 << b for b in range(8))


@njit(inline="always")
def span(item, g, ny, row, plane):
    """Flat start and length of the ``item``-th span: plane ``item // PARTS``'s interior rows."""
    k = item // PARTS + g
    part = item % PARTS
    cells = ny * row
    lo, hi = part * cells // PARTS, (part + 1) * cells // PARTS
    return k * plane + g * row + lo, hi - lo


@njit(parallel=True, **_JIT)
def scalar_flags(fluid, g, nz, ny, nx, out):
    """``out``'s interior: which faces of each cell carry heat (both cells fluid), its own
    fluid (:data:`ACTIVE`) and :data:`INTERIOR`; its ghosts are left 0."""
    dk = 1 if nz > 1 else 0
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        fc, o = fluid[k, j, g:], out[k, j, g:]
        fw, fe = fluid[k, j, g - 1 :], fluid[k, j, g + 1 :]
        fs, fn = fluid[k, j - 1, g:], fluid[k, j + 1, g:]
        fd, fu = fluid[k - dk, j, g:], fluid[k + dk, j, g:]
        for i in range(nx):
            c = fc[i] != 0
            o[i] = ((WEST if c and fw[i] != 0 else 0) | (EAST if c and fe[i] != 0 else 0)
                    | (SOUTH if c and fs[i] != 0 else 0) | (NORTH if c and fn[i] != 0 else 0)
                    | (DOWN if c and fd[i] != 0 else 0) | (UP if c and fu[i] != 0 else 0)
                    | (ACTIVE if c else 0) | INTERIOR)  # fmt: skip


@njit(parallel=True, **_JIT)
def velocity_flags(open_c, g, nz, ny, nx, out):
    """``out``'s interior: :data:`ACTIVE` on open faces of the component, and :data:`INTERIOR`."""
    for kj in prange(nz * ny):
        k, j = kj // ny + g, kj % ny + g
        oc, o = open_c[k, j, g:], out[k, j, g:]
        for i in range(nx):
            o[i] = (ACTIVE if oc[i] != 0 else 0) | INTERIOR


@njit(parallel=True, **_JIT)
def interior_flags(g, nz, ny, nx, out):
    """:data:`INTERIOR` on ``out``'s interior; its ghosts are left 0."""
    for kj in prange(nz * ny):
        o = out[kj // ny + g, kj % ny + g, g:]
        for i in range(nx):
            o[i] = INTERIOR


def flat(a):
    """``a`` as a 1-D view (a view, never a copy), for kernels that index it flat."""
    if not a.flags.c_contiguous or a.size >= 2**32:
        raise ValueError(f"the kernels read C-contiguous fields below 2**32 cells, not {a.shape}")
    return a.reshape(-1)


def strides(a):
    """Row and plane strides (elements) of the C-contiguous padded field ``a``."""
    return a.shape[2], a.shape[1] * a.shape[2]


class CellFlags:
    """Flag bytes of static masks, made on first use of each mask and kept with it.

    The solver's fluid and open-face masks never change once it is built, so
    a mask's flags are keyed by the mask itself (held here, so that its
    ``id`` cannot be reused by another array); interior flags by the shape.
    """

    def __init__(self):
        self._made = {}

    def _of(self, mask, make, g, n3):
        key = (id(mask), make)
        if key not in self._made:
            flags = np.zeros(mask.shape, np.uint8)
            make(mask, g, *n3, flags)
            self._made[key] = (mask, flags)
        return flat(self._made[key][1])

    def interior(self, field, g, n3):
        """Flat :func:`interior_flags` for fields of ``field``'s shape."""
        key = (field.shape, g)
        if key not in self._made:
            flags = np.zeros(field.shape, np.uint8)
            interior_flags(g, *n3, flags)
            self._made[key] = (None, flags)
        return flat(self._made[key][1])

    def scalar(self, fluid, g, n3):
        """Flat :func:`scalar_flags` of the fluid mask ``fluid``."""
        return self._of(fluid, scalar_flags, g, n3)

    def velocity(self, open_c, g, n3):
        """Flat :func:`velocity_flags` of a component's open-face mask ``open_c``."""
        return self._of(open_c, velocity_flags, g, n3)
