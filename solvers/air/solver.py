"""The air model: incompressible Navier–Stokes, Boussinesq buoyancy and temperature.

One step (projection method):

1. fill ghosts (wall conditions), eddy viscosity (Smagorinsky, if chosen);
2. ``dt`` from the advective and diffusive limits (the transport's
   ``limit``: :func:`.flux_transport.stable_dt` or
   :func:`.semi_lagrangian.semi_lagrangian_dt`);
3. transport, by one of two schemes (``advection``):

   * ``"flux"`` (default, the verified reference):
     :class:`.flux_transport.FluxTransport`, bounded finite-volume advection
     and explicit diffusion within the explicit stability limit;
   * ``"semi-lagrangian"``: :class:`.semi_lagrangian.SemiLagrangianTransport`,
     steps of several cells for room-scale runs;

4. pressure: ``A p = -div(u*) / dt`` by multigrid-preconditioned CG;
5. correct: ``u = u* - dt grad p`` on open faces.

All fields live on the backend chosen once (``solvers.backend``); the
kernels come from the matching module (NumPy reference, numba, CuPy).
"""

from __future__ import annotations

import time

import numpy as np

from .boundary import Ghosts
from .flux_transport import FluxTransport
from .grid import GHOST, PERIODIC, Grid, Wall
from .kernels_numpy import NumpyKernels, shifted
from .multigrid import PoissonMG
from .patches import Opening, PatchSet
from .properties import AirProperties
from .semi_lagrangian import SemiLagrangianTransport

#: Transport schemes of :class:`AirSolver`.
ADVECTION_SCHEMES = ("flux", "semi-lagrangian")


def make_kernels(backend):
    """The kernel set for a backend (reference, numba or CuPy)."""
    if backend.name == "numba":
        from .kernels_numba import NumbaKernels

        return NumbaKernels()
    if backend.name == "cupy":
        from .kernels_cupy import CupyKernels

        return CupyKernels(backend)
    return NumpyKernels(backend.xp)


def _landing_step(dt, time_left):
    """The step (s) that covers ``time_left`` in ``ceil(time_left / dt)`` even steps.

    The relative slack keeps a ``time_left`` that rounding left a hair above
    a whole number of steps from taking one step more.
    """
    if time_left <= dt or not np.isfinite(time_left):
        return min(dt, time_left)
    return time_left / np.ceil(time_left / dt * (1.0 - 1e-9))


