"""Ghost-layer filling: how each wall condition enters the stencils.

The kernels never branch on boundaries: before each use, the two ghost layers
of a field are filled so that ordinary interior stencils see the wall.

A fill is written down once, as a :class:`GhostPlan`: for each axis, a list
of layer operations ``ghost layer = scale * source layer + offset`` (plus a
heat-flux term where the conductivity varies per cell).  Operations of one
axis never read a layer another of them writes, so a backend runs each axis
as one loop or one launch: three per fill, where slicing layer by layer took
~100 small array operations (on a GPU, ~100 launches: half the step's host
time on the 10 MW hall).  :func:`apply_plan` is the reference that runs a
plan by slicing; ``kernels.fill_ghosts`` the compiled ones; :class:`Ghosts`
builds a solver's plans and rebuilds them when a wall changes.

Conventions (``g`` = 2 ghost layers, ``n`` interior cells on the axis):

* cell-type data along the axis (a scalar, or a tangential velocity): the wall
  lies half a cell outside the first cell, so a wall value ``w`` is imposed by
  ``ghost = 2 w - mirror`` (value) or ``ghost = mirror`` (zero gradient);
* the wall-normal velocity lives on the wall face itself (index ``g`` and
  ``n + g``), which stays 0, and its ghosts are odd images.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .grid import FACES, GHOST, PERIODIC, Grid

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


def periodic_layers(n, ghost=G):
    """The (ghost, source) layer pairs that wrap a periodic axis of ``n`` interior cells."""
    for m in range(ghost):
        yield ghost - 1 - m, n + ghost - 1 - m
        yield n + ghost + m, ghost + m


def fill_periodic(a, axis, n, ghost=G):
    """Wrap ``ghost`` layers of ``a`` along a periodic axis with ``n`` interior cells."""
    for layer, source in periodic_layers(n, ghost):
        _set(a, axis, layer, _at(a, axis, source))


@dataclass(frozen=True, eq=False)
class GhostPlan:
    """The ghost fill of one kind of field, axis by axis.

    Parameters
    ----------
    fields : int
        How many arrays the plan fills together (3 for the velocity).
    ops : tuple of ndarray
        Per axis (x, y, z), int32 ``(k, 4)``: field, ghost layer, source
        layer, and the layer whose eddy viscosity sets a heat-flux wall's
        conductivity (its first interior layer).
    coefficients : tuple of ndarray
        Per axis, float64 ``(k, 3)``: ``scale``, ``offset`` and ``flux``.  A
        ghost layer becomes ``scale * source + offset``, plus
        ``flux / (kappa + inv_prt * nu_t)`` where ``flux`` is not 0 (K m²/s).
    kappa, inv_prt : float
        Molecular diffusivity (m²/s) and inverse turbulent Prandtl number of
        the flux term.
    device : dict
        A backend's copies of the tables, made on first use.
    """

    fields: int
    ops: tuple
    coefficients: tuple
    kappa: float = 0.0
    inv_prt: float = 0.0
    device: dict = field(default_factory=dict, repr=False)


class _PlanBuilder:
    """Collects layer operations axis by axis into a :class:`GhostPlan`."""

    def __init__(self, fields):
        self.fields = fields
        self.axes = [[], [], []]

    def op(self, axis, f, ghost, source, scale=1.0, offset=0.0, flux=0.0, first=0):
        self.axes[axis].append((f, ghost, source, first, scale, offset, flux))

    def periodic(self, axis, f, n, ghost=G):
        for layer, source in periodic_layers(n, ghost):
            self.op(axis, f, layer, source)

    def cell_side(self, axis, f, n, side, value=None, gradient=0.0, flux=0.0):
        """Cell-type ghosts on one side: a wall ``value``, or a ``gradient`` per cell
        (ghost - mirror of the nearest pair; ``flux`` the same over the conductivity)."""
        first = G if side == 0 else n + G - 1
        for m in range(G):
            ghost = G - 1 - m if side == 0 else n + G + m
            mirror = G + m if side == 0 else n + G - 1 - m
            if value is not None:
                self.op(axis, f, ghost, mirror, -1.0, 2.0 * value)
            else:
                odd = 2 * m + 1
                self.op(axis, f, ghost, mirror, 1.0, odd * gradient, odd * flux, first)

    def plan(self, kappa=0.0, inv_prt=0.0):
        ops, coefficients = [], []
        for rows in self.axes:
            table = np.array(rows, dtype=np.float64).reshape(-1, 7)
            ops.append(np.ascontiguousarray(table[:, :4], dtype=np.int32))
            coefficients.append(np.ascontiguousarray(table[:, 4:]))
        return GhostPlan(self.fields, tuple(ops), tuple(coefficients), kappa, inv_prt)


def cell_even_plan(grid: Grid):
    """Zero-gradient ghosts (or periodic wrap) for a cell field such as eddy viscosity."""
    b = _PlanBuilder(1)
    for axis in range(3):
        n = grid.shape[axis]
        if grid.periodic(axis):
            b.periodic(axis, 0, n)
        else:
            b.cell_side(axis, 0, n, 0)
            b.cell_side(axis, 0, n, 1)
    return b.plan()


def temperature_plan(grid: Grid, rho_cp, kappa, inv_prt=1.0, eddy=False):
    """The temperature's ghosts for each wall's thermal condition.

    Parameters
    ----------
    grid : Grid
    rho_cp : float
        Volumetric heat capacity of the air (J/(m³ K)), for heat-flux walls.
    kappa : float
        Molecular thermal diffusivity (m²/s).
    inv_prt : float
        Inverse turbulent Prandtl number.
    eddy : bool
        Whether an eddy viscosity adds to the conductivity next to the walls
        (then the fill needs ``nu_t``).
    """
    b = _PlanBuilder(1)
    for axis in range(3):
        n = grid.shape[axis]
        if grid.periodic(axis):
            b.periodic(axis, 0, n)
            continue
        h = grid.spacing[axis]
        for side in (0, 1):
            wall = grid.boundaries[FACES[2 * axis + side]]
            if wall.temperature is not None:
                b.cell_side(axis, 0, n, side, value=wall.temperature)
            elif wall.heat_flux is not None:
                # flux q into the air: the temperature rises towards the wall by
                # q h / k per cell, k = rho cp (kappa + nu_t / Pr_t)
                if eddy:
                    b.cell_side(axis, 0, n, side, flux=wall.heat_flux * h / rho_cp)
                else:
                    b.cell_side(axis, 0, n, side, gradient=wall.heat_flux * h / (rho_cp * kappa))
            else:
                b.cell_side(axis, 0, n, side)
    return b.plan(kappa, inv_prt)


def velocity_plan(grid: Grid):
    """The ghosts of ``(u, v, w)`` for no-slip, free-slip, moving and periodic walls.

    The wall-normal component is 0 on the wall face and odd across it; the
    tangential ones take the wall's velocity (no-slip) or zero shear (free-slip).
    """
    b = _PlanBuilder(3)
    for axis in range(3):
        n = grid.shape[axis]
        if grid.periodic(axis):
            for comp in range(3):
                b.periodic(axis, comp, n)
            continue
        others = [c for c in range(3) if c != axis]
        for side in (0, 1):
            wall = grid.boundaries[FACES[2 * axis + side]]
            face = G if side == 0 else n + G
            b.op(axis, axis, face, face, 0.0)
            for m in range(1, G + 1 if side == 0 else G):
                ghost, mirror = (face - m, face + m) if side == 0 else (face + m, face - m)
                b.op(axis, axis, ghost, mirror, -1.0)
            for slot, comp in enumerate(others):
                if wall.velocity == "freeslip":
                    b.cell_side(axis, comp, n, side)
                else:
                    b.cell_side(axis, comp, n, side, value=wall.tangential[slot])
    return b.plan()


def apply_plan(plan: GhostPlan, fields, nu_t=None):
    """Fill ghosts by ``plan``, layer by layer (the reference; NumPy or CuPy arrays).

    Parameters
    ----------
    plan : GhostPlan
    fields : sequence of ndarray
        ``plan.fields`` padded arrays, filled in place.
    nu_t : ndarray, optional
        Padded eddy viscosity (m²/s), where the plan has a heat-flux term.
    """
    for axis in range(3):
        for (f, ghost, source, first), (scale, offset, flux) in zip(
            plan.ops[axis].tolist(), plan.coefficients[axis].tolist(), strict=True
        ):
            value = scale * _at(fields[f], axis, source) + offset
            if flux != 0.0:
                value = value + flux / (plan.kappa + plan.inv_prt * _at(nu_t, axis, first))
            _set(fields[f], axis, ghost, value)


def fill_cell_even(a, grid: Grid):
    """Zero-gradient ghosts (or periodic wrap) of one cell field, by the reference."""
    apply_plan(cell_even_plan(grid), (a,))


class Ghosts:
    """A solver's ghost fills, run by its kernels; plans rebuilt when a wall changes.

    Parameters
    ----------
    grid : Grid
        The solver's grid (its ``boundaries`` may change between steps).
    kernels : object
        The backend's kernels (``fill_ghosts``).
    rho_cp, kappa, inv_prt : float
        As in :func:`temperature_plan`.
    nu_t : ndarray, optional
        The solver's eddy viscosity (padded; m²/s), if it has one.
    """

    def __init__(self, grid: Grid, kernels, rho_cp, kappa, inv_prt, nu_t=None):
        self.grid, self.kernels, self.nu_t = grid, kernels, nu_t
        eddy = nu_t is not None
        # each kind: what of a wall it depends on, and how it is built; a
        # rebuilt plan is uploaded again (on a GPU, a wait), so the heat flux
        # the engine sets every network step rebuilds the temperature's only
        self._kinds = {
            "velocity": (lambda w: w if w == PERIODIC else (w.velocity, w.tangential),
                         lambda: velocity_plan(grid)),
            "temperature": (lambda w: w,
                            lambda: temperature_plan(grid, rho_cp, kappa, inv_prt, eddy)),
            "cell": (lambda w: w == PERIODIC, lambda: cell_even_plan(grid)),
        }  # fmt: skip
        #: kind -> (the walls it was built for, plan)
        self._plans = {}

    def _plan(self, kind):
        relevant, build = self._kinds[kind]
        walls = tuple(relevant(self.grid.boundaries[f]) for f in FACES)
        cached = self._plans.get(kind)
        if cached is None or cached[0] != walls:
            cached = self._plans[kind] = (walls, build())
        return cached[1]

    def velocity(self, vel):
        """Fill the ghosts of the three face-velocity arrays ``vel``."""
        self.kernels.fill_ghosts(self._plan("velocity"), vel)

    def temperature(self, T):
        """Fill the temperature's ghosts (the eddy viscosity's must be filled first)."""
        self.kernels.fill_ghosts(self._plan("temperature"), (T,), self.nu_t)

    def cell_even(self, a):
        """Zero-gradient ghosts of a cell field such as the eddy viscosity."""
        self.kernels.fill_ghosts(self._plan("cell"), (a,))
