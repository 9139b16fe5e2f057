"""Ghost-layer filling: how each wall condition enters the stencils.

The kernels never branch on boundaries: before each use, the two ghost layers
of a field are filled so that ordinary interior stencils see the wall.  These
fills touch only O(n²) values, so one array-module implementation (NumPy or
CuPy slicing) serves every backend.

Conventions (``g`` = 2 ghost layers, ``n`` interior cells on the axis):

* cell-type data along the axis (a scalar, or a tangential velocity): the wall
  lies half a cell outside the first cell, so a wall value ``w`` is imposed by
  ``ghost = 2 w - mirror`` (value) or ``ghost = mirror`` (zero gradient);
* the wall-normal velocity lives on the wall face itself (index ``g`` and
  ``n + g``), which stays 0, and its ghosts are odd images.
"""

from __future__ import annotations

from .grid import FACES, GHOST, Grid

G = GHOST


def _at(a, axis, index):
    """View of ``a`` at one index of a physical axis (0 = x is the last array axis)."""
    key = [slice(None)] * 3
    key[2 - axis] = slice(index, index + 1)
    return a[tuple(key)]


def _set(a, axis, index, value):
    key = [slice(None)] * 3
    key[2 - axis] = slice(index, index + 1)
    a[tuple(key)] = value


def fill_periodic(a, axis, n, ghost=G):
    """Wrap ``ghost`` layers of ``a`` along a periodic axis with ``n`` interior cells."""
    for m in range(ghost):
        _set(a, axis, ghost - 1 - m, _at(a, axis, n + ghost - 1 - m))
        _set(a, axis, n + ghost + m, _at(a, axis, ghost + m))


def _cell_side(a, axis, n, side, value=None, gradient=None):
    """Fill the ghosts of cell-type data on one side: fixed ``value``, or a ``gradient``.

    ``gradient`` is the outward change per cell (ghost - mirror for the
    nearest pair), a scalar or an array broadcastable to one layer.
    """
    for m in range(G):
        ghost = G - 1 - m if side == 0 else n + G + m
        mirror = G + m if side == 0 else n + G - 1 - m
        inner = _at(a, axis, mirror)
        if value is not None:
            _set(a, axis, ghost, 2.0 * value - inner)
        elif gradient is not None:
            _set(a, axis, ghost, inner + (2 * m + 1) * gradient)
        else:
            _set(a, axis, ghost, inner)


def fill_cell_even(a, grid: Grid):
    """Zero-gradient ghosts (or periodic wrap) for a cell field such as eddy viscosity."""
    for axis in range(3):
        n = grid.shape[axis]
        if grid.periodic(axis):
            fill_periodic(a, axis, n)
        else:
            _cell_side(a, axis, n, 0)
            _cell_side(a, axis, n, 1)


def fill_temperature(T, grid: Grid, conductivity_cells=None):
    """Fill the ghosts of the temperature for each wall's thermal condition.

    Parameters
    ----------
    T : ndarray
        Padded temperature (°C or K).
    grid : Grid
    conductivity_cells : ndarray or float, optional
        ``rho * cp * kappa_eff`` (W/(m K)) of the cells next to the walls; only
        needed for heat-flux walls.
    """
    for axis in range(3):
        n = grid.shape[axis]
        if grid.periodic(axis):
            fill_periodic(T, axis, n)
            continue
        h = grid.spacing[axis]
        for side in (0, 1):
            wall = grid.boundaries[FACES[2 * axis + side]]
            if wall.temperature is not None:
                _cell_side(T, axis, n, side, value=wall.temperature)
            elif wall.heat_flux is not None:
                first = G if side == 0 else n + G - 1
                k = conductivity_cells
                if not isinstance(k, float | int):
                    k = _at(k, axis, first)
                # flux q into the air: the temperature rises towards the wall by q h / k
                _cell_side(T, axis, n, side, gradient=wall.heat_flux * h / k)
            else:
                _cell_side(T, axis, n, side)


def fill_velocity(velocity, grid: Grid):
    """Fill the ghosts of ``(u, v, w)`` for no-slip, free-slip, moving and periodic walls."""
    for axis in range(3):
        n = grid.shape[axis]
        if grid.periodic(axis):
            for comp in velocity:
                fill_periodic(comp, axis, n)
            continue
        others = [c for c in range(3) if c != axis]
        for side in (0, 1):
            wall = grid.boundaries[FACES[2 * axis + side]]
            normal = velocity[axis]
            face = G if side == 0 else n + G
            _set(normal, axis, face, 0.0)
            for m in range(1, G + 1 if side == 0 else G):
                ghost = face - m if side == 0 else face + m
                _set(normal, axis, ghost, -_at(normal, axis, face + m if side == 0 else face - m))
            for slot, comp in enumerate(others):
                if wall.velocity == "freeslip":
                    _cell_side(velocity[comp], axis, n, side)
                else:
                    _cell_side(velocity[comp], axis, n, side, value=wall.tangential[slot])