class AirSolver:
    """Room-air model on a MAC grid.

    Parameters
    ----------
    grid : Grid
        The grid with its walls and obstacles (mark obstacles before this).
    properties : AirProperties
    backend : Backend
        From :func:`solvers.backend.select_backend`.
    dtype : numpy dtype
        ``float64`` (default) or ``float32`` (half the memory traffic).
    cfl : float
        ``"flux"``: fraction of the stable step taken (<= 1).
        ``"semi-lagrangian"``: the Courant number of a step (most cells
        crossed along one axis in one step), e.g. 4.
    advection : {"flux", "semi-lagrangian"}
        Transport scheme (see the module's docstring).
    pressure_rtol : float, optional
        Relative residual of the pressure solve (a fraction of the predicted
        velocity's divergence left after projection); default 1e-6 (float64) or 1e-4 (float32).
    max_speed : float
        A speed above this (m/s) stops the run with status ``"diverged"``.
    profile : bool
        Time the parts of each step into :attr:`timings` (synchronises the GPU).
    """

    def __init__(
        self,
        grid: Grid,
        properties: AirProperties,
        backend,
        dtype=np.float64,
        cfl=0.9,
        advection="flux",
        pressure_rtol=None,
        max_speed=1.0e3,
        profile=False,
    ):
        self.grid, self.props, self.backend = grid, properties, backend
        self.dtype = np.dtype(dtype)
        self.cfl, self.max_speed, self.profile = float(cfl), float(max_speed), profile
        if advection not in ADVECTION_SCHEMES:
            raise ValueError(f"advection must be one of {ADVECTION_SCHEMES}, got {advection!r}")
        if advection == "flux" and not 0 < self.cfl <= 1:
            raise ValueError(f"the flux scheme needs 0 < cfl <= 1, got {cfl}")
        self.advection = advection
        self.pressure_rtol = pressure_rtol or (1e-6 if self.dtype == np.float64 else 1e-4)
        self.kernels = make_kernels(backend)
        xp = backend.xp
        self.n3 = (grid.nz, grid.ny, grid.nx)
        zeros = lambda: xp.zeros(grid.padded, dtype=self.dtype)  # noqa: E731
        self.T, self.T_new, self.T_stage = zeros(), zeros(), zeros()
        self.vel, self.vel_new = [zeros() for _ in range(3)], [zeros() for _ in range(3)]
        self.p, self.rhs = zeros(), zeros()
        #: the last step's pressure and step (s), for the next solve's first guess
        self._p_last, self._dt_last = None, 0.0
        self.nu_t = zeros() if properties.turbulence == "smagorinsky" else None
        self.fluid = backend.to_device(grid.fluid_mask())
        faces = grid.face_masks()
        self.open = [backend.to_device(f) for f in faces]
        periodic = tuple(grid.periodic(a) for a in range(3))
        self.poisson = PoissonMG(
            faces, self.n3, GHOST, grid.spacing, periodic, self.kernels, backend, self.dtype
        )
        self.patches = PatchSet(grid, backend, self.dtype, properties.rho, properties.cp)
        self.ghosts = Ghosts(grid, self.kernels, properties.rho * properties.cp,
                             properties.kappa, 1.0 / properties.prandtl_t, self.nu_t)  # fmt: skip
        self.time, self.steps, self.dt = 0.0, 0, 0.0
        self.status, self.message = "ok", ""
        self.timings = {"transport": 0.0, "pressure": 0.0, "other": 0.0}
        self.pressure_iterations = 0
        #: the largest effective viscosity or diffusivity of the current step (m²/s)
        self.nu_max = max(properties.nu, properties.kappa)
        #: buoyant acceleration per kelvin (m/(s² K))
        self._buoyancy = properties.beta * float(np.linalg.norm(properties.gravity))
        if grid.dims == 3:
            self._delta = float(np.prod(grid.spacing)) ** (1.0 / 3.0)
        else:
            self._delta = float(np.sqrt(grid.spacing[0] * grid.spacing[1]))
        #: the transport part of a step, of the scheme ``advection``
        self.transport = (
            SemiLagrangianTransport(self) if advection == "semi-lagrangian" else FluxTransport(self)
        )

    # ------------------------------------------------------------------ set-up
    def add_patch(self, name, sink: Opening, source: Opening):
        """Add a flow patch (a rack or an air unit); see :mod:`solvers.air.patches`."""
        return self.patches.add(name, sink, source)

    def set_patch(self, name, flow, heat=None, setpoint=None, capacity=None):
        """Set a patch's flow (m³/s) and heat (W) or setpoint (°C) with capacity (W).

        Call between steps as often as the controls change.
        """
        self.patches.set(name, flow, heat=heat, setpoint=setpoint, capacity=capacity)

    def set_wall(self, face, wall):
        """Change one wall's condition between steps (e.g. a heat flux from the walls' UA).

        Parameters
        ----------
        face : str
            ``"x-"``, ``"x+"``, ``"y-"``, ``"y+"``, ``"z-"`` or ``"z+"``; not a
            periodic face, nor a z-face of a 2-D grid.
        wall : Wall
            The new condition (velocity kind and thermal condition).
        """
        if face not in self.grid.boundaries:
            raise ValueError(f"unknown face {face!r}")
        if self.grid.boundaries[face] == PERIODIC or (self.grid.nz == 1 and face[0] == "z"):
            raise ValueError(f"face {face!r} is periodic or the end of a 2-D grid: it stays")
        if not isinstance(wall, Wall):
            raise TypeError(f"wall must be a Wall, got {type(wall).__name__}")
        self.grid.boundaries[face] = wall

    def set_temperature(self, T):
        """Set the temperature from a scalar or an interior array ``(nz, ny, nx)`` (°C)."""
        inner = shifted(self.T, GHOST, self.n3)
        inner[...] = self.backend.to_device(np.broadcast_to(T, self.n3), self.dtype)
        self._fill()

    def set_velocity(self, u=None, v=None, w=None):
        """Set face velocities from interior face arrays (m/s).

        Shapes ``(nz, ny, nx+1)``, ``(nz, ny+1, nx)``, ``(nz+1, ny, nx)``; only
        open faces take the values.
        """
        g = GHOST
        nz, ny, nx = self.n3
        for c, values in enumerate((u, v, w)):
            if values is None:
                continue
            ext = [nz, ny, nx]
            ext[2 - c] += 1
            view = self.vel[c][g : g + ext[0], g : g + ext[1], g : g + ext[2]]
            mask = self.open[c][g : g + ext[0], g : g + ext[1], g : g + ext[2]]
            view[...] = self.backend.to_device(np.broadcast_to(values, ext), self.dtype) * mask
        self.ghosts.velocity(self.vel)

    # ------------------------------------------------------------------ stepping
    def _tick(self, part, start):
        if self.profile:
            self.backend.synchronize()
            now = time.perf_counter()
            self.timings[part] += now - start
            return now
        return start

    def _fill(self):
        self.ghosts.velocity(self.vel)
        self.ghosts.temperature(self.T)

    def _maxima(self):
        """The room's largest speed per axis (m/s), effective diffusivity (m²/s)
        and ``|T - t_ref|`` (K; 0 without buoyancy), read back together.

        One batched reduction: on a GPU each read-back waits for the queue
        to drain, so five separate maxima cost five waits.  NaN where a
        field is not finite.
        """
        pr = self.props
        arrays, offsets = [*self.vel], [0.0, 0.0, 0.0]
        if self.nu_t is not None:
            arrays.append(self.nu_t)
            offsets.append(0.0)
        if self._buoyancy > 0:
            arrays.append(self.T)
            offsets.append(pr.t_ref)
        found = self.kernels.max_abs_many(arrays, offsets, GHOST, self.n3)
        nu_max = max(pr.nu, pr.kappa)
        if self.nu_t is not None:
            nu_max += found[3] / min(1.0, pr.prandtl_t)
        return found[:3], nu_max, found[-1] if self._buoyancy > 0 else 0.0

    def stable_dt(self):
        """The step the next :meth:`step` would take without a cap (s).

        NaN when a velocity or the eddy viscosity is not finite; minus the
        largest speed when it exceeds ``max_speed``.
        """
        return self._limit(*self._maxima())

    def _limit(self, speeds, nu_max, temperature_excess):
        if not all(np.isfinite(speeds)) or not np.isfinite(nu_max):
            return np.nan
        if max(speeds) > self.max_speed:
            return -max(speeds)
        force = self._buoyancy * temperature_excess
        grid = self.grid
        return self.transport.limit(speeds, nu_max, grid.spacing, grid.dims, self.cfl, force)

    def step(self, max_dt=np.inf, land=False):
        """Advance one step of at most ``max_dt`` s; returns the step taken (s), 0 if stopped.

        With ``land``, ``max_dt`` is the time left to a point the run must
        land on, and the step is ``max_dt / ceil(max_dt / dt)``: the steps up
        to it are even instead of ending on a short one (see :meth:`advance_to`).
        """
        # a small grid's kernels run on one thread (see solvers.backend.SERIAL_CELLS)
        with self.backend.threads_for(int(np.prod(self.n3))):
            return self._step(max_dt, land)

    def _step(self, max_dt, land):
        if self.status != "ok":
            return 0.0
        start = time.perf_counter() if self.profile else 0.0
        k, g, n3, h, pr = self.kernels, GHOST, self.n3, self.grid.spacing, self.props
        self._fill()
        self.patches.prepare(self.vel)
        if self.nu_t is not None:
            k.smagorinsky(self.vel, (pr.cs * self._delta) ** 2, g, n3, h, self.nu_t)
            self.ghosts.cell_even(self.nu_t)
        speeds, self.nu_max, excess = self._maxima()
        dt = self._limit(speeds, self.nu_max, excess)
        if not np.isfinite(dt):
            return self._stop("nan", "a velocity or the eddy viscosity is NaN or infinite")
        if dt < 0:
            return self._stop(
                "diverged", f"speed {-dt:.3g} m/s exceeds the limit {self.max_speed:g}"
            )
        dt = _landing_step(dt, max_dt) if land else min(dt, max_dt)
        start = self._tick("other", start)
        self.transport.advance(dt)
        self.ghosts.velocity(self.vel_new)
        start = self._tick("transport", start)
        k.divergence(self.vel_new, h, -1.0 / dt, self.fluid, g, n3, self.rhs)
        self._solve_pressure(dt)
        for c in range(3):
            if n3[2 - c] > 1:
                k.project(c, self.vel_new[c], self.p, self.open[c], h, dt, g, n3)
        start = self._tick("pressure", start)
        self.T, self.T_new = self.T_new, self.T
        self.vel, self.vel_new = self.vel_new, self.vel
        # ghosts are refilled at the start of the next step (and by divergence())
        self.time += dt
        self.steps += 1
        self.dt = dt
        if self.steps % 20 == 0 and not self._finite_temperature():
            return self._stop("nan", "the temperature became NaN or infinite")
        self._tick("other", start)
        return dt

    def _solve_pressure(self, dt):
        """Solve for this step's pressure, from the last two extrapolated where that is safe.

        Along a run the pressure changes by about as much from step to step,
        so ``p + theta (p - p_last)`` (``theta`` this step over the last, at
        most 1) starts the solve closer than ``p``: on the 10 MW hall the
        first relative residual falls from 3.8e-3 to 1.1e-3 (median), and at
        the halls' tolerance of 1e-3 about one solve in six then needs no CG
        iteration.  Such a step's pressure is the guess itself, and a chain
        of them would extrapolate on and on: an error too smooth for the
        residual to show grows linearly, and the velocity with it (an
        earlier version let the 10 MW hall's CDU-loss run diverge so).  So
        the pressure is extrapolated only from one that CG iterated on;
        after a step that took none, the next starts from ``p`` as it is
        (``theta`` 0), which cannot drift.  The first step starts from ``p``.
        """
        if self._p_last is not None:
            iterated = self.pressure_iterations > 0
            theta = min(dt / self._dt_last, 1.0) if iterated else 0.0
            self.kernels.extrapolate(self.p, self._p_last, theta)
        self.poisson.solve(self.p, self.rhs, self.pressure_rtol)
        self.pressure_iterations = self.poisson.iterations
        if self._p_last is None:
            self._p_last = self.p.copy()
        self._dt_last = dt

    def _finite_temperature(self):
        return bool(np.isfinite(float(self.backend.xp.sum(shifted(self.T, GHOST, self.n3)))))

    def _stop(self, status, message):
        self.status = status
        self.message = f"stopped at t = {self.time:.6g} s after {self.steps} steps: {message}"
        return 0.0

    def advance_to(self, t_end, max_steps=None):
        """Step with adaptive ``dt`` until ``time == t_end`` exactly (s); returns the status.

        The steps are evened out to land on ``t_end`` (each the time left over
        the whole number of stable steps that cover it) rather than ending on
        a short one.  The warm-started pressure solve is why: its last answer
        is a good start only for a step of about the same length.  On the
        10 MW hall, coupled every second, the short step and the three after
        it took 4, 4, 3 and 2 CG iterations, every other step 1; evened out,
        every step takes 1 (1.88 -> 1.00 a step, 15 % less time a step).
        Stops early, with
        :attr:`status` ``"nan"`` or ``"diverged"`` and a :attr:`message`, if the
        solution breaks down.
        """
        count = 0
        while self.time < t_end * (1 - 1e-12) and self.status == "ok":
            self.step(max_dt=t_end - self.time, land=True)
            count += 1
            if max_steps is not None and count >= max_steps:
                break
        if self.status == "ok" and not self._finite_temperature():
            self._stop("nan", "the temperature became NaN or infinite")
        return self.status

    # ------------------------------------------------------------------ read-out
    def temperature(self):
        """Cell temperatures ``(nz, ny, nx)`` on the host (°C); NaN in solid cells."""
        be = self.backend
        T = be.to_host(shifted(self.T, GHOST, self.n3)).astype(np.float64)
        T[self.grid.solid] = np.nan
        return T

    def velocity_faces(self):
        """Face velocities on the host (m/s).

        Shapes ``u (nz, ny, nx+1)``, ``v (nz, ny+1, nx)``, ``w (nz+1, ny, nx)``.
        """
        g = GHOST
        nz, ny, nx = self.n3
        out = []
        for c in range(3):
            ext = [nz, ny, nx]
            ext[2 - c] += 1
            out.append(
                self.backend.to_host(
                    self.vel[c][g : g + ext[0], g : g + ext[1], g : g + ext[2]]
                ).astype(np.float64)
            )
        return out

    def speed(self):
        """Air speed at cell centres ``(nz, ny, nx)`` on the host (m/s); 0 in solid cells."""
        u, v, w = self.velocity_faces()
        uc = 0.5 * (u[:, :, 1:] + u[:, :, :-1])
        vc = 0.5 * (v[:, 1:, :] + v[:, :-1, :])
        wc = 0.5 * (w[1:] + w[:-1])
        return np.sqrt(uc**2 + vc**2 + wc**2)

    def divergence(self):
        """Largest ``|div u|`` over fluid cells (1/s)."""
        k = self.kernels
        self.ghosts.velocity(self.vel)
        k.divergence(self.vel, self.grid.spacing, 1.0, self.fluid, GHOST, self.n3, self.rhs)
        return k.max_abs(self.rhs, GHOST, self.n3)

    def patch_reports(self):
        """Per-patch flow, sink/source temperatures and heat of the last step (see PatchReport)."""
        return self.patches.reports()

    def heat_content(self):
        """Sensible heat of the air relative to 0 °C, ``rho cp sum(T) V`` (J)."""
        cell = float(np.prod(self.grid.spacing))
        inner = shifted(self.T, GHOST, self.n3) * shifted(self.fluid, GHOST, self.n3)
        return (
            self.props.rho
            * self.props.cp
            * cell
            * float(self.backend.xp.sum(inner, dtype=np.float64))
        )
