"""Reference kernels of the semi-Lagrangian step, written for reading (NumPy or CuPy).

The semi-Lagrangian scheme (:mod:`.semi_lagrangian`) moves heat and momentum
by tracing each cell centre (or face centre) back along the flow for one step
and interpolating the old field there, then adds diffusion and buoyancy
explicitly.  Trilinear interpolation is a convex combination of old values,
so advection makes no new extrema at any Courant number; the step is limited
by accuracy, not stability.

Positions are kept in *padded cell-index space*: the centre of the padded
cell ``[k, j, i]`` sits at ``(k, j, i)``.  A face array of component ``c``
holds at ``[k, j, i]`` the face half a cell below that centre along ``c``, so
sampling it at a position means adding 0.5 along ``c`` first.

Departure points use the midpoint rule (second order along the trajectory):
``x_mid = x - dt/2 u(x)``, ``x_dep = x - dt u(x_mid)``.  The trace is done once
per step, from each cell centre (:meth:`SemiLagrangianKernels.sl_trace`); a
face takes the mean of its two cells' displacements, which is the
displacement at the face to second order, as linear interpolation of the
velocity itself is.  So the four advected fields (heat and three velocity
components) cost one trace, not four.  Points outside the box are put back on
its walls, or wrapped on periodic axes, so that every sample reads interior
or first-ghost values only.
"""

from __future__ import annotations

import math

import numpy as np

from .kernels_numpy import UNIT, _add, _scale, face_diffusivity, face_viscosity, shifted


def place(xp, p, g, n, periodic):
    """Bring positions ``p`` (padded index units) inside an axis of ``n`` interior cells.

    Walls sit at ``g - 0.5`` and ``g + n - 0.5``; a periodic axis wraps.
    """
    lo = g - 0.5
    if periodic:
        return p - n * xp.floor((p - lo) / n)
    return xp.clip(p, lo, lo + n)


def sample(xp, a, pk, pj, pi, stagger):
    """Trilinear value of ``a`` at positions ``(pk, pj, pi)``; ``stagger`` = face axis or None."""
    pos = [pk, pj, pi]
    if stagger is not None:
        pos[2 - stagger] = pos[2 - stagger] + 0.5
    base, frac = [], []
    for ax, p in enumerate(pos):
        i0 = xp.clip(xp.floor(p), 0, a.shape[ax] - 2).astype(np.int64)
        base.append(i0)
        frac.append(p - i0)
    k0, j0, i0 = base
    fk, fj, fi = frac
    out = 0.0
    for dk, wk in ((0, 1 - fk), (1, fk)):
        for dj, wj in ((0, 1 - fj), (1, fj)):
            for di, wi in ((0, 1 - fi), (1, fi)):
                out = out + wk * wj * wi * a[k0 + dk, j0 + dj, i0 + di]
    return out


def _interior_points(xp, g, n3, offset=(0.0, 0.0, 0.0)):
    kk, jj, ii = xp.meshgrid(
        *(xp.arange(g, g + n, dtype=np.float64) + o for n, o in zip(n3, offset, strict=True)),
        indexing="ij",
    )
    return kk, jj, ii


