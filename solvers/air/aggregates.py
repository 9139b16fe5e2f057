"""Coarse cells of the pressure multigrid that never join the two sides of a wall.

A coarse cell of the V-cycle is the block of fine cells it covers (2 × 2 × 2,
or fewer along an axis that does not coarsen).  A wall one cell thick (a
ceiling slab, a containment panel, a partition) that runs through blocks
instead of along their boundaries puts the air on both its sides into one
coarse cell, and from there down the coarse levels see no wall: their
corrections leak through it and CG needs many more iterations (on a
64 × 64 × 32 box with a one-cell slab, 14 and 20 iterations to 1e-3 and 1e-5
instead of the 3 and 5 of the same slab on a block boundary;
``bench/thin_walls.py``).

So a coarse cell is an aggregate of fine cells that are connected:

- a block whose active fine cells fall into parts not connected inside it
  (through open faces between its own cells) keeps its largest part (the
  first, in cell order, of equal ones);
- each other part joins the neighbouring block that one of its cells opens
  into through the block's boundary, a cell that block keeps; a part with no
  such neighbour gets no coarse correction;
- a coarse face coefficient is the sum of the fine face coefficients between
  the two aggregates over the number of fine faces in a coarse face: the
  plain average where no cell moved.  A coupling between aggregates that are
  not face neighbours (a moved part touching a diagonal block) is dropped, so
  that the coarse operator keeps its 7-point stencil.

The transfers stay the blocks' (restriction the mean of a block's residuals,
prolongation its value to every fine cell) plus a fix-up over the few moved
cells, which hands their share to the aggregate they joined
(:meth:`.NumpyKernels.mg_restrict_moved`, :meth:`.NumpyKernels.mg_prolong_moved`).
Both fix-ups use the same lists, so restriction stays the transpose of
prolongation (scaled) and the V-cycle a symmetric preconditioner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Unit steps (dz, dy, dx) along x, y and z.
STEP = ((0, 0, 1), (0, 1, 0), (1, 0, 0))


@dataclass
class MovedCells:
    """Fine cells whose aggregate is not their block's, as flat indices of padded arrays.

    Attributes
    ----------
    cells : ndarray of int64
        The cells, in the fine level's padded arrays.
    own : ndarray of int64
        Their blocks' coarse cells, in the coarse level's padded arrays.
    owner : ndarray of int64
        The coarse cells they joined; -1 for a part with none (no correction).
    """

    cells: np.ndarray
    own: np.ndarray
    owner: np.ndarray


def _open_faces(coef, n3, g):
    """Per axis, whether the low face of each interior cell is open (bool, shape ``n3``)."""
    inner = tuple(slice(g, g + n) for n in n3)
    return [coef[axis][inner] > 0 for axis in range(3)]


def _high_faces(coef, n3, g):
    """Per axis, whether the high face of each interior cell is open."""
    out = []
    for axis in range(3):
        box = [slice(g, g + n) for n in n3]
        box[2 - axis] = slice(g + 1, g + 1 + n3[2 - axis])
        out.append(coef[axis][tuple(box)] > 0)
    return out


def _as_blocks(a, n3c, factor, fill):
    """``a`` (shape n3) padded with ``fill`` to whole blocks, as (blocks, children)."""
    fz, fy, fx = factor[2], factor[1], factor[0]
    big = np.full((n3c[0] * fz, n3c[1] * fy, n3c[2] * fx), fill, dtype=a.dtype)
    big[: a.shape[0], : a.shape[1], : a.shape[2]] = a
    return (big.reshape(n3c[0], fz, n3c[1], fy, n3c[2], fx).transpose(0, 2, 4, 1, 3, 5)
               .reshape(-1, fz * fy * fx))  # fmt: skip


def _internal_edges(factor):
    """Pairs of children (low, high) of a block joined by a face, with the face's axis."""
    fz, fy, fx = factor[2], factor[1], factor[0]
    edges = []
    for a in range(fz):
        for b in range(fy):
            for d in range(fx):
                child = (a * fy + b) * fx + d
                for axis, (on, stride) in enumerate(((d, 1), (b, fx), (a, fx * fy))):
                    if on == 1:
                        edges.append((child - stride, child, axis))
    return edges


