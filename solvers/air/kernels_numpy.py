"""Reference kernels of the air solver, written for reading (NumPy or CuPy slicing).

Each kernel loops (by slicing) over the interior box ``[g:g+nz, g:g+ny,
g:g+nx]`` of padded arrays (see :mod:`solvers.air.grid`) and writes its
result into an output array.  A face array's interior box holds the faces on
the low side of the interior cells; the box's far wall face is never updated.
The compiled backends (:mod:`.kernels_numba`, :mod:`.kernels_cupy`) must
reproduce these functions value for value (to float tolerance).

Discretisation
--------------
* Advection: conservative finite-volume fluxes, face values reconstructed
  upwind with van Leer's limiter (second order where smooth, no new extrema);
  momentum is transported by face-averaged velocities.
* Diffusion: ``div(nu_eff grad q)`` with face-averaged ``nu_eff`` (the
  transpose part of the stress is dropped, exact for constant viscosity).
* Time: each kernel is one forward-Euler stage; with the step limit of
  :func:`.flux_transport.stable_dt` it keeps van Leer's scheme bounded.  The solver
  combines two stages for the temperature (Heun) and one for momentum.
"""

from __future__ import annotations

import numpy as np

from .boundary import apply_plan, fill_periodic

#: Array offset (k, j, i) of one cell along each physical axis (x, y, z).
UNIT = ((0, 0, 1), (0, 1, 0), (1, 0, 0))


def shifted(a, g, n3, off=(0, 0, 0)):
    """Interior box of ``a`` (ghost width ``g``, interior shape ``n3``) moved by ``off`` cells."""
    return a[tuple(slice(g + o, g + n + o) for o, n in zip(off, n3, strict=True))]


def _add(*offsets):
    return tuple(int(sum(parts)) for parts in zip(*offsets, strict=True))


def _scale(k, off):
    return tuple(k * o for o in off)


def limited(xp, q_uu, q_u, q_d):
    """Van Leer face value from the upwind-upwind, upwind and downwind values.

    ``q_u + a b / (a + b)`` where ``a = q_u - q_uu``, ``b = q_d - q_u`` have the
    same sign (the harmonic mean of the two slopes, halved), else ``q_u``.
    """
    a = q_u - q_uu
    b = q_d - q_u
    ab = a * b
    denom = xp.where(ab > 0, a + b, 1)
    return q_u + xp.where(ab > 0, ab / denom, 0)


def face_diffusivity(S, kappa, nu_t, inv_prt, m1, o):
    """``kappa_eff`` (m²/s) on the face between cells at offsets ``m1`` and ``o`` (``S``: view)."""
    if nu_t is None:
        return kappa
    return kappa + 0.5 * inv_prt * (S(nu_t, m1) + S(nu_t, o))


def face_viscosity(S, nu, nu_t, c, d, o, m):
    """``nu_eff`` (m²/s) on the side along ``d`` of component ``c``'s control volume.

    Along ``c`` the side is a cell centre (``m``'s eddy viscosity); across it,
    an edge between four cells, whose eddy viscosities are averaged.
    """
    if nu_t is None:
        return nu
    if d == c:
        return nu + S(nu_t, m)
    mc = _scale(-1, UNIT[c])
    return nu + 0.25 * (S(nu_t, o) + S(nu_t, m) + S(nu_t, _add(o, mc)) + S(nu_t, _add(m, mc)))


def face_value(xp, vel, q_m2, q_m1, q_0, q_p1):
    """Upwind-limited value at the face between cells ``m-1`` and ``m`` (face velocity ``vel``)."""
    return xp.where(vel >= 0, limited(xp, q_m2, q_m1, q_0), limited(xp, q_p1, q_0, q_m1))


