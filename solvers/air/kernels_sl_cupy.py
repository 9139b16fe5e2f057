"""GPU kernels (CuPy ``RawModule``) of the semi-Lagrangian step: one fused launch each.

Same conventions as :mod:`.kernels_cupy` (one thread per interior cell,
neighbours through the strides of the padded arrays, ``REAL`` replaced by
``double`` or ``float``); the arithmetic follows :mod:`.kernels_sl_numpy`,
with the trilinear interpolation as the lerps of :mod:`.kernels_sl_numba`
and, as there, positions in the fields' precision.
This module never imports cupy: it takes it from the backend object.
"""

from __future__ import annotations

import numpy as np

from .kernels_cuda import PREAMBLE
from .kernels_cupy import _BLOCK, EddyViscosityArgument, _inverse, launch_grid, typed
from .kernels_sl_numpy import SemiLagrangianKernels

SOURCE = PREAMBLE + r"""
// positions in the fields' precision, as the numba kernels: float32 for a hall
// (1e-5 cells at 300 cells), and half the registers and conversions of double
__device__ __forceinline__ real place(real p, int g, int n, int periodic) {
    real lo = g - (real)0.5;
    if (periodic) return p - n * floor((p - lo) / n);
    return fmin(fmax(p, lo), lo + n);
}
__device__ __forceinline__ real lerp(real a, real b, real f) { return a + f * (b - a); }
// positions are placed inside the box, so the base cell is never the last one;
// interpolated along x, then y, then z, as the numba kernels
__device__ __forceinline__ real sample(const real *a, real pk, real pj, real pi, int NY, int NX) {
    int k0 = (int)pk, j0 = (int)pj, i0 = (int)pi;
    real fk = pk - k0, fj = pj - j0, fi = pi - i0;
    long long Y = NX, Z = (long long)NX * NY, b = k0 * Z + j0 * Y + i0;
    long long c = b + Z;
    real low = lerp(lerp(a[b], a[b + 1], fi), lerp(a[b + Y], a[b + Y + 1], fi), fj);
    real high = lerp(lerp(a[c], a[c + 1], fi), lerp(a[c + Y], a[c + Y + 1], fi), fj);
    return lerp(low, high, fk);
}

// displacement (index units) of each cell centre over one step back, midpoint rule
extern "C" __global__ void trace(const real *u, const real *v, const real *w, real sx, real sy,
        real sz, int px, int py, int pz, DIMS, real *dx, real *dy, real *dz) {
    CELL
    long long Y = NX, Z = (long long)NX * NY;
    real half = 0.5, k = kk + g, j = jj + g, i = ii + g;
    real mk = place(k - half * sz * (half * (w[c] + w[c + Z])), g, nz, pz),
         mj = place(j - half * sy * (half * (v[c] + v[c + Y])), g, ny, py),
         mi = place(i - half * sx * (half * (u[c] + u[c + 1])), g, nx, px);
    real ex = sx * sample(u, mk, mj, mi + half, NY, NX);
    real ey = sy * sample(v, mk, mj + half, mi, NY, NX);
    real ez = sz * sample(w, mk + half, mj, mi, NY, NX);
    dx[c] = ex; dy[c] = ey; dz[c] = ez;
    // each axis's low ghost layer repeats its first cell (a wall) or its last (periodic), so
    // that a face on the low boundary moves by the mean of the two: written here, not by
    // nine more launches
    long long ghosts[3] = {ii == (px ? nx - 1 : 0) ? c - ii - 1 : -1,
                           jj == (py ? ny - 1 : 0) ? c - (jj + 1) * Y : -1,
                           kk == (pz ? nz - 1 : 0) ? c - (kk + 1) * Z : -1};
    for (int a = 0; a < 3; ++a)
        if (ghosts[a] >= 0) { dx[ghosts[a]] = ex; dy[ghosts[a]] = ey; dz[ghosts[a]] = ez; }
}

// cell data (ck = cj = ci = 0) or faces of one axis: a face moves by the mean
// displacement of the two cells it parts
extern "C" __global__ void sl(const real *q, const real *dx, const real *dy, const real *dz,
        const u8 *mask, int ck, int cj, int ci, int px, int py, int pz, DIMS, real *out) {
    CELL
    if (mask[c] == 0) { out[c] = q[c]; return; }
    long long b = c - (ck * (long long)NX * NY + cj * (long long)NX + ci);
    real half = 0.5;
    real pk = kk + g - half * ck - half * (dz[b] + dz[c]),
         pj = jj + g - half * cj - half * (dy[b] + dy[c]),
         pi = ii + g - half * ci - half * (dx[b] + dx[c]);
    pk = place(pk, g, nz, pz);
    pj = place(pj, g, ny, py);
    pi = place(pi, g, nx, px);
    out[c] = sample(q, pk + half * ck, pj + half * cj, pi + half * ci, NY, NX);
}

__device__ __forceinline__ real hflux(const real *T, const real *nut, int has_nut, real kappa,
                                      real inv_prt, const u8 *fl, real ih, long long c,
                                      long long s) {
    real kf = has_nut ? kappa + (real)0.5 * inv_prt * (nut[c - s] + nut[c]) : kappa;
    return -kf * (T[c] - T[c - s]) * ih * (real)(fl[c - s] * fl[c]);
}

extern "C" __global__ void diffuse_scalar(const real *T, real kappa, const real *nut, int has_nut,
        real inv_prt, const u8 *fl, real ihx, real ihy, real ihz, real dt, DIMS, real *out) {
    CELL
    long long Y = NX, Z = (long long)NX * NY;
    real tend = -(hflux(T, nut, has_nut, kappa, inv_prt, fl, ihx, c + 1, 1)
                  - hflux(T, nut, has_nut, kappa, inv_prt, fl, ihx, c, 1)) * ihx;
    tend -= (hflux(T, nut, has_nut, kappa, inv_prt, fl, ihy, c + Y, Y)
             - hflux(T, nut, has_nut, kappa, inv_prt, fl, ihy, c, Y)) * ihy;
    if (nz > 1)
        tend -= (hflux(T, nut, has_nut, kappa, inv_prt, fl, ihz, c + Z, Z)
                 - hflux(T, nut, has_nut, kappa, inv_prt, fl, ihz, c, Z)) * ihz;
    out[c] = T[c] + dt * (real)fl[c] * tend;
}

__device__ __forceinline__ real vflux(const real *q, const real *nut, int has_nut, real nu, real ih,
                                      long long c, long long sc, long long sd, bool same) {
    long long m = c - sd;
    real nuf = nu;
    if (has_nut)
        nuf = same ? nu + nut[m]
                   : nu + (real)0.25 * (nut[c] + nut[m] + nut[c - sc] + nut[m - sc]);
    return -nuf * (q[c] - q[m]) * ih;
}

extern "C" __global__ void diffuse_velocity(const real *q, const real *T, real nu,
        const real *nut, int has_nut, const u8 *open, real ihx, real ihy, real ihz, real dt,
        real force, real t_ref, int comp, DIMS, real *out) {
    CELL
    if (open[c] == 0) { out[c] = q[c]; return; }
    long long Y = NX, Z = (long long)NX * NY;
    long long sc = comp == 0 ? 1 : (comp == 1 ? Y : Z);
    real tend = force * ((real)0.5 * (T[c - sc] + T[c]) - t_ref);
    tend -= (vflux(q, nut, has_nut, nu, ihx, c + 1, sc, 1, comp == 0)
             - vflux(q, nut, has_nut, nu, ihx, c, sc, 1, comp == 0)) * ihx;
    tend -= (vflux(q, nut, has_nut, nu, ihy, c + Y, sc, Y, comp == 1)
             - vflux(q, nut, has_nut, nu, ihy, c, sc, Y, comp == 1)) * ihy;
    if (nz > 1)
        tend -= (vflux(q, nut, has_nut, nu, ihz, c + Z, sc, Z, comp == 2)
                 - vflux(q, nut, has_nut, nu, ihz, c, sc, Z, comp == 2)) * ihz;
    out[c] = q[c] + dt * tend;
}

// the energy fix-up's four sums per interior column (k, i: along y), in double (a thread per
// column, so a warp reads neighbouring cells; one small reduction of the columns follows):
// fluid cells' new value, how far each moved down and up from its old one, and the old value
extern "C" __global__ void fluid_column_sums(const real *old, const real *nw, const u8 *fl, DIMS,
        double *out) {
    long long t = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (t >= (long long)nz * nx) return;
    long long r = ((t / nx + g) * NY + g) * (long long)NX + g + t % nx;
    double total = 0, down = 0, up = 0, before = 0;
    for (int j = 0; j < ny; ++j, r += NX) {
        if (!fl[r]) continue;
        double b = nw[r], a = old[r], d = a - b;
        total += b;
        before += a;
        if (d > 0) down += d; else up -= d;
    }
    double *o = out + 4 * t;
    o[0] = total; o[1] = down; o[2] = up; o[3] = before;
}

// energy_shares of kernels_sl_numpy on the device, one thread: the four sums (the rows'
// sums summed) and the patches' heat in; up, down, each, correction and booked out, which
// shift_back reads there, so that the step never waits for a read-back
extern "C" __global__ void energy_shares(const double *sums, const double *heat, int patches,
        double heat_scale, double cells, double *shares) {
    if ((long long)blockDim.x * blockIdx.x + threadIdx.x != 0) return;
    double gained = 0;
    for (int p = 0; p < patches; ++p) gained += heat[p];
    gained *= heat_scale;
    double error = sums[3] + gained - sums[0];
    double room = error > 0 ? sums[1] : sums[2];
    double share = room > 0 ? fmin(fabs(error) / room, 1.0) : 0.0;
    double rest = error > 0 ? error - share * room : error + share * room;
    shares[0] = error > 0 ? share : 0.0;
    shares[1] = error < 0 ? share : 0.0;
    shares[2] = rest != 0 ? rest / cells : 0.0;
    shares[3] = fabs(error) / fmax(cells, 1.0);
    shares[4] = fabs(gained) / fmax(cells, 1.0);
}

extern "C" __global__ void shift_back(const real *old, const double *shares, const u8 *fl, DIMS,
        real *nw) {
    CELL
    if (!fl[c]) return;
    real zero = 0, up = shares[0], down = shares[1], each = shares[2];
    nw[c] += up * fmax(old[c] - nw[c], zero) - down * fmax(nw[c] - old[c], zero) + each;
}
"""

