"""Semi-Lagrangian transport: steps several cells long for room-scale runs.

The explicit scheme of :class:`.AirSolver` must keep every Courant number
below about 0.5, which in a hall with 3 m/s air-unit jets on 0.25 m cells
means ~130 steps per simulated second.  This transport, in the spirit of the
"fast fluid dynamics" used for building airflow (Zuo & Chen, Indoor Air 19,
2009), takes steps limited by accuracy instead:

1. one trace per step: the displacement of every cell centre back along the
   flow (midpoint rule); faces take the mean of their two cells';
2. heat: each fluid cell takes the temperature at its departure point
   (trilinear, so bounded at any step); solid cells first take the value of
   their nearest fluid cell, and the cells just behind a flow patch's source
   opening take the patch's source temperature, which is how supply and
   exhaust air enter the room;
3. an energy fixer makes the room gain exactly the patches' booked heat:
   the shortfall (or excess) of interpolation is given back to the cells
   that advection cooled (or warmed), each moved at most back to its old
   value, so no new extremum appears (a global correction of the kind
   operational weather models use to make semi-Lagrangian transport conserve);
4. diffusion of heat, then of momentum with buoyancy, as explicit
   sub-steps, as many as the diffusion limit asks for;
5. momentum: each open face takes the velocity at its departure point.

The pressure projection that follows is the solver's own, so the velocity
stays divergence-free to round-off and mass is conserved.  Trilinear
interpolation smooths (first order in space per step), which is why the
verification cases keep the explicit scheme; ``docs/air.md`` compares the two
on the example halls.
"""

from __future__ import annotations

import math

import numpy as np

from .grid import GHOST
from .kernels_numpy import shifted

#: Diffusion sub-steps allowed in one step before the step itself is shortened.
MAX_DIFFUSION_SUBSTEPS = 8


def make_sl_kernels(backend):
    """The semi-Lagrangian kernel set of a backend (reference, numba or CuPy)."""
    if backend.name == "numba":
        from .kernels_sl_numba import NumbaSemiLagrangianKernels

        return NumbaSemiLagrangianKernels()
    if backend.name == "cupy":
        from .kernels_sl_cupy import CupySemiLagrangianKernels

        return CupySemiLagrangianKernels(backend)
    from .kernels_sl_numpy import SemiLagrangianKernels

    return SemiLagrangianKernels(backend.xp)


def diffusion_dt(nu_max, spacing, dims):
    """Largest stable explicit diffusion step for a diffusivity ``nu_max`` (m²/s), in s."""
    rate = sum(2.0 * nu_max / spacing[d] ** 2 for d in range(dims))
    return 0.9 / rate if rate > 0 else np.inf


def semi_lagrangian_dt(max_speed, nu_max, spacing, dims, courant, max_force=0.0):
    """The step (s) for a Courant number ``courant`` on the fastest axis.

    ``dt = courant / max_d |u_d|max / h_d``; also at most the time to cross
    ``courant`` cells from rest under the body force ``max_force`` (m/s²),
    ``sqrt(2 courant h / f)``, and at most :data:`MAX_DIFFUSION_SUBSTEPS`
    explicit diffusion steps.
    """
    rate = max(max_speed[d] / spacing[d] for d in range(dims))
    dt = courant / rate if rate > 0 else np.inf
    if max_force > 0:
        dt = min(dt, math.sqrt(2.0 * courant * min(spacing[:dims]) / max_force))
    return min(dt, MAX_DIFFUSION_SUBSTEPS * diffusion_dt(nu_max, spacing, dims))


def nearest_fluid(solid):
    """For every cell, the flat index of a nearest fluid cell (by steps across faces).

    Grows the fluid region one face-neighbour layer at a time into the
    solids, each solid cell taking the source of the first neighbour that
    reaches it; as many passes as the thickest obstacle is deep.

    Parameters
    ----------
    solid : ndarray of bool, shape (nz, ny, nx)

    Returns
    -------
    ndarray of int64, same shape: fluid cells hold their own index.
    """
    source = np.where(solid, -1, np.arange(solid.size).reshape(solid.shape))
    while (source < 0).any():
        grown = source.copy()
        for axis in range(3):
            for shift in (1, -1):
                near = np.full_like(source, -1)
                ahead = [slice(None)] * 3
                behind = [slice(None)] * 3
                ahead[axis] = slice(shift, None) if shift > 0 else slice(None, shift)
                behind[axis] = slice(None, -shift) if shift > 0 else slice(-shift, None)
                near[tuple(ahead)] = source[tuple(behind)]
                take = (grown < 0) & (near >= 0)
                grown[take] = near[take]
        if (grown == source).all():
            raise ValueError("the grid has no fluid cell")
        source = grown
    return source