class NumpyKernels:
    """The reference kernels on an array module ``xp`` (NumPy, or CuPy for tests)."""

    name = "numpy"

    def __init__(self, xp=np):
        self.xp = xp

    # ------------------------------------------------------------------ transport
    def scalar_update(self, T, vel, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        """``out = T + dt * fluid * (-div(F))``, ``F = u T_face - kappa_eff grad T`` (K).

        Fluxes pass only faces between cells flagged 1 in ``fluid`` (fluid and
        ghost cells); obstacle faces are adiabatic and carry no advection
        (flow patches are added separately).  The eddy diffusivity is
        ``nu_t * inv_prt`` (``nu_t`` in m²/s per cell, or None).
        """
        xp = self.xp
        S = lambda a, off=(0, 0, 0): shifted(a, g, n3, off)  # noqa: E731
        tend = 0.0
        for d in range(3):
            if n3[2 - d] == 1:
                continue
            e = UNIT[d]
            fluxes = []
            for lo in (0, 1):
                o = _scale(lo, e)
                m2, m1, p1 = _add(o, _scale(-2, e)), _add(o, _scale(-1, e)), _add(o, e)
                vface = S(vel[d], o)
                kf = face_diffusivity(S, kappa, nu_t, inv_prt, m1, o)
                flux = vface * face_value(xp, vface, S(T, m2), S(T, m1), S(T, o), S(T, p1))
                flux = flux - kf * (S(T, o) - S(T, m1)) / h[d]
                fluxes.append(flux * (S(fluid, m1) * S(fluid, o)))
            tend = tend - (fluxes[1] - fluxes[0]) / h[d]
        S(out)[...] = S(T) + dt * S(fluid) * tend

    def average(self, a, b, g, n3):
        """``b = (a + b) / 2`` on the interior box (Heun's final stage)."""
        S = lambda x: shifted(x, g, n3)  # noqa: E731
        S(b)[...] = 0.5 * (S(a) + S(b))

    def extrapolate(self, p, last, theta):
        """``p += theta (p - last)`` and ``last = p`` as it was, over whole arrays (in place)."""
        guess = p + theta * (p - last)
        last[...] = p
        p[...] = guess

    def momentum_update(self, c, vel, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        """``out = vel[c] + dt * open_c * (advection + diffusion + buoyancy)`` (m/s).

        Parameters
        ----------
        c : int
            Component (0 = u, 1 = v, 2 = w).
        nu : float
            Molecular viscosity (m²/s); ``nu_t`` the eddy viscosity per cell or None.
        open_c : ndarray
            1 on faces whose velocity is solved, 0 on walls, obstacles and patches.
        buoyancy_c : float
            ``-g_c * beta`` (m/s² per K): the Boussinesq force per unit
            temperature excess over ``t_ref``.
        """
        xp = self.xp
        S = lambda a, off=(0, 0, 0): shifted(a, g, n3, off)  # noqa: E731
        q = vel[c]
        ec = UNIT[c]
        tend = buoyancy_c * (0.5 * (S(T, _scale(-1, ec)) + S(T)) - t_ref)
        for d in range(3):
            if n3[2 - d] == 1:
                continue
            e = UNIT[d]
            fluxes = []
            for lo in (0, 1):
                o = _scale(lo, e)
                if d == c:
                    # flux at the centre of the cell between faces o-1 and o
                    m = _add(o, _scale(-1, e))
                    carrier = 0.5 * (S(vel[d], m) + S(vel[d], o))
                    value = face_value(
                        xp,
                        carrier,
                        S(q, _add(m, _scale(-1, e))),
                        S(q, m),
                        S(q, o),
                        S(q, _add(o, e)),
                    )
                else:
                    # flux at the edge between the faces o-1 and o along d
                    m = _add(o, _scale(-1, e))
                    carrier = 0.5 * (S(vel[d], _add(o, _scale(-1, ec))) + S(vel[d], o))
                    value = face_value(
                        xp,
                        carrier,
                        S(q, _add(m, _scale(-1, e))),
                        S(q, m),
                        S(q, o),
                        S(q, _add(o, e)),
                    )
                nu_f = face_viscosity(S, nu, nu_t, c, d, o, m)
                grad = (S(q, o) - S(q, m)) / h[d]
                fluxes.append(carrier * value - nu_f * grad)
            tend = tend - (fluxes[1] - fluxes[0]) / h[d]
        S(out)[...] = S(q) + dt * S(open_c) * tend

    def smagorinsky(self, vel, cs_delta2, g, n3, h, out):
        """Eddy viscosity ``(Cs Δ)² |S|`` per cell (m²/s), ``|S| = sqrt(2 S_ij S_ij)``.

        Diagonal strain from the cell's own faces; shear from centred
        differences of cell-centred velocities.
        """
        xp = self.xp
        S = lambda a, off=(0, 0, 0): shifted(a, g, n3, off)  # noqa: E731
        s2 = 0.0
        for c in range(3):
            s2 = s2 + 2.0 * ((S(vel[c], UNIT[c]) - S(vel[c])) / h[c]) ** 2
        for c in range(3):
            for d in range(c + 1, 3):
                dq_c = (
                    0.25
                    * (
                        S(vel[c], UNIT[d])
                        + S(vel[c], _add(UNIT[d], UNIT[c]))
                        - S(vel[c], _scale(-1, UNIT[d]))
                        - S(vel[c], _add(_scale(-1, UNIT[d]), UNIT[c]))
                    )
                    / h[d]
                )
                dq_d = (
                    0.25
                    * (
                        S(vel[d], UNIT[c])
                        + S(vel[d], _add(UNIT[c], UNIT[d]))
                        - S(vel[d], _scale(-1, UNIT[c]))
                        - S(vel[d], _add(_scale(-1, UNIT[c]), UNIT[d]))
                    )
                    / h[c]
                )
                s2 = s2 + (dq_c + dq_d) ** 2
        S(out)[...] = cs_delta2 * xp.sqrt(s2)

    # ------------------------------------------------------------------ projection
    def divergence(self, vel, h, scale, fluid, g, n3, out):
        """``out = scale * div(vel)`` in fluid cells, 0 in solid ones (1/s times ``scale``).

        A solid cell behind a flow patch sees the patch's velocity on one face;
        the pressure has no unknown there, so its divergence must not enter.
        """
        S = lambda a, off=(0, 0, 0): shifted(a, g, n3, off)  # noqa: E731
        div = 0.0
        for d in range(3):
            div = div + (S(vel[d], UNIT[d]) - S(vel[d])) / h[d]
        S(out)[...] = scale * div * S(fluid)

    def project(self, c, vel_c, p, open_c, h, dt, g, n3):
        """``vel_c -= dt * open_c * dp/dx_c`` on the faces of the interior box (in place)."""
        S = lambda a, off=(0, 0, 0): shifted(a, g, n3, off)  # noqa: E731
        S(vel_c)[...] -= dt * S(open_c) * (S(p) - S(p, _scale(-1, UNIT[c]))) / h[c]

    def max_abs(self, a, g, n3, offset=0.0):
        """Largest ``|a - offset|`` over the interior box (NaN if any is NaN)."""
        return float(self.xp.max(self.xp.abs(shifted(a, g, n3) - offset)))

    def max_abs_many(self, arrays, offsets, g, n3):
        """:meth:`max_abs` of each array with its offset: a list of host floats."""
        return [self.max_abs(a, g, n3, off) for a, off in zip(arrays, offsets, strict=True)]

    # ------------------------------------------------------------------ multigrid
    def _colour_masks(self, lev):
        key = (lev.n3, lev.g)
        cache = self.__dict__.setdefault("_colours", {})
        if key not in cache:
            xp = self.xp
            kk, jj, ii = xp.meshgrid(*(xp.arange(n) for n in lev.n3), indexing="ij")
            parity = (kk + jj + ii) % 2
            cache[key] = (parity == 0, parity == 1)
        return cache[key]

    def mg_fill_periodic(self, lev, a):
        """Wrap the ghosts of ``a`` on the level's periodic axes."""
        for axis in range(3):
            if lev.periodic[axis] and lev.n3[2 - axis] > 1:
                fill_periodic(a, axis, lev.n3[2 - axis], lev.g)

    def _neighbours(self, lev, x):
        """``sum_f c_f x_nb / h²`` over the interior box."""
        g, n3 = lev.g, lev.n3
        total = 0.0
        for axis in range(3):
            e = UNIT[axis]
            c = lev.coef[axis]
            total = (
                total
                + (
                    shifted(c, g, n3) * shifted(x, g, n3, _scale(-1, e))
                    + shifted(c, g, n3, e) * shifted(x, g, n3, e)
                )
                / lev.h[axis] ** 2
            )
        return total

    def mg_apply(self, lev, x, out):
        """``out = A x`` on the interior (``x``'s periodic ghosts must be filled)."""
        g, n3 = lev.g, lev.n3
        shifted(out, g, n3)[...] = shifted(lev.diag, g, n3) * shifted(x, g, n3) - self._neighbours(
            lev, x
        )

    def mg_residual_of(self, lev, x, b, r):
        """``r = b - A x`` on the interior."""
        self.mg_fill_periodic(lev, x)
        self.mg_apply(lev, x, r)
        shifted(r, lev.g, lev.n3)[...] = shifted(b, lev.g, lev.n3) - shifted(r, lev.g, lev.n3)

    def mg_residual(self, lev):
        """``lev.r = lev.b - A lev.x``."""
        self.mg_residual_of(lev, lev.x, lev.b, lev.r)

    def mg_smooth(self, lev, colour):
        """One Gauss–Seidel half-sweep over the cells of one colour (parity of k+j+i)."""
        self.mg_fill_periodic(lev, lev.x)
        g, n3 = lev.g, lev.n3
        new = (shifted(lev.b, g, n3) + self._neighbours(lev, lev.x)) * shifted(lev.inv_diag, g, n3)
        mask = self._colour_masks(lev)[colour]
        inner = shifted(lev.x, g, n3)
        inner[...] = self.xp.where(mask, new, inner)

    def mg_smooth_from_zero(self, lev, colour):
        """``lev.x = 0``, then the half-sweep of ``colour`` (the first of a V-cycle's level).

        A compiled backend does both in one pass: from zero, the half-sweep
        is ``x = b / diag`` on its colour and reads no neighbour.
        """
        lev.x.fill(0)
        self.mg_smooth(lev, colour)

    def mg_residual_restrict(self, fine, coarse):
        """``coarse.b`` = restriction of ``fine.b - A fine.x`` (``fine.r`` is scratch).

        A compiled backend fuses the two and may leave ``fine.r`` untouched.
        """
        self.mg_residual(fine)
        self.mg_restrict(fine, coarse)

    def mg_restrict(self, fine, coarse):
        """``coarse.b`` = mean of ``fine.r`` over each coarse cell's children."""
        fz, fy, fx = fine.factor[2], fine.factor[1], fine.factor[0]
        nzc, nyc, nxc = coarse.n3
        g = fine.g
        block = fine.r[g : g + nzc * fz, g : g + nyc * fy, g : g + nxc * fx]
        block = block.reshape(nzc, fz, nyc, fy, nxc, fx).mean(axis=(1, 3, 5))
        shifted(coarse.b, coarse.g, coarse.n3)[...] = block

    def mg_prolong(self, coarse, fine):
        """``fine.x += coarse.x`` of the parent cell (piecewise constant)."""
        xp = self.xp
        e = shifted(coarse.x, coarse.g, coarse.n3)
        for axis, f in ((0, fine.factor[2]), (1, fine.factor[1]), (2, fine.factor[0])):
            e = xp.repeat(e, f, axis=axis)
        nz, ny, nx = fine.n3
        shifted(fine.x, fine.g, fine.n3)[...] += e[:nz, :ny, :nx]

    def mg_restrict_moved(self, fine, coarse):
        """Hand each moved cell's share of ``coarse.b`` from its block to the aggregate it
        joined (:class:`.MovedCells` ``fine.moved``), after :meth:`mg_residual_restrict`.

        The residual at the moved cells is worked out here (a compiled backend's
        restriction may not store it).
        """
        xp, moved = self.xp, fine.moved
        share = self._residual_at(fine, moved.cells) / (fine.factor[0] * fine.factor[1]
                                                        * fine.factor[2])  # fmt: skip
        b = coarse.b.reshape(-1)
        xp.subtract.at(b, moved.own, share)
        joined = moved.owner >= 0
        xp.add.at(b, moved.owner[joined], share[joined])

    def mg_prolong_moved(self, coarse, fine):
        """Give each moved cell its aggregate's correction instead of its block's, after
        :meth:`mg_prolong` (none where it joined none)."""
        xp, moved = self.xp, fine.moved
        e = coarse.x.reshape(-1)
        joined = xp.where(moved.owner >= 0, e[xp.maximum(moved.owner, 0)], 0)
        fine.x.reshape(-1)[moved.cells] += joined - e[moved.own]

    def _residual_at(self, lev, cells):
        """``b - A x`` at the flat indices ``cells`` of the level's padded arrays."""
        self.mg_fill_periodic(lev, lev.x)
        x, b = lev.x.reshape(-1), lev.b.reshape(-1)
        ny, nx = lev.x.shape[1], lev.x.shape[2]
        total = lev.diag.reshape(-1)[cells] * x[cells]
        for axis, stride in enumerate((1, nx, nx * ny)):
            c = lev.coef[axis].reshape(-1)
            total = total - (c[cells] * x[cells - stride]
                             + c[cells + stride] * x[cells + stride]) / lev.h[axis] ** 2
        return b[cells] - total

    def mg_coarse_solve(self, lev, pinv, flat):
        """``lev.x = pinv b`` on the coarsest level's active cells (flat indices ``flat``)."""
        lev.x.fill(0)
        lev.x.reshape(-1)[flat] = pinv @ lev.b.reshape(-1)[flat]

    # ------------------------------------------------------------------ ghosts
    def fill_ghosts(self, plan, fields, nu_t=None):
        """Fill the ghosts of ``fields`` by a :class:`.boundary.GhostPlan`."""
        apply_plan(plan, fields, nu_t)

    def replayable(self, fn):
        """A callable doing what ``fn`` does; ``fn`` must be a fixed sequence of kernels."""
        return fn

    # The CG's scalars (dot products, step lengths) are "backend scalars":
    # host floats here, zero-dimensional device arrays on a GPU, where reading
    # one back makes the host wait for the queue; :meth:`to_host` reads several
    # at once, :meth:`ratio` divides them where they are.
    def mg_dot(self, lev, a, b):
        """Sum of ``a * b`` over the interior (a backend scalar)."""
        return float(self.xp.sum(shifted(a, lev.g, lev.n3) * shifted(b, lev.g, lev.n3)))

    def mg_apply_dot(self, lev, x, out):
        """``out = A x`` (as :meth:`mg_apply`); returns ``x · out`` (a backend scalar)."""
        self.mg_apply(lev, x, out)
        return self.mg_dot(lev, x, out)

    def mg_axpy2_dot(self, lev, alpha, d, q, p, r):
        """:meth:`mg_axpy2`, then returns the new ``r · r`` (a backend scalar)."""
        self.mg_axpy2(lev, alpha, d, q, p, r)
        return self.mg_dot(lev, r, r)

    def mg_residual_norms(self, lev, x, b, r):
        """:meth:`mg_residual_of`; returns ``(b · b, r · r)`` (backend scalars)."""
        self.mg_residual_of(lev, x, b, r)
        return self.mg_dot(lev, b, b), self.mg_dot(lev, r, r)

    def mg_copy_dot(self, lev, z, r, d):
        """``d = z`` on the interior; returns ``r · z`` (a backend scalar)."""
        shifted(d, lev.g, lev.n3)[...] = shifted(z, lev.g, lev.n3)
        return self.mg_dot(lev, r, z)

    def ratio(self, a, b):
        """``a / b`` of two backend scalars where ``b > 0``, else 0 (NaN ``b`` included)."""
        return a / b if b > 0 else 0.0

    def to_host(self, *values):
        """Backend scalars as host floats (a tuple)."""
        return tuple(float(v) for v in values)

    def mg_axpy2(self, lev, alpha, d, q, p, r):
        """CG update: ``p += alpha d``, ``r -= alpha q`` on the interior."""
        shifted(p, lev.g, lev.n3)[...] += alpha * shifted(d, lev.g, lev.n3)
        shifted(r, lev.g, lev.n3)[...] -= alpha * shifted(q, lev.g, lev.n3)

    def mg_xpby(self, lev, z, beta, d):
        """CG direction update: ``d = z + beta d`` on the interior."""
        shifted(d, lev.g, lev.n3)[...] = shifted(z, lev.g, lev.n3) + beta * shifted(
            d, lev.g, lev.n3
        )