_NAMES = ("trace", "sl", "diffuse_scalar", "diffuse_velocity", "fluid_column_sums", "energy_shares",
          "shift_back")


class CupySemiLagrangianKernels(EddyViscosityArgument, SemiLagrangianKernels):
    """The kernels of :class:`.SemiLagrangianKernels` as fused CUDA kernels on CuPy arrays."""

    name = "cupy"

    def __init__(self, backend):
        super().__init__(backend.xp)
        self.cp = backend.xp
        self._modules = {}

    def _fn(self, dtype, name):
        dtype = np.dtype(dtype)
        if dtype not in self._modules:
            real = "double" if dtype == np.float64 else "float"
            module = self.cp.RawModule(code=SOURCE.replace("REAL", real))
            self._modules[dtype] = {n: module.get_function(n) for n in _NAMES}
        return self._modules[dtype][name]

    def _run(self, name, a, n3, g, args, outputs=1):
        """Launch ``name`` over the interior of arrays shaped like ``a``; floats become REAL.

        The grid's dimensions go between the inputs and the last ``outputs`` arguments.
        """
        blocks, dims = launch_grid(g, n3, a.shape)
        conv = typed(args, a.dtype.type)
        self._fn(a.dtype, name)((blocks,), (_BLOCK,), (*conv[:-outputs], *dims, *conv[-outputs:]))

    def sl_trace(self, vel, h, dt, periodic, g, n3, disp):
        scales = [float(dt / hh) for hh in h]
        args = (*vel, *scales, *map(int, periodic), *disp)
        self._run("trace", vel[0], n3, g, args, outputs=3)  # its ghosts too

    def _sl(self, q, disp, mask, c, periodic, g, n3, out):
        stagger = [0, 0, 0] if c is None else [int(c == 2), int(c == 1), int(c == 0)]
        self._run("sl", q, n3, g, (q, *disp, mask, *stagger, *map(int, periodic), out))

    def sl_scalar(self, T, disp, fluid, periodic, g, n3, out):
        self._sl(T, disp, fluid, None, periodic, g, n3, out)

    def sl_velocity(self, c, q, disp, open_c, periodic, g, n3, out):
        self._sl(q, disp, open_c, c, periodic, g, n3, out)

    def diffuse_scalar(self, T, kappa, nu_t, inv_prt, fluid, h, dt, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        args = (T, float(kappa), nut, has, float(inv_prt), fluid, *_inverse(h), float(dt), out)
        self._run("diffuse_scalar", T, n3, g, args)

    def diffuse_velocity(self, c, q, T, nu, nu_t, open_c, h, dt, buoyancy_c, t_ref, g, n3, out):
        nut, has = self._nut(nu_t, T.dtype)
        args = (q, T, float(nu), nut, has, open_c, *_inverse(h), float(dt), float(buoyancy_c),
                float(t_ref), int(c), out)  # fmt: skip
        self._run("diffuse_velocity", q, n3, g, args)

    def _device_sums(self, old, new, fluid, g, n3):
        """The four sums of ``fluid_sums`` as a device array: a column each, then the columns'."""
        columns = n3[0] * n3[2]
        out = self.cp.empty((columns, 4), dtype=np.float64)
        dims = launch_grid(g, n3, new.shape)[1]
        blocks = (columns + _BLOCK - 1) // _BLOCK
        args = (old, new, fluid, *dims, out)
        self._fn(new.dtype, "fluid_column_sums")((blocks,), (_BLOCK,), args)
        return out.sum(axis=0)

    def fluid_sums(self, old, new, fluid, g, n3):
        return tuple(float(x) for x in self._device_sums(old, new, fluid, g, n3).tolist())

    def shift_back(self, old, new, fluid, up, down, each, g, n3):
        shares = self.cp.asarray(np.array([up, down, each], dtype=np.float64))
        self._run("shift_back", new, n3, g, (old, shares, fluid, new))

    def fix_energy(self, old, new, fluid, heat, heat_scale, fluid_cells, g, n3):
        """:meth:`.SemiLagrangianKernels.fix_energy` without a read-back: four launches
        (column sums, their sum, the shares, the shift); the diagnostics stay device scalars.
        ``heat`` is float64 (the patches' own)."""
        cp = self.cp
        sums = self._device_sums(old, new, fluid, g, n3)
        patches = 0 if heat is None else int(heat.size)
        if heat is None:
            heat = cp.zeros(1, dtype=np.float64)
        shares = cp.empty(5, dtype=np.float64)
        args = (sums, heat, np.int32(patches), np.float64(heat_scale), np.float64(fluid_cells),
                shares)  # fmt: skip
        self._fn(new.dtype, "energy_shares")((1,), (1,), args)
        self._run("shift_back", new, n3, g, (old, shares, fluid, new))
        return shares[3], shares[4]
