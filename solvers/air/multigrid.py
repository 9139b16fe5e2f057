"""Pressure Poisson solve: conjugate gradients preconditioned by a geometric multigrid V-cycle.

The equation is ``A p = b`` with ``(A p)_i = sum over faces c_f (p_i - p_nb) / h²``
where ``c_f`` is 1 on open faces and 0 on walls, obstacle faces and flow
patches (their normal velocity is given, so the pressure sees a Neumann
condition).  ``A`` is symmetric positive semi-definite; the constant is its
null space and the right-hand side sums to zero because patches take out what
they put in.

Multigrid: cell-centred, 2× coarsening on each axis that allows it (odd sizes
are padded with solid cells; periodic axes and the single z-cell of a 2-D grid
coarsen only when they can), each coarse cell the connected fine cells of its
block (:mod:`.aggregates`: a wall through a block does not join its sides),
face coefficients averaged over the fine faces between coarse cells, red–black
Gauss–Seidel smoothing (:data:`SWEEPS` red–black sweeps before, as many
black–red after, so the V-cycle is a symmetric preconditioner),
piecewise-constant transfer, and a dense pseudo-inverse on the coarsest
level (larger where a coarser one would lose walls).  As CG's
preconditioner this converges in a handful of iterations even with
obstacles and walls one cell thick.

The V-cycle's input and output are the fine level's own ``b`` and ``x``, and
the backends may fuse what follows each other (the first half-sweep from
zero, residual and restriction, the first residual and the norms of ``b``
and ``r``, the first direction and ``r · z``, ``A d`` and ``d · A d``, the
CG update and ``r · r``): :class:`.NumpyKernels` composes each fused
primitive from the plain ones, and a compiled backend overrides what pays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .aggregates import coarsen
from .kernels_numpy import shifted

#: Coarsest level holds at most this many cells (solved with a dense pseudo-inverse).
COARSEST_CELLS = 512
#: ... or this many, where coarsening it once more would move more than
#: :data:`LOST_WALLS` of its cells between aggregates (:mod:`.aggregates`): a level
#: that coarse no longer holds the walls.  On the 10 MW hall at 0.1 m with
#: containment panels (24 % of the 4 x 14 x 18 level's cells would move): 14 and 20
#: CG iterations to 1e-3 and 1e-5 from zero with a 2 x 7 x 9 coarsest level, 6 and
#: 11 stopping at 4 x 14 x 18.  The 1 MW pod at 0.5 m, whose 5 x 9 x 12 level would
#: move 4 of 540 cells, keeps its third level: stopping there, a step's pressure
#: solve met its tolerance in one iteration where it took two, leaving 5e-3/s of
#: divergence in a cell for the next step (tests/twin/test_engine.py).
COARSEST_CELLS_WITH_WALLS = 1024
#: Share of a level's cells that would move, above which it is solved directly.
LOST_WALLS = 0.05

#: Red–black sweeps before and after the coarse correction on each level.  Two
#: cost about twice one per V-cycle but cut CG's iterations on the 10 MW hall
#: from 5 to 2 (warm start, float32, rtol 1e-4; from zero 8 to 4): about 20 %
#: less time per solve warm, 7 % from zero.  Three: 2 and 3 iterations, slower.
SWEEPS = 2


@dataclass
class Level:
    """One multigrid level (arrays in the backend's memory, ghost width ``g``)."""

    n3: tuple  # interior shape (nz, ny, nx)
    g: int
    h: tuple  # spacing (hx, hy, hz), m
    coef: tuple  # face coefficients (cx, cy, cz), padded
    diag: object  # sum of c_f / h² per cell (1/m²)
    inv_diag: object  # 1 / diagonal, 0 in cells without open faces
    x: object
    b: object
    r: object
    periodic: tuple
    factor: tuple = (1, 1, 1)  # coarsening factor to the next level (x, y, z)
    #: fine cells whose coarse cell is not their block's (:class:`.MovedCells`, device
    #: arrays), or None
    moved: object = None
    #: a backend's arguments derived from this level, built on first use
    kernel_args: dict = field(default_factory=dict, repr=False)


def _diagonal(coef, n3, g, h):
    diag = np.zeros(tuple(n + 2 * g for n in n3), dtype=coef[0].dtype)
    inner = shifted(diag, g, n3)
    for axis in range(3):
        unit = [0, 0, 0]
        unit[2 - axis] = 1
        inner += (shifted(coef[axis], g, n3) + shifted(coef[axis], g, n3, unit)) / h[axis] ** 2
    inv = np.zeros_like(diag)
    np.divide(1.0, diag, out=inv, where=diag > 0)
    return diag, inv


def _dense_operator(coef, inv_diag, n3, g, h):
    """Dense matrix of ``A`` on the coarsest level's active cells, and their flat indices."""
    shape = tuple(n + 2 * g for n in n3)
    active = np.zeros(shape, dtype=bool)
    shifted(active, g, n3)[...] = shifted(inv_diag, g, n3) > 0
    flat = np.flatnonzero(active)
    index = -np.ones(int(np.prod(shape)), dtype=np.int64)
    index[flat] = np.arange(flat.size)
    a = np.zeros((flat.size, flat.size))
    strides = (shape[1] * shape[2], shape[2], 1)
    for row, cell in enumerate(flat):
        for axis in range(3):
            st = strides[2 - axis]
            for nb, face in ((cell - st, cell), (cell + st, cell + st)):
                kf, rf = divmod(face, strides[0])
                jf, i_f = divmod(rf, strides[1])
                weight = coef[axis][kf, jf, i_f] / h[axis] ** 2
                if weight == 0:
                    continue
                a[row, row] += weight
                col = index[_wrap(nb, shape, n3, g, axis)]
                if col >= 0:
                    a[row, col] -= weight
    return a, flat


def _wrap(cell, shape, n3, g, axis):
    """Map a ghost neighbour across a periodic axis back into the interior."""
    idx = list(np.unravel_index(cell, shape))
    a = 2 - axis
    if idx[a] < g:
        idx[a] += n3[a]
    elif idx[a] >= g + n3[a]:
        idx[a] -= n3[a]
    return int(np.ravel_multi_index(idx, shape))


def _pseudo_inverse(dense):
    """Pseudo-inverse of the coarsest level's symmetric positive semi-definite operator.

    A closed room's operator is singular (its null space is the constant
    pressure); its eigenvalue there is round-off, and it must be dropped, not
    inverted.  Done explicitly because ``numpy.linalg.pinv``'s default cutoff
    changed in NumPy 2.5 and stopped dropping it (the projection then failed).
    """
    values, vectors = np.linalg.eigh(dense)
    keep = values > values.max() * dense.shape[0] * np.finfo(float).eps * 10
    return (vectors[:, keep] / values[keep]) @ vectors[:, keep].T


class PoissonMG:
    """Multigrid-preconditioned CG for the pressure on a padded grid.

    Parameters
    ----------
    open_faces : tuple of ndarray
        Host uint8 masks ``(fu, fv, fw)`` of open faces, padded with ghost width ``g``.
    n3 : tuple of int
        Interior shape (nz, ny, nx).
    g : int
        Ghost width of the fine arrays.
    spacing : tuple of float
        (hx, hy, hz) in m.
    periodic : tuple of bool
        Periodic flags for x, y, z.
    kernels : object
        Backend kernels providing the multigrid primitives (``mg_*``).
    backend : Backend
    dtype : numpy dtype
    """

    def __init__(self, open_faces, n3, g, spacing, periodic, kernels, backend, dtype):
        self.k = kernels
        self.backend = backend
        self.dtype = np.dtype(dtype)
        xp = backend.xp
        coef = [np.asarray(f, dtype=np.float64) for f in open_faces]
        levels_host = []
        h = tuple(spacing)
        while True:
            diag, inv = _diagonal(coef, n3, g, h)
            levels_host.append((n3, g, h, coef, inv, diag))
            factor = []
            for axis in range(3):
                n = n3[2 - axis]
                can = n >= 2 and not (periodic[axis] and n % 2)
                factor.append(2 if can and n > 2 else 1)
            cells = int(np.prod(n3))
            if cells <= COARSEST_CELLS or factor == [1, 1, 1]:
                break
            n3c = tuple(-(-n3[2 - ax] // factor[ax]) for ax in (2, 1, 0))
            coarse, moved = coarsen(coef, n3, g, factor, n3c, periodic)
            lost = 0 if moved is None else len(moved.cells)
            if cells <= COARSEST_CELLS_WITH_WALLS and lost > LOST_WALLS * cells:
                break
            coef = coarse
            levels_host[-1] = levels_host[-1] + (tuple(factor), moved)
            n3, g, h = n3c, 1, tuple(hh * f for hh, f in zip(h, factor, strict=True))
        if int(np.prod(levels_host[-1][0])) > 8 * COARSEST_CELLS:
            raise ValueError(
                f"grid {levels_host[0][0]} cannot coarsen below "
                f"{levels_host[-1][0]} cells; use sizes with factors of 2"
            )
        self.levels = []
        for item in levels_host:
            n3l, gl, hl, cl, inv, diag = item[:6]
            shape = tuple(n + 2 * gl for n in n3l)
            work = [xp.zeros(shape, dtype=self.dtype) for _ in range(3)]
            factor, moved = item[6:] if len(item) > 6 else ((1, 1, 1), None)
            if moved is not None:
                moved = type(moved)(*(backend.to_device(a) for a in
                                      (moved.cells, moved.own, moved.owner)))  # fmt: skip
            coef_dev = tuple(backend.to_device(c, self.dtype) for c in cl)
            diag_dev, inv_dev = (backend.to_device(a, self.dtype) for a in (diag, inv))
            self.levels.append(
                Level(n3l, gl, hl, coef_dev, diag_dev, inv_dev, *work, tuple(periodic), factor,
                      moved)  # fmt: skip
            )
        last = levels_host[-1]
        dense, flat = _dense_operator(last[3], last[4], last[0], last[1], last[2])
        self._coarse_flat = backend.to_device(flat)
        self._coarse_pinv = backend.to_device(_pseudo_inverse(dense), self.dtype)
        fine = self.levels[0]
        # the V-cycle's input and output are the fine level's own b and x: no copies
        self._r, self._z = fine.b, fine.x
        self._p = xp.zeros_like(fine.x)
        self._q = xp.zeros_like(fine.x)
        self._replay = None
        self.iterations = 0

    # ---------------------------------------------------------------- V-cycle
    def _cycle_from_r(self):
        """``z = M r`` on the solver's own ``_r`` and ``_z``: one V-cycle from zero.

        A fixed sequence of kernels.  Each level: :data:`SWEEPS` red–black
        sweeps (the first red half-sweep from zero), residual restricted to
        the next level's ``b``; the coarsest solved exactly; back up:
        prolongation, then as many black–red sweeps, the mirror order, which
        keeps the cycle symmetric.
        """
        k = self.k
        levels = self.levels
        for fine, coarse in zip(levels[:-1], levels[1:], strict=True):
            k.mg_smooth_from_zero(fine, 0)
            k.mg_smooth(fine, 1)
            for _ in range(SWEEPS - 1):
                k.mg_smooth(fine, 0)
                k.mg_smooth(fine, 1)
            k.mg_residual_restrict(fine, coarse)
            if fine.moved is not None:
                k.mg_restrict_moved(fine, coarse)
        k.mg_coarse_solve(levels[-1], self._coarse_pinv, self._coarse_flat)
        for fine, coarse in zip(levels[-2::-1], levels[:0:-1], strict=True):
            k.mg_prolong(coarse, fine)
            if fine.moved is not None:
                k.mg_prolong_moved(coarse, fine)
            for _ in range(SWEEPS):
                k.mg_smooth(fine, 1)
                k.mg_smooth(fine, 0)

    def _precondition(self, r, z):
        """``z = M r``: one V-cycle from zero on the fine level.

        The cycle is the same sequence of kernels on the same arrays every
        time, so a backend may replay it as one recorded graph
        (``kernels.replayable``: a CUDA graph on CuPy, the plain call elsewhere).
        """
        if self._replay is None:
            self._replay = self.k.replayable(self._cycle_from_r)
        if r is not self._r:
            self._r[...] = r
        self._replay()
        if z is not self._z:
            z[...] = self._z

    def solve(self, p, b, rtol, atol=0.0, max_iter=200):
        """Solve ``A p = b`` in place, starting from ``p``.

        Parameters
        ----------
        p : ndarray
            Initial guess, overwritten by the solution (padded, ghost width ``g``).
        b : ndarray
            Right-hand side (padded; its interior is used, it must sum to 0).
        rtol, atol : float
            Stop when ``||r||_2 <= max(rtol * ||b||_2, atol)``.

        Returns
        -------
        float
            Final residual 2-norm (same units as ``b``).
        """
        k = self.k
        fine = self.levels[0]
        r, z, d, q = self._r, self._z, self._p, self._q
        k.mg_fill_periodic(fine, p)
        bb, rr = k.to_host(*k.mg_residual_norms(fine, p, b, r))
        target = max(rtol * np.sqrt(bb), atol)
        rr = np.sqrt(rr)
        self.iterations = 0
        if rr <= target:
            return rr
        self._precondition(r, z)
        # rz, curvature and the step lengths stay backend scalars (on a GPU,
        # device values the kernels read there): one read-back an iteration
        rz = k.mg_copy_dot(fine, z, r, d)  # d = z
        for it in range(1, max_iter + 1):
            k.mg_fill_periodic(fine, d)
            curvature = k.mg_apply_dot(fine, d, q)
            # a step of 0 where the curvature is not positive: the residual lies
            # in A's null space, nothing is left to solve (or it is NaN)
            rr_new = k.mg_axpy2_dot(fine, k.ratio(rz, curvature), d, q, p, r)
            rr_new, curvature = k.to_host(rr_new, curvature)
            if not curvature > 0.0:
                break
            rr = np.sqrt(rr_new)
            self.iterations = it
            if rr <= target or not np.isfinite(rr):
                break
            self._precondition(r, z)
            rz_new = k.mg_dot(fine, r, z)
            # beta is 0 where rz is not positive; a zero z (rz_new 0) makes d 0,
            # and the next curvature ends the loop
            k.mg_xpby(fine, z, k.ratio(rz_new, rz), d)
            rz = rz_new
        k.mg_fill_periodic(fine, p)
        return rr
