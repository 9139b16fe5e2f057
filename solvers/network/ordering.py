"""Fill-reducing ordering and symbolic factorization of the node matrix.

The GGA matrix has one row per junction and one off-diagonal entry per pair
of junctions joined by a link; its pattern never changes during a run (closed
links just contribute zero), so the ordering and the pattern of the Cholesky
factor are computed once per network.  Minimum degree (as EPANET's
``smatrix.c``) keeps the fill of looped water networks small.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

__all__ = ["SymbolicFactor", "symbolic_factor"]


@dataclass(frozen=True)
class SymbolicFactor:
    """Ordering, matrix layout and factor pattern for one network.

    Attributes
    ----------
    n : int
        Number of unknowns (junctions).
    row : ndarray
        Node index → permuted unknown index, −1 for fixed-head nodes.
    ap, ai : ndarray
        Lower-triangular CSC pattern of the permuted matrix (diagonal first).
    diag_pos : ndarray
        Position of each unknown's diagonal in the matrix values.
    off_pos : ndarray
        Position of each link's off-diagonal (−1 if an end is a fixed head).
    lp, li : ndarray
        CSC pattern of the Cholesky factor L (diagonal first, rows sorted).
    """

    n: int
    row: np.ndarray
    ap: np.ndarray
    ai: np.ndarray
    diag_pos: np.ndarray
    off_pos: np.ndarray
    lp: np.ndarray
    li: np.ndarray


def _minimum_degree(n: int, adjacency: list[set[int]]) -> tuple[list[int], list[list[int]]]:
    """Elimination order and, for each eliminated node, its later neighbours."""
    graph = [set(a) for a in adjacency]
    heap = [(len(graph[v]), v) for v in range(n)]
    heapq.heapify(heap)
    done = np.zeros(n, dtype=bool)
    order: list[int] = []
    columns: list[list[int]] = []
    while heap:
        deg, v = heapq.heappop(heap)
        if done[v] or deg != len(graph[v]):
            continue
        done[v] = True
        nbrs = graph[v]
        order.append(v)
        columns.append(list(nbrs))
        for u in nbrs:
            gu = graph[u]
            gu.discard(v)
            gu.update(nbrs)
            gu.discard(u)
            heapq.heappush(heap, (len(gu), u))
        graph[v] = set()
    return order, columns


def symbolic_factor(node_kind: np.ndarray, start: np.ndarray, end: np.ndarray) -> SymbolicFactor:
    """Order the junctions and lay out the matrix and its factor.

    Parameters
    ----------
    node_kind : ndarray
        0 for junctions (unknown heads), 1 for fixed-head nodes.
    start, end : ndarray
        End nodes of every link.

    Returns
    -------
    SymbolicFactor
    """
    junctions = np.flatnonzero(node_kind == 0)
    local = np.full(node_kind.size, -1, dtype=np.int64)
    local[junctions] = np.arange(junctions.size)
    n = int(junctions.size)
    adjacency: list[set[int]] = [set() for _ in range(n)]
    for a, b in zip(local[start].tolist(), local[end].tolist(), strict=True):
        if a >= 0 and b >= 0:
            adjacency[a].add(b)
            adjacency[b].add(a)
    order, columns = _minimum_degree(n, adjacency)
    perm_inv = np.empty(n, dtype=np.int64)
    perm_inv[np.asarray(order, dtype=np.int64)] = np.arange(n)
    row = np.full(node_kind.size, -1, dtype=np.int64)
    row[junctions] = perm_inv[local[junctions]]

    # Factor pattern: column j holds j and its neighbours when it was eliminated.
    lp = np.zeros(n + 1, dtype=np.int64)
    li_cols = []
    for j, nbrs in enumerate(columns):
        rows = np.sort(perm_inv[np.asarray(nbrs, dtype=np.int64)]) if nbrs else np.zeros(0, int)
        li_cols.append(np.concatenate([[j], rows]).astype(np.int64))
        lp[j + 1] = lp[j] + 1 + len(nbrs)
    li = np.concatenate(li_cols) if li_cols else np.zeros(0, dtype=np.int64)

    # Matrix pattern: diagonal plus one entry per junction pair, lower part.
    lower = [dict() for _ in range(n)]
    for j in range(n):
        lower[j][j] = None
    link_pairs = []
    for a, b in zip(row[start].tolist(), row[end].tolist(), strict=True):
        if a >= 0 and b >= 0:
            lo, hi = min(a, b), max(a, b)
            lower[lo][hi] = None
            link_pairs.append((lo, hi))
        else:
            link_pairs.append(None)
    ap = np.zeros(n + 1, dtype=np.int64)
    ai_list = []
    where = {}
    for j in range(n):
        rows = sorted(lower[j])
        for r in rows:
            where[(j, r)] = len(ai_list)
            ai_list.append(r)
        ap[j + 1] = len(ai_list)
    ai = np.asarray(ai_list, dtype=np.int64)
    diag_pos = np.asarray([where[(j, j)] for j in range(n)], dtype=np.int64)
    off_pos = np.asarray([where[pair] if pair else -1 for pair in link_pairs], dtype=np.int64)
    return SymbolicFactor(n, row, ap, ai, diag_pos, off_pos, lp, li)