class SemiLagrangianKernels:
    """Semi-Lagrangian advection and explicit diffusion kernels on an array module ``xp``.

    The reference for :mod:`.kernels_sl_numba` and the CuPy kernels, which
    must give the same values to float tolerance.
    """

    name = "numpy"

    def __init__(self, xp=np):
        self.xp = xp

    def sl_trace(self, vel, h, dt, periodic, g, n3, disp):
        """Displacement of each cell centre over one step back along the flow (index units).

        ``disp[a]`` (axis ``a`` = x, y, z) receives ``dt / h_a`` times the
        velocity at the midpoint of the trajectory, unwrapped, in the
        interior; the ghost layer below each axis receives the displacement
        that a face on that wall needs (the wrapped interior on a periodic
        axis, else a copy of the first layer: those faces are walls).

        Parameters
        ----------
        vel : list of ndarray
            Face velocities (u, v, w), m/s.
        h : tuple of float
            Cell size (hx, hy, hz), m.
        dt : float
            Step, s.
        periodic : tuple of bool
            Periodic flags of the x, y, z axes.
        disp : list of ndarray
            Output, padded like ``vel``.
        """
        xp = self.xp
        scale = [dt / h[2], dt / h[1], dt / h[0]]  # per array axis (z, y, x)
        start = _interior_points(xp, g, n3)
        centre = [
            0.5 * (shifted(vel[2 - ax], g, n3) + shifted(vel[2 - ax], g, n3, UNIT[2 - ax]))
            for ax in range(3)
        ]
        mid = [
            place(xp, start[ax] - 0.5 * scale[ax] * centre[ax], g, n3[ax], periodic[2 - ax])
            for ax in range(3)
        ]
        for ax in range(3):
            speed = sample(xp, vel[2 - ax], *mid, 2 - ax)
            shifted(disp[2 - ax], g, n3)[...] = scale[ax] * speed
        self._fill_trace_ghosts(disp, periodic, g, n3)

    @staticmethod
    def _fill_trace_ghosts(disp, periodic, g, n3):
        for ax in range(3):
            src = g + n3[ax] - 1 if periodic[2 - ax] else g
            for d in disp:
                ghost = [slice(g, g + n) for n in n3]
                take = list(ghost)
                ghost[ax], take[ax] = g - 1, src
                d[tuple(ghost)] = d[tuple(take)]

    def sl_scalar(self, T, disp, fluid, periodic, g, n3, out):
        """``out`` = ``T`` at each fluid cell's departure point; solid cells keep ``T`` (°C).

        ``disp`` is the trace of :meth:`sl_trace`.
        """
        xp = self.xp
        start = _interior_points(xp, g, n3)
        dep = [
            place(xp, start[ax] - shifted(disp[2 - ax], g, n3), g, n3[ax], periodic[2 - ax])
            for ax in range(3)
        ]
        moved = sample(xp, T, *dep, None)
        S = shifted(fluid, g, n3)
        shifted(out, g, n3)[...] = xp.where(S > 0, moved, shifted(T, g, n3))

    def sl_velocity(self, c, q, disp, open_c, periodic, g, n3, out):
        """``out`` = component ``c`` (``q``) at each open face's departure point (m/s).

        A face's displacement is the mean of its two cells' (``disp`` from
        :meth:`sl_trace`).  Faces that are not open (walls, obstacles, patch
        openings) keep their value.
        """
        xp = self.xp
        offset = [0.0, 0.0, 0.0]
        offset[2 - c] = -0.5
        start = _interior_points(xp, g, n3, offset)
        below = _scale(-1, UNIT[c])
        dep = []
        for ax in range(3):
            d = 0.5 * (shifted(disp[2 - ax], g, n3, below) + shifted(disp[2 - ax], g, n3))
            dep.append(place(xp, start[ax] - d, g, n3[ax], periodic[2 - ax]))
        moved = sample(xp, q, *dep, c)
        S = shifted(open_c, g, n3)
        shifted(out, g, n3)[...] = xp.where(S > 0, moved, shifted(q, g, n3))

    def sl_velocities(self, vel, disp, open_, periodic, g, n3, out):
        """:meth:`sl_velocity` of every component the grid has (``n3`` longer than 1 on its axis).

        ``vel``, ``open_`` and ``out`` are the (x, y, z) triples.  One call, so
        that a backend may move all three in one pass (numba shares each
        cell's displacements among the three faces below it).
        """
        for c in range(3):
            if n3[2 - c] > 1:
                self.sl_velocity(c, vel[c], disp, open_[c], periodic, g, n3, out[c])

    def diffuse_scalar(self, T, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        """``out = T + dt * fluid * div(kappa_eff grad T)`` (°C); obstacle faces adiabatic."""
        S = lambda a, off=(0, 0, 0): shifted(a, g, n3, off)  # noqa: E731
        tend = 0.0
        for d in range(3):
            if n3[2 - d] == 1:
                continue
            e = UNIT[d]
            fluxes = []
            for lo in (0, 1):
                o = _scale(lo, e)
                m1 = _add(o, _scale(-1, e))
                kf = face_diffusivity(S, kappa, nu_t, inv_prt, m1, o)
                flux = -kf * (S(T, o) - S(T, m1)) / h[d]
                fluxes.append(flux * (S(fluid, m1) * S(fluid, o)))
            tend = tend - (fluxes[1] - fluxes[0]) / h[d]
        S(out)[...] = S(T) + dt * S(fluid) * tend

    def diffuse_velocity(self, c, q, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        """``out = q + dt * open_c * (div(nu_eff grad q) + buoyancy)`` for component ``c`` (m/s).

        The viscosity on each control-volume face is averaged as in
        :meth:`.NumpyKernels.momentum_update`; ``buoyancy_c`` (m/s² per K)
        multiplies the face's temperature excess over ``t_ref``.
        """
        S = lambda a, off=(0, 0, 0): shifted(a, g, n3, off)  # noqa: E731
        ec = UNIT[c]
        tend = buoyancy_c * (0.5 * (S(T, _scale(-1, ec)) + S(T)) - t_ref)
        for d in range(3):
            if n3[2 - d] == 1:
                continue
            e = UNIT[d]
            fluxes = []
            for lo in (0, 1):
                o = _scale(lo, e)
                m = _add(o, _scale(-1, e))
                nu_f = face_viscosity(S, nu, nu_t, c, d, o, m)
                fluxes.append(-nu_f * (S(q, o) - S(q, m)) / h[d])
            tend = tend - (fluxes[1] - fluxes[0]) / h[d]
        S(out)[...] = S(q) + dt * S(open_c) * tend

    # ------------------------------------------------------------ energy fix-up
    def fix_energy(self, old, new, fluid, heat, heat_scale, fluid_cells, g, n3):
        """Move ``new`` so that its fluid sum is ``old``'s plus the patches' heat, without new
        extrema (see :func:`energy_shares`).

        Parameters
        ----------
        heat : array or None
            Each patch's heat this step (W).
        heat_scale : float
            K·cells a joule (the step over ``rho cp`` and a cell's volume).
        fluid_cells : int
            Number of fluid cells.

        Returns
        -------
        correction, booked : backend scalars
            The fix and the patches' heat, K per fluid cell (diagnostics: the
            fix should be small next to the heat it keeps).  Host floats here;
            a GPU backend keeps them on the device, so that nothing waits.
        """
        sums = self.fluid_sums(old, new, fluid, g, n3)
        gained = heat_scale * float(self.xp.sum(heat)) if heat is not None else 0.0
        up, down, each, correction, booked = energy_shares(*sums, gained, fluid_cells)
        self.shift_back(old, new, fluid, up, down, each, g, n3)
        return correction, booked

    def fluid_sums(self, old, new, fluid, g, n3):
        """Sums over fluid cells: ``new``, ``max(old - new, 0)``, ``max(new - old, 0)``, ``old``.

        The first and last are the heat contents after and before in K·cells;
        the middle two are how far advection moved cells down and up
        (K·cells), the room :meth:`shift_back` may use to restore a total
        without new extrema.  Summed in float64 whatever the fields' precision.
        """
        xp = self.xp
        a, b, f = shifted(old, g, n3), shifted(new, g, n3), shifted(fluid, g, n3) > 0
        zero = xp.zeros((), dtype=b.dtype)
        sums = (xp.where(f, b, zero), xp.where(f, xp.maximum(a - b, zero), zero),
                xp.where(f, xp.maximum(b - a, zero), zero), xp.where(f, a, zero))  # fmt: skip
        return tuple(float(xp.sum(s, dtype=np.float64)) for s in sums)

    def shift_back(self, old, new, fluid, up, down, each, g, n3):
        """``new += up * max(old - new, 0) - down * max(new - old, 0) + each`` in fluid cells (K).

        ``up`` and ``down`` (shares, 0-1) move cells back towards ``old``;
        ``each`` is added to every fluid cell.
        """
        xp = self.xp
        a, b, f = shifted(old, g, n3), shifted(new, g, n3), shifted(fluid, g, n3) > 0
        zero = xp.zeros((), dtype=b.dtype)
        move = up * xp.maximum(a - b, zero) - down * xp.maximum(b - a, zero) + each
        b += xp.where(f, move, zero).astype(b.dtype)


def energy_shares(total, down, up, before, gained, fluid_cells):
    """How :meth:`SemiLagrangianKernels.shift_back` restores a room's heat (K·cells in).

    The error is the heat the room should hold (``before + gained``) less
    what it holds (``total``).  The cells that advection moved away from
    their old value the wrong way for the error (``down`` or ``up`` in all)
    go back a common share of the way, at most all of it; what is left is
    spread evenly over the fluid cells.

    Returns
    -------
    up_share, down_share, each : float
        The shares (0-1) and the even rest (K a cell) for ``shift_back``.
    correction, booked : float
        ``|error|`` and ``|gained|`` per fluid cell (K).
    """
    error = before + gained - total
    room = down if error > 0 else up
    share = min(abs(error) / room, 1.0) if room > 0 else 0.0
    rest = error - math.copysign(share * room, error)
    each = rest / fluid_cells if rest != 0.0 else 0.0
    cells = max(fluid_cells, 1)
    return (share if error > 0 else 0.0, share if error < 0 else 0.0, each, abs(error) / cells,
            abs(gained) / cells)  # fmt: skip
