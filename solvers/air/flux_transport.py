"""The explicit flux scheme's transport: the ``"flux"`` part of an :class:`.AirSolver` step.

Temperature by bounded finite-volume advection + diffusion plus the flow
patches' heat, by Heun's method (two forward-Euler stages averaged: second
order in time and still bounded); momentum by bounded advection + diffusion
+ buoyancy (forward Euler); all within the explicit limit of
:func:`stable_dt`.  The verified reference scheme; its peer for room-scale
runs is :class:`.semi_lagrangian.SemiLagrangianTransport`.
"""

from __future__ import annotations

import numpy as np

from .grid import GHOST


def stable_dt(max_speed, nu_max, spacing, dims, cfl, max_force=0.0):
    """Largest explicit step that keeps the scheme bounded (s).

    ``dt = cfl / (sum_d 2 |u_d|max / h_d + sum_d 2 nu_max / h_d²)``: with
    ``cfl <= 1`` every cell's new value is a convex combination of old values
    (van Leer's limiter at most doubles the upwind slope, hence the 2).  A
    body force ``max_force`` (m/s²) also limits the step to ``cfl sqrt(h / f)``,
    the time to cross a cell from rest, so a still, stratified start cannot
    take one enormous step.
    """
    rate = 0.0
    for d in range(dims):
        rate += 2.0 * max_speed[d] / spacing[d] + 2.0 * nu_max / spacing[d] ** 2
    rate = max(rate, np.sqrt(max_force / min(spacing[:dims])))
    return cfl / rate if rate > 0 else np.inf


class FluxTransport:
    """The transport part of a flux-scheme step of an :class:`.AirSolver`.

    Parameters
    ----------
    solver : AirSolver
        The solver whose fields it advances (it reads the solver's arrays and
        writes its ``T_stage``, ``T_new`` and ``vel_new``).
    """

    #: the largest step (s) the scheme allows: ``limit(max_speed, nu_max, spacing, dims, cfl,
    #: max_force)``
    limit = staticmethod(stable_dt)

    def __init__(self, solver):
        self.solver = solver

    def advance(self, dt):
        """Move heat and momentum over ``dt`` s into the solver's ``T_new`` and ``vel_new``."""
        s = self.solver
        k, g, n3, h, pr = s.kernels, GHOST, s.n3, s.grid.spacing, s.props
        inv_prt = 1.0 / pr.prandtl_t
        k.scalar_update(s.T, s.vel, pr.kappa, s.nu_t, inv_prt, s.fluid, h, dt, g, n3, s.T_stage)
        s.patches.apply(s.T, s.T_stage, s.vel, dt, 0)
        s.ghosts.temperature(s.T_stage)
        k.scalar_update(s.T_stage, s.vel, pr.kappa, s.nu_t, inv_prt, s.fluid, h, dt, g, n3,
                        s.T_new)  # fmt: skip
        s.patches.apply(s.T_stage, s.T_new, s.vel, dt, 1)
        k.average(s.T, s.T_new, g, n3)
        for c in range(3):
            if n3[2 - c] == 1:
                continue
            force = -pr.gravity[c] * pr.beta
            k.momentum_update(c, s.vel, s.T, pr.nu, s.nu_t, s.open[c], h, dt, force, pr.t_ref, g,
                              n3, s.vel_new[c])  # fmt: skip
