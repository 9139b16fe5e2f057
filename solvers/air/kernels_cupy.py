"""GPU kernels (CuPy ``RawModule``): one fused CUDA kernel per reference kernel.

Each kernel is one launch with one thread per interior cell; neighbours are
reached through strides (1, NX, NX*NY of the padded arrays), so a stencil is
a single pass over memory instead of the ~8 launches and temporaries that
NumPy-style CuPy code would need.  The arithmetic follows
:mod:`.kernels_numpy` term by term.  The CUDA source is compiled once per
element type (``double`` or ``float``) and cached by CuPy.

This module never imports cupy: it takes it from the backend object (only
``solvers.backend`` imports cupy).
"""

from __future__ import annotations

import functools

import numpy as np

from .boundary import fill_periodic
from .kernels_cuda import SOURCE as _SOURCE
from .kernels_numpy import NumpyKernels

_NAMES = (
    "scalar",
    "momentum",
    "smagorinsky",
    "divergence",
    "project",
    "average",
    "mg_smooth",
    "mg_residual",
    "mg_restrict",
    "mg_prolong",
    "mg_restrict_moved",
    "mg_prolong_moved",
    "mg_coarse",
    "fill_ghosts",
    "max_abs_columns",
)
#: Arrays one ``max_abs_columns`` launch takes.
_MAX_ARRAYS = 5
_BLOCK = 256


@functools.lru_cache(maxsize=64)
def launch_grid(g, n3, shape):
    """Blocks of a launch over the interior box ``n3`` and the grid's ``DIMS`` arguments.

    Worked out once per box and array shape: the host's few microseconds a
    launch are what a small grid's step is made of.
    """
    count = n3[0] * n3[1] * n3[2]
    dims = tuple(np.int32(v) for v in (g, *n3, shape[1], shape[2]))
    return (count + _BLOCK - 1) // _BLOCK, dims


def _inverse(h):
    """``1 / h`` per axis (1/m): the kernels multiply, a division being many GPU instructions."""
    return [1.0 / hh for hh in h]


def typed(args, real):
    """Kernel arguments: Python (and NumPy) floats as ``real``, ints and bools as int32."""
    return [real(x) if isinstance(x, float) else (np.int32(x) if isinstance(x, int | bool) else x)
            for x in args]  # fmt: skip


class EddyViscosityArgument:
    """``_nut``: the eddy-viscosity argument of a kernel, a 1-element dummy when there is none."""

    def _nut(self, nu_t, dtype):
        if nu_t is not None:
            return nu_t, 1
        dummies = self.__dict__.setdefault("_dummy", {})
        if dtype not in dummies:
            dummies[dtype] = self.xp.zeros((1,), dtype=dtype)
        return dummies[dtype], 0