def _parts(active, low_open, n3c, factor):
    """Per block and child: the part (the smallest child index in it; ``m`` if inactive),
    and the part each block keeps (the largest)."""
    m = factor[0] * factor[1] * factor[2]
    act = _as_blocks(active, n3c, factor, False)
    faces = [_as_blocks(f, n3c, factor, False) for f in low_open]
    edges = _internal_edges(factor)
    joined = [act[:, lo] & act[:, hi] & faces[axis][:, hi] for lo, hi, axis in edges]
    label = np.where(act, np.arange(m), m)
    # a block is one part unless an edge between its active cells is missing or shut:
    # only such blocks (next to obstacles and walls) are labelled
    suspect = np.zeros(act.shape[0], dtype=bool)
    for link in joined:
        suspect |= ~link
    sub, links = label[suspect], [link[suspect] for link in joined]
    for _ in range(m):  # enough sweeps to cross any block
        for (lo, hi, _), link in zip(edges, links, strict=True):
            low = np.minimum(sub[:, lo], sub[:, hi])
            sub[:, lo] = np.where(link, low, sub[:, lo])
            sub[:, hi] = np.where(link, low, sub[:, hi])
    label[suspect] = sub
    label[~suspect] = 0  # every cell active, every inner face open: one part
    sizes = np.stack([(label == part).sum(axis=1) for part in range(m)], axis=1)
    return label, sizes.argmax(axis=1)


def _fine_from_blocks(b, n3, n3c, factor):
    """The inverse of :func:`_as_blocks`, cut back to ``n3``."""
    fz, fy, fx = factor[2], factor[1], factor[0]
    big = (b.reshape(n3c[0], n3c[1], n3c[2], fz, fy, fx).transpose(0, 3, 1, 4, 2, 5)
            .reshape(n3c[0] * fz, n3c[1] * fy, n3c[2] * fx))  # fmt: skip
    return big[: n3[0], : n3[1], : n3[2]]


def _owners(active, kept, label, low_open, high_open, n3, n3c, factor, periodic):
    """Coarse cell (k, j, i) each moved fine cell joins, or -1; and the moved cells' indices."""
    moved = np.argwhere(active & ~kept)  # (k, j, i) rows
    owner = -np.ones((len(moved), 3), dtype=np.int64)
    found = np.zeros(len(moved), dtype=bool)
    f3 = (factor[2], factor[1], factor[0])
    for axis in range(3):
        ax = 2 - axis
        for sign, faces in ((1, high_open), (-1, low_open)):
            nb = moved.copy()
            nb[:, ax] += sign
            n = n3[ax]
            if periodic[axis]:
                nb[:, ax] %= n
            inside = (nb[:, ax] >= 0) & (nb[:, ax] < n)
            nb_safe = np.where(inside[:, None], nb, 0)
            crosses = nb_safe[:, ax] // f3[ax] != moved[:, ax] // f3[ax]
            ok = (~found & inside & crosses & faces[axis][tuple(moved.T)]
                  & kept[tuple(nb_safe.T)])  # fmt: skip
            owner[ok] = nb_safe[ok] // np.array(f3)
            found |= ok
    # a part's cells all join where any of them opens
    block = moved // np.array(f3)
    key = (block[:, 0] * n3c[1] + block[:, 1]) * n3c[2] + block[:, 2]
    part = label[tuple(moved.T)]
    joined = {}
    for index in np.flatnonzero(found):
        joined.setdefault((key[index], part[index]), owner[index])
    for index in range(len(moved)):
        owner[index] = joined.get((key[index], part[index]), owner[index])
    return moved, owner


def coarsen(coef, n3, g, factor, n3c, periodic):
    """Coarse face coefficients of the aggregates, and the fine cells moved between them.

    Parameters
    ----------
    coef : list of ndarray
        Fine face coefficients (cx, cy, cz), padded with ghost width ``g``
        (float64; 0 on shut faces).
    n3, n3c : tuple of int
        Fine and coarse interior shapes (nz, ny, nx).
    factor : tuple of int
        Coarsening factor (1 or 2) along x, y, z.
    periodic : tuple of bool
        Periodic flags along x, y, z.

    Returns
    -------
    list of ndarray
        Coarse face coefficients, padded with ghost width 1.
    MovedCells or None
        The moved cells, or None where every block is one aggregate.
    """
    low_open, high_open = _open_faces(coef, n3, g), _high_faces(coef, n3, g)
    active = np.logical_or.reduce(low_open + high_open)
    label_b, keep_b = _parts(active, low_open, n3c, factor)
    m = factor[0] * factor[1] * factor[2]
    kept_b = (label_b == keep_b[:, None]) & (label_b < m)
    kept = _fine_from_blocks(kept_b, n3, n3c, factor)
    label = _fine_from_blocks(label_b, n3, n3c, factor)
    if not (active & ~kept).any():
        return _block_average(coef, n3, g, factor, n3c), None
    moved, owner = _owners(active, kept, label, low_open, high_open, n3, n3c, factor, periodic)
    f3 = np.array((factor[2], factor[1], factor[0]))
    # faces with a moved cell on either side are summed one by one below
    is_moved = np.zeros(n3, dtype=bool)
    is_moved[tuple(moved.T)] = True
    masked = [c.copy() for c in coef]
    for axis in range(3):
        ax = 2 - axis
        ring = np.pad(is_moved, [(1, 1)] * 3)
        if periodic[axis]:
            ring = np.pad(is_moved, [(1, 1) if a == ax else (0, 0) for a in range(3)],
                          mode="wrap")  # fmt: skip
            ring = np.pad(ring, [(0, 0) if a == ax else (1, 1) for a in range(3)])
        # face f along the axis lies between cells f-1 and f: ring index f and f+1
        low = ring[tuple(slice(0, n + 1) if a == ax else slice(1, n + 1) for a, n in enumerate(n3))]
        high = ring[tuple(slice(1, n + 2) if a == ax else slice(1, n + 1)
                          for a, n in enumerate(n3))]  # fmt: skip
        box = tuple(slice(g, g + n + (1 if a == ax else 0)) for a, n in enumerate(n3))
        masked[axis][box] *= ~(low | high)
    coarse = _block_average(masked, n3, g, factor, n3c)
    _add_moved_faces(coarse, coef, moved, owner, is_moved, kept, active, n3, g, factor, n3c,
                     periodic)  # fmt: skip
    own = moved // f3
    return coarse, MovedCells(_flat(moved, n3, g), _flat(own, n3c, 1),
                              np.where(owner[:, 0] >= 0, _flat(owner, n3c, 1), -1))