class SemiLagrangianTransport:
    """The transport part of a semi-Lagrangian step of an :class:`.AirSolver`.

    Parameters
    ----------
    solver : AirSolver
        The solver whose fields it advances (it reads and swaps the solver's arrays).
    """

    #: the step (s) for a Courant number: ``limit(max_speed, nu_max, spacing, dims, courant,
    #: max_force)``
    limit = staticmethod(semi_lagrangian_dt)

    def __init__(self, solver):
        self.solver = solver
        be, grid = solver.backend, solver.grid
        self.kernels = make_sl_kernels(be)
        self.periodic = tuple(grid.periodic(a) for a in range(3))
        self.disp = None
        #: the last step's energy fix and the patches' booked heat, K per fluid
        #: cell (diagnostics: the fix should be small next to the heat it keeps);
        #: backend scalars, device values on a GPU (``float()`` reads one back)
        self.correction = self.booked = 0.0
        g = GHOST
        solid = grid.solid
        if solid.any():
            nearest = nearest_fluid(solid)
            dst = np.nonzero(solid)
            src = np.unravel_index(nearest[dst], solid.shape)
            pad = lambda idx: tuple(i + g for i in idx)  # noqa: E731
            self.solid_cells = be.to_device(np.ravel_multi_index(pad(dst), grid.padded))
            self.nearest_fluid = be.to_device(np.ravel_multi_index(pad(src), grid.padded))
        else:
            self.solid_cells = self.nearest_fluid = None
        self.fluid_cells = int(be.to_host((shifted(solver.fluid, g, solver.n3) > 0).sum()))
        solver.patches.through_flow = True

    def _fill_solid(self):
        """Give solid cells their nearest fluid cell's temperature (the patches then give
        the cells behind their source openings theirs)."""
        if self.solid_cells is not None:
            flat = self.solver.T.reshape(-1)
            flat[self.solid_cells] = flat[self.nearest_fluid]

    def advance(self, dt):
        """Move heat and momentum over ``dt`` s into the solver's ``T_new`` and ``vel_new``."""
        s = self.solver
        self.advect_heat(dt)
        n = self._substeps(dt)
        s.T_new, s.T_stage = self._diffuse_heat(s.T_stage, s.T_new, dt, n)
        self.advect_momentum(dt, n)

    def advect_heat(self, dt):
        """Trace the flow back over ``dt`` s and carry heat along it into ``T_stage``.

        The patches exchange their heat first and the energy fixer books it; the
        trace is kept for :meth:`advect_momentum` (one trace serves both).
        """
        s = self.solver
        k, g, n3 = self.kernels, GHOST, s.n3
        self._fill_solid()
        patch_heat = s.patches.exchange(s.T, s.vel, dt) if len(s.patches) else None
        self.trace(dt)
        k.sl_scalar(s.T, self.disp, s.fluid, self.periodic, g, n3, s.T_stage)
        heat_scale = dt / (s.patches.rho_cp * float(np.prod(s.grid.spacing)))
        self.correction, self.booked = k.fix_energy(
            s.T, s.T_stage, s.fluid, patch_heat, heat_scale, self.fluid_cells, g, n3
        )

    def trace(self, dt):
        """Each cell centre's displacement back along the flow over ``dt`` s, into ``disp``."""
        s = self.solver
        if self.disp is None:
            self.disp = [s.backend.xp.zeros_like(v) for v in s.vel]
        self.kernels.sl_trace(s.vel, s.grid.spacing, dt, self.periodic, GHOST, s.n3, self.disp)

    def advect_momentum(self, dt, substeps):
        """Carry momentum along the last trace (which must span ``dt`` s) into ``vel_new``,
        then diffuse it with buoyancy in ``substeps`` explicit steps, reading ``T_new``."""
        s = self.solver
        self.kernels.sl_velocities(s.vel, self.disp, s.open, self.periodic, GHOST, s.n3,
                                   s.vel_new)  # fmt: skip
        # the displacements are spent: the viscous step writes into their arrays
        # (three fields fewer to keep in cache, 3.3 MB on the 10 MW hall's grid)
        # and the next trace into the others
        s.vel_new, self.disp = self._diffuse_momentum(s.vel_new, self.disp, dt, substeps,
                                                      s.T_new, s.props)  # fmt: skip

    def _substeps(self, dt):
        s = self.solver
        return max(
            1, math.ceil(dt / diffusion_dt(s.nu_max, s.grid.spacing, s.grid.dims))
        )

    def _diffuse_heat(self, src, dst, dt, n):
        s = self.solver
        for _ in range(n):
            s.ghosts.temperature(src)
            self.kernels.diffuse_scalar(
                src, s.props.kappa, s.nu_t, 1.0 / s.props.prandtl_t, s.fluid, s.grid.spacing,
                dt / n, GHOST, s.n3, dst,
            )  # fmt: skip
            src, dst = dst, src
        return src, dst

    def _diffuse_momentum(self, src, dst, dt, n, T, pr):
        s = self.solver
        for _ in range(n):
            s.ghosts.velocity(src)
            for c in range(3):
                if s.n3[2 - c] == 1:
                    continue
                self.kernels.diffuse_velocity(
                    c, src[c], T, pr.nu, s.nu_t, s.open[c], s.grid.spacing, dt / n,
                    -pr.gravity[c] * pr.beta, pr.t_ref, GHOST, s.n3, dst[c],
                )  # fmt: skip
            src, dst = dst, src
        return src, dst