class CupyKernels(EddyViscosityArgument, NumpyKernels):
    """The reference kernels as fused CUDA kernels on CuPy arrays.

    Parameters
    ----------
    backend : Backend
        The ``cupy`` backend (its ``xp`` is cupy).
    """

    name = "cupy"

    def __init__(self, backend):
        super().__init__(backend.xp)
        self.cp = backend.xp
        self._backend = backend
        self._modules = {}
        self.graph_note = "CUDA graphs not used yet"
        cp = self.cp
        self._dot = cp.ReductionKernel(
            "T x, T y",
            "float64 z",
            "(double)x * (double)y",
            "a + b",
            "z = a",
            "0",
            "halltwin_dot",
            reduce_type="double",
        )
        self._axpy2 = cp.ElementwiseKernel(
            "T d, T q, float64 alpha",
            "T p, T r",
            "p += (T)(alpha * d); r -= (T)(alpha * q)",
            "halltwin_axpy2",
        )
        self._xpby = cp.ElementwiseKernel(
            "T z, float64 beta", "T d", "d = z + (T)(beta * d)", "halltwin_xpby"
        )
        self._extrapolate = cp.ElementwiseKernel(
            "float64 theta", "T p, T last",
            "T now = p; p = now + (T)(theta * (now - last)); last = now", "halltwin_extrapolate",
        )  # fmt: skip
        # the CG's scalars are zero-dimensional device arrays, which these
        # kernels broadcast: the step lengths never visit the host
        self._ratio = cp.ElementwiseKernel(
            "float64 a, float64 b", "float64 q", "q = b > 0 ? a / b : 0", "halltwin_ratio"
        )

    # ------------------------------------------------------------------ plumbing
    def _fn(self, dtype, name, coef="real"):
        """Kernel ``name`` for fields of ``dtype``, with multigrid coefficients ``coef``
        (``"real"``, or ``"u8"`` for a level of 0/1 faces)."""
        key = (np.dtype(dtype), coef)
        if key not in self._modules:
            real = "double" if key[0] == np.float64 else "float"
            code = _SOURCE.replace("REAL", real).replace("COEF", coef)
            module = self.cp.RawModule(code=code, name_expressions=None)
            self._modules[key] = {n: module.get_function(n) for n in _NAMES}
        return self._modules[key][name]

    def _run(self, name, a, n3, g, before, after=(), coef="real"):
        """Launch ``name`` over the interior box ``n3`` of arrays shaped like ``a``:
        ``before``, the grid's dimensions, then ``after``; Python floats become REAL."""
        blocks, dims = launch_grid(g, n3, a.shape)
        real = a.dtype.type
        args = (*typed(before, real), *dims, *typed(after, real))
        self._fn(a.dtype, name, coef)((blocks,), (_BLOCK,), args)

    # ------------------------------------------------------------------ transport
    def scalar_update(self, T, vel, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        self._run(
            "scalar",
            T,
            n3,
            g,
            (T, *vel, float(kappa), nut, has, float(inv_prt), fluid, *_inverse(h), float(dt)),
            (out,),
        )

    def momentum_update(self, c, vel, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        self._run(
            "momentum",
            T,
            n3,
            g,
            (
                vel[c],
                *vel,
                T,
                float(nu),
                nut,
                has,
                open_c,
                *_inverse(h),
                float(dt),
                float(buoyancy_c),
                float(t_ref),
                int(c),
            ),
            (out,),
        )

    def smagorinsky(self, vel, cs_delta2, g, n3, h, out):
        self._run("smagorinsky", out, n3, g, (*vel, float(cs_delta2), *_inverse(h)), (out,))

    def divergence(self, vel, h, scale, fluid, g, n3, out):
        self._run("divergence", out, n3, g, (*vel, *_inverse(h), float(scale), fluid), (out,))

    def project(self, c, vel_c, p, open_c, h, dt, g, n3):
        stride = (1, vel_c.shape[2], vel_c.shape[1] * vel_c.shape[2])[c]
        blocks, dims = launch_grid(g, n3, vel_c.shape)
        args = (*typed((vel_c, p, open_c, 1.0 / h[c], float(dt)), vel_c.dtype.type),
                np.int64(stride), *dims)  # fmt: skip
        self._fn(vel_c.dtype, "project")((blocks,), (_BLOCK,), args)

    def average(self, a, b, g, n3):
        self._run("average", a, n3, g, (a, b))

    def extrapolate(self, p, last, theta):
        self._extrapolate(float(theta), p, last)

    def max_abs(self, a, g, n3, offset=0.0):
        return self.max_abs_many([a], [offset], g, n3)[0]

    def max_abs_many(self, arrays, offsets, g, n3):
        # column maxima of all arrays in one launch, then one small reduction and
        # one read-back: each read-back waits for the GPU's queue to drain
        m = len(arrays)
        if m > _MAX_ARRAYS:
            head = self.max_abs_many(arrays[:_MAX_ARRAYS], offsets[:_MAX_ARRAYS], g, n3)
            return head + self.max_abs_many(arrays[_MAX_ARRAYS:], offsets[_MAX_ARRAYS:], g, n3)
        columns = n3[0] * n3[2]
        out = self.cp.empty(m * columns, dtype=np.float64)
        pad = [*arrays, *(arrays[0],) * (_MAX_ARRAYS - m)]
        offs = [np.float64(o) for o in (*offsets, *(0.0,) * (_MAX_ARRAYS - m))]
        dims = launch_grid(g, n3, arrays[0].shape)[1]
        blocks = (m * columns + _BLOCK - 1) // _BLOCK
        args = (*pad, *offs, np.int32(m), *dims, out)
        self._fn(arrays[0].dtype, "max_abs_columns")((blocks,), (_BLOCK,), args)
        return [float(x) for x in self.cp.max(out.reshape(m, columns), axis=1).tolist()]

    # ------------------------------------------------------------------ ghosts
    def fill_ghosts(self, plan, fields, nu_t=None):
        """One launch per axis (see :func:`.boundary.apply_plan`)."""
        a = fields[0]
        key = ("cupy", a.dtype, a.shape)
        launches = plan.device.get(key)
        if launches is None:
            # each axis's blocks and arguments after the fields, once per plan and shape
            real, launches = a.dtype.type, []
            across = (a.shape[0] * a.shape[1], a.shape[0] * a.shape[2], a.shape[1] * a.shape[2])
            for axis in range(3):
                n = len(plan.ops[axis])
                if n:
                    tail = (self.cp.asarray(plan.ops[axis]),
                            self.cp.asarray(plan.coefficients[axis].astype(a.dtype)), np.int32(n),
                            real(plan.kappa), real(plan.inv_prt), np.int32(axis),
                            *(np.int32(s) for s in a.shape))  # fmt: skip
                    launches.append(((n * across[axis] + _BLOCK - 1) // _BLOCK, tail))
            plan.device[key] = launches
        f = (*fields, *(a,) * (3 - len(fields)))
        nut = nu_t if nu_t is not None else self._nut(None, a.dtype)[0]
        fn = self._fn(a.dtype, "fill_ghosts")
        for blocks, tail in launches:
            fn((blocks,), (_BLOCK,), (*f, nut, *tail))

    # ------------------------------------------------------------------ multigrid
    def mg_fill_periodic(self, lev, a):
        for axis in range(3):
            if lev.periodic[axis] and lev.n3[2 - axis] > 1:
                fill_periodic(a, axis, lev.n3[2 - axis], lev.g)

    def _stencil(self, lev):
        """A level's coefficients, their kernel type and ``1/h²`` (kept in ``lev.kernel_args``).

        Bytes where every face is open (1) or shut (0), as on the fine level:
        its smoothing and residual then read 3 bytes of coefficients a cell
        instead of 12, about a third of their traffic.  Built on first use,
        before a V-cycle is recorded (a graph cannot hold the check's read-back).
        """
        args = lev.kernel_args.get("cupy")
        if args is None:
            cp, coef, kind = self.cp, lev.coef, "real"
            if all(bool(cp.all((c == 0) | (c == 1))) for c in coef):
                coef, kind = tuple(c.astype(np.uint8) for c in coef), "u8"
            args = lev.kernel_args["cupy"] = (coef, kind, tuple(1.0 / h**2 for h in lev.h))
        return args

    def mg_apply(self, lev, x, out):
        coef, kind, inv_h2 = self._stencil(lev)
        self._run("mg_residual", x, lev.n3, lev.g, (x, x, *coef, lev.diag, *inv_h2, 0), (out,),
                  coef=kind)  # fmt: skip

    def mg_residual_of(self, lev, x, b, r):
        self.mg_fill_periodic(lev, x)
        coef, kind, inv_h2 = self._stencil(lev)
        self._run("mg_residual", x, lev.n3, lev.g, (x, b, *coef, lev.diag, *inv_h2, 1), (r,),
                  coef=kind)  # fmt: skip

    def mg_smooth(self, lev, colour):
        self.mg_fill_periodic(lev, lev.x)
        coef, kind, inv_h2 = self._stencil(lev)
        self._run("mg_smooth", lev.x, lev.n3, lev.g,
                  (lev.x, lev.b, *coef, lev.inv_diag, *inv_h2, int(colour)), coef=kind)  # fmt: skip

    def mg_restrict(self, fine, coarse):
        fx, fy, fz = fine.factor
        self._run(
            "mg_restrict",
            coarse.b,
            coarse.n3,
            coarse.g,
            (fine.r, fz, fy, fx, fine.g, fine.r.shape[1], fine.r.shape[2], coarse.b),
        )

    def mg_prolong(self, coarse, fine):
        fx, fy, fz = fine.factor
        self._run(
            "mg_prolong",
            fine.x,
            fine.n3,
            fine.g,
            (coarse.x, coarse.g, coarse.x.shape[1], coarse.x.shape[2], fz, fy, fx, fine.x),
        )

    def mg_restrict_moved(self, fine, coarse):
        moved, real = fine.moved, fine.x.dtype.type
        self.mg_fill_periodic(fine, fine.x)
        coef, kind, inv_h2 = self._stencil(fine)
        n, (ny, nx) = int(moved.cells.size), fine.x.shape[1:]
        scale = 1.0 / (fine.factor[0] * fine.factor[1] * fine.factor[2])
        args = (moved.cells, moved.own, moved.owner, np.int32(n), fine.x, fine.b, *coef,
                fine.diag, *typed(inv_h2, real), np.int64(nx), np.int64(nx * ny), real(scale),
                coarse.b)  # fmt: skip
        self._fn(fine.x.dtype, "mg_restrict_moved", kind)(((n + _BLOCK - 1) // _BLOCK,),
                                                          (_BLOCK,), args)  # fmt: skip

    def mg_prolong_moved(self, coarse, fine):
        moved, n = fine.moved, int(fine.moved.cells.size)
        args = (moved.cells, moved.own, moved.owner, np.int32(n), coarse.x, fine.x)
        self._fn(fine.x.dtype, "mg_prolong_moved")(((n + _BLOCK - 1) // _BLOCK,), (_BLOCK,),
                                                   args)  # fmt: skip

    def mg_coarse_solve(self, lev, pinv, flat):
        lev.x.fill(0)
        n = int(flat.size)
        blocks = (n + _BLOCK - 1) // _BLOCK
        self._fn(lev.x.dtype, "mg_coarse")(
            (blocks,), (_BLOCK,), (pinv, flat, np.int32(n), lev.b, lev.x)
        )

    def replayable(self, fn):
        """Record ``fn`` (a fixed sequence of kernels, no host sync) as a CUDA graph.

        Returns a callable that replays the graph on a private stream, ordered
        after and before the current stream's work by events, so one launch
        replaces the dozens of Python-side kernel launches of a V-cycle.  If
        recording fails (an old driver, say) ``fn`` itself is returned and
        :attr:`graph_note` says why.
        """
        cp = self.cp
        stream = cp.cuda.Stream(non_blocking=True)
        before, after = cp.cuda.Event(disable_timing=True), cp.cuda.Event(disable_timing=True)
        fn()  # compile every kernel and fill the memory pool before recording
        try:
            with stream:
                stream.begin_capture()
                try:
                    fn()
                finally:
                    graph = stream.end_capture()
        except Exception as error:  # noqa: BLE001 - any failure to record: run the kernels directly
            self.graph_note = f"CUDA graphs off ({type(error).__name__}: {error})"
            return fn
        self.graph_note = "CUDA graphs on"

        def replay():
            before.record(cp.cuda.get_current_stream())
            stream.wait_event(before)
            graph.launch(stream)
            after.record(stream)
            cp.cuda.get_current_stream().wait_event(after)

        return replay

    def _inner(self, lev, a):
        g, (nz, ny, nx) = lev.g, lev.n3
        return a[g : g + nz, g : g + ny, g : g + nx]

    def mg_dot(self, lev, a, b):
        rows = self._dot(self._inner(lev, a), self._inner(lev, b), axis=2)
        return self.cp.asarray(rows.sum())

    def ratio(self, a, b):
        out = self.cp.empty((), dtype=np.float64)
        self._ratio(self.cp.asarray(a, dtype=np.float64), self.cp.asarray(b, dtype=np.float64),
                    out)  # fmt: skip
        return out

    def to_host(self, *values):
        """One transfer for all of ``values`` (zero-dimensional device arrays)."""
        both = self.cp.stack([self.cp.asarray(v, dtype=np.float64) for v in values])
        return tuple(float(v) for v in self._backend.to_host(both))

    def mg_axpy2(self, lev, alpha, d, q, p, r):
        self._axpy2(
            self._inner(lev, d),
            self._inner(lev, q),
            self.cp.asarray(alpha, dtype=np.float64),
            self._inner(lev, p),
            self._inner(lev, r),
        )

    def mg_xpby(self, lev, z, beta, d):
        self._xpby(self._inner(lev, z), self.cp.asarray(beta, dtype=np.float64),
                   self._inner(lev, d))  # fmt: skip