def _flat(kji, n3, g):
    """Flat indices of interior cells (k, j, i) in arrays padded with ghost width ``g``."""
    ny, nx = n3[1] + 2 * g, n3[2] + 2 * g
    k, j, i = (kji[:, a] + g for a in range(3))
    return ((k * ny + j) * nx + i).astype(np.int64)


def _add_moved_faces(coarse, coef, moved, owner, is_moved, kept, active, n3, g, factor, n3c,
                     periodic):  # fmt: skip
    """Add each open fine face with a moved cell on a side to the coarse face between the
    two sides' aggregates, where those are face neighbours."""
    f3 = np.array((factor[2], factor[1], factor[0]))
    shape = np.array(n3c)
    joined = {tuple(c): tuple(o) for c, o in zip(moved.tolist(), owner.tolist(), strict=True)}

    def aggregate(cell):
        if is_moved[cell]:
            return joined[cell] if joined[cell][0] >= 0 else None
        return tuple(np.array(cell) // f3) if kept[cell] else None

    seen = set()
    for cell in joined:
        for axis in range(3):
            ax = 2 - axis
            count = np.prod([factor[b] for b in range(3) if b != axis])
            for sign in (-1, 1):
                other = list(cell)
                other[ax] += sign
                if periodic[axis]:
                    other[ax] %= n3[ax]
                other = tuple(other)
                if not 0 <= other[ax] < n3[ax] or not active[other]:
                    continue
                low, high = (other, cell) if sign < 0 else (cell, other)
                if (axis, low, high) in seen:
                    continue
                seen.add((axis, low, high))
                c = coef[axis][tuple(i + g for i in high)]  # the high cell's low face
                a_low, a_high = aggregate(low), aggregate(high)
                if c == 0 or a_low is None or a_high is None or a_low == a_high:
                    continue
                step = np.array(STEP[axis])
                up = np.array(a_high) - np.array(a_low)
                if periodic[axis]:
                    up %= shape
                if np.array_equal(up, step):
                    at = a_high
                elif np.array_equal((-up) % shape if periodic[axis] else -up, step):
                    at = a_low
                else:
                    continue  # not face neighbours: dropped
                target = tuple(i + 1 for i in at)
                coarse[axis][target] += c / count
                if periodic[axis] and at[ax] == 0:  # the wrapped face's copy at the far end
                    mirror = list(target)
                    mirror[ax] = n3c[ax] + 1
                    coarse[axis][tuple(mirror)] += c / count


def _block_average(coef, n3, g, factor, n3c):
    """Average the fine face coefficients over the fine faces that make each coarse face."""
    fz, fy, fx = factor[2], factor[1], factor[0]
    out = []
    for axis, c in enumerate(coef):
        interior = c[g : g + n3[0] + 1, g : g + n3[1] + 1, g : g + n3[2] + 1]
        pad = np.zeros(((n3c[0] + 1) * fz, (n3c[1] + 1) * fy, (n3c[2] + 1) * fx), dtype=c.dtype)
        pad[: interior.shape[0], : interior.shape[1], : interior.shape[2]] = interior
        step = [fz, fy, fx]
        sums = np.zeros((n3c[0] + 1, n3c[1] + 1, n3c[2] + 1), dtype=c.dtype)
        count = 0
        for a in range(1 if axis == 2 else fz):
            for b in range(1 if axis == 1 else fy):
                for d in range(1 if axis == 0 else fx):
                    sub = pad[a :: step[0], b :: step[1], d :: step[2]]
                    sums += sub[: n3c[0] + 1, : n3c[1] + 1, : n3c[2] + 1]
                    count += 1
        full = np.zeros((n3c[0] + 2, n3c[1] + 2, n3c[2] + 2), dtype=c.dtype)
        full[1:, 1:, 1:] = sums / count
        out.append(full)
    return out
