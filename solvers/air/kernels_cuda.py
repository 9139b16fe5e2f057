"""CUDA C source of the air solver's GPU kernels (compiled by :mod:`.kernels_cupy`).

``REAL`` is replaced by ``double`` or ``float`` before compiling, and
``COEF``, the multigrid's face coefficients, by ``real`` or by ``u8`` for a
level whose faces are all open (1) or shut (0), the fine one: a byte moves
a quarter of a float's memory.  Every kernel
but ``mg_coarse`` runs one thread per interior cell of a padded array whose
row and plane strides are ``NX`` and ``NX * NY``; the ``CELL`` macro maps the
thread to its cell and returns from threads past the last one.  Each follows
the NumPy reference in :mod:`.kernels_numpy` term by term, but spacings come
in as their inverses and multiply (a full-precision division is a dozen or
more GPU instructions; the flux kernels had about twenty a cell), and a face
value picks its upwind side before the limiter, so it runs once.
"""

#: Types, the thread-to-cell map and the argument list every kernel module shares.
PREAMBLE = r"""
typedef REAL real;
typedef unsigned char u8;
// interior thread -> padded flat index; false when the thread has no cell
__device__ __forceinline__ bool cell(int g, int nz, int ny, int nx, int NY, int NX, long long *c,
                                     int *kk, int *jj, int *ii) {
    long long t = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (t >= (long long)nz * ny * nx) return false;
    *ii = (int)(t % nx); long long r = t / nx; *jj = (int)(r % ny); *kk = (int)(r / ny);
    *c = ((long long)(*kk + g) * NY + (*jj + g)) * NX + (*ii + g);
    return true;
}
#define CELL long long c; int kk, jj, ii; \
    if (!cell(g, nz, ny, nx, NY, NX, &c, &kk, &jj, &ii)) return;
#define DIMS int g, int nz, int ny, int nx, int NY, int NX
"""

SOURCE = PREAMBLE + r"""
__device__ __forceinline__ real lim(real quu, real qu, real qd) {
    real a = qu - quu, b = qd - qu, ab = a * b;
    return ab > 0 ? qu + ab / (a + b) : qu;
}
// the upwind side chosen first: one limiter, so one division and no divergent branch
__device__ __forceinline__ real face(real vel, real qm2, real qm1, real q0, real qp1) {
    bool up = vel >= 0;
    return lim(up ? qm2 : qp1, up ? qm1 : q0, up ? q0 : qm1);
}

__device__ __forceinline__ real sflux(const real *T, const real *vd, const real *nut, int has_nut,
                                      real kappa, real inv_prt, const u8 *fl, real ih, long long c,
                                      long long s) {
    real vf = vd[c];
    real val = face(vf, T[c - 2 * s], T[c - s], T[c], T[c + s]);
    real kf = has_nut ? kappa + (real)0.5 * inv_prt * (nut[c - s] + nut[c]) : kappa;
    real f = vf * val - kf * (T[c] - T[c - s]) * ih;
    return f * (real)(fl[c - s] * fl[c]);
}

extern "C" __global__ void scalar(const real *T, const real *u, const real *v, const real *w,
        real kappa, const real *nut, int has_nut, real inv_prt, const u8 *fl, real ihx, real ihy,
        real ihz, real dt, DIMS, real *out) {
    CELL
    long long sy = NX, sz = (long long)NX * NY;
    real tend = -(sflux(T, u, nut, has_nut, kappa, inv_prt, fl, ihx, c + 1, 1)
                  - sflux(T, u, nut, has_nut, kappa, inv_prt, fl, ihx, c, 1)) * ihx;
    tend -= (sflux(T, v, nut, has_nut, kappa, inv_prt, fl, ihy, c + sy, sy)
             - sflux(T, v, nut, has_nut, kappa, inv_prt, fl, ihy, c, sy)) * ihy;
    if (nz > 1)
        tend -= (sflux(T, w, nut, has_nut, kappa, inv_prt, fl, ihz, c + sz, sz)
                 - sflux(T, w, nut, has_nut, kappa, inv_prt, fl, ihz, c, sz)) * ihz;
    out[c] = T[c] + dt * (real)fl[c] * tend;
}

__device__ __forceinline__ real mflux(const real *q, const real *vd, const real *nut, int has_nut,
                                      real nu, real ih, long long c, long long sc, long long sd,
                                      bool same) {
    long long m = c - sd;
    real carrier, nuf = nu;
    if (same) {
        carrier = (real)0.5 * (vd[m] + vd[c]);
        if (has_nut) nuf = nu + nut[m];
    } else {
        carrier = (real)0.5 * (vd[c - sc] + vd[c]);
        if (has_nut) nuf = nu + (real)0.25 * (nut[c] + nut[m] + nut[c - sc] + nut[m - sc]);
    }
    real val = face(carrier, q[m - sd], q[m], q[c], q[c + sd]);
    return carrier * val - nuf * (q[c] - q[m]) * ih;
}

extern "C" __global__ void momentum(const real *q, const real *u, const real *v, const real *w,
        const real *T, real nu, const real *nut, int has_nut, const u8 *open, real ihx, real ihy,
        real ihz, real dt, real force, real t_ref, int comp, DIMS, real *out) {
    CELL
    if (open[c] == 0) { out[c] = q[c]; return; }
    long long sy = NX, sz = (long long)NX * NY;
    long long sc = comp == 0 ? 1 : (comp == 1 ? sy : sz);
    real tend = force * ((real)0.5 * (T[c - sc] + T[c]) - t_ref);
    tend -= (mflux(q, u, nut, has_nut, nu, ihx, c + 1, sc, 1, comp == 0)
             - mflux(q, u, nut, has_nut, nu, ihx, c, sc, 1, comp == 0)) * ihx;
    tend -= (mflux(q, v, nut, has_nut, nu, ihy, c + sy, sc, sy, comp == 1)
             - mflux(q, v, nut, has_nut, nu, ihy, c, sc, sy, comp == 1)) * ihy;
    if (nz > 1)
        tend -= (mflux(q, w, nut, has_nut, nu, ihz, c + sz, sc, sz, comp == 2)
                 - mflux(q, w, nut, has_nut, nu, ihz, c, sc, sz, comp == 2)) * ihz;
    out[c] = q[c] + dt * tend;
}

extern "C" __global__ void smagorinsky(const real *u, const real *v, const real *w, real cs2,
        real ihx, real ihy, real ihz, DIMS, real *out) {
    CELL
    long long X = 1, Y = NX, Z = (long long)NX * NY;
    real sxx = (u[c + X] - u[c]) * ihx, syy = (v[c + Y] - v[c]) * ihy,
         szz = (w[c + Z] - w[c]) * ihz;
    real s2 = 2 * (sxx * sxx + syy * syy + szz * szz);
    real a = (real)0.25 * (u[c + Y] + u[c + Y + X] - u[c - Y] - u[c - Y + X]) * ihy
           + (real)0.25 * (v[c + X] + v[c + Y + X] - v[c - X] - v[c + Y - X]) * ihx;
    real b = (real)0.25 * (u[c + Z] + u[c + Z + X] - u[c - Z] - u[c - Z + X]) * ihz
           + (real)0.25 * (w[c + X] + w[c + Z + X] - w[c - X] - w[c + Z - X]) * ihx;
    real d = (real)0.25 * (v[c + Z] + v[c + Z + Y] - v[c - Z] - v[c - Z + Y]) * ihz
           + (real)0.25 * (w[c + Y] + w[c + Z + Y] - w[c - Y] - w[c + Z - Y]) * ihy;
    out[c] = cs2 * sqrt(s2 + a * a + b * b + d * d);
}

extern "C" __global__ void divergence(const real *u, const real *v, const real *w, real ihx,
        real ihy, real ihz, real scale, const u8 *fl, DIMS, real *out) {
    CELL
    long long Y = NX, Z = (long long)NX * NY;
    out[c] = scale * (real)fl[c] * ((u[c + 1] - u[c]) * ihx + (v[c + Y] - v[c]) * ihy
                                    + (w[c + Z] - w[c]) * ihz);
}

extern "C" __global__ void project(real *q, const real *p, const u8 *open, real ih, real dt,
        long long s, DIMS) {
    CELL
    q[c] -= dt * (real)open[c] * (p[c] - p[c - s]) * ih;
}

extern "C" __global__ void average(const real *a, real *b, DIMS) {
    CELL
    b[c] = (real)0.5 * (a[c] + b[c]);
}

__device__ __forceinline__ real nbsum(const real *x, const COEF *cx, const COEF *cy,
                                      const COEF *cz, real ihx2, real ihy2, real ihz2, long long c,
                                      long long Y, long long Z) {
    return (cx[c] * x[c - 1] + cx[c + 1] * x[c + 1]) * ihx2
         + (cy[c] * x[c - Y] + cy[c + Y] * x[c + Y]) * ihy2
         + (cz[c] * x[c - Z] + cz[c + Z] * x[c + Z]) * ihz2;
}

extern "C" __global__ void mg_smooth(real *x, const real *b, const COEF *cx, const COEF *cy,
        const COEF *cz, const real *inv_diag, real ihx2, real ihy2, real ihz2, int colour, DIMS) {
    CELL
    if (((kk + jj + ii) & 1) != colour) return;
    long long Y = NX, Z = (long long)NX * NY;
    x[c] = (b[c] + nbsum(x, cx, cy, cz, ihx2, ihy2, ihz2, c, Y, Z)) * inv_diag[c];
}

extern "C" __global__ void mg_residual(const real *x, const real *b, const COEF *cx,
        const COEF *cy, const COEF *cz, const real *diag, real ihx2, real ihy2, real ihz2,
        int sign, DIMS, real *out) {
    CELL
    long long Y = NX, Z = (long long)NX * NY;
    real ax = diag[c] * x[c] - nbsum(x, cx, cy, cz, ihx2, ihy2, ihz2, c, Y, Z);
    out[c] = sign ? b[c] - ax : ax;
}

extern "C" __global__ void mg_restrict(const real *r, int fz, int fy, int fx, int gf, int NYf,
        int NXf, real *b, DIMS) {
    CELL
    real s = 0;
    for (int a = 0; a < fz; ++a)
        for (int e = 0; e < fy; ++e)
            for (int d = 0; d < fx; ++d)
                s += r[((long long)(gf + kk * fz + a) * NYf + (gf + jj * fy + e)) * NXf
                       + (gf + ii * fx + d)];
    b[c] = s / (real)(fz * fy * fx);
}

// the cells that joined a neighbouring block's aggregate (aggregates.py), a thread each:
// their share of the block's restricted residual moves to that aggregate (to none: -1)
extern "C" __global__ void mg_restrict_moved(const long long *cells, const long long *own,
        const long long *owner, int n, const real *x, const real *b, const COEF *cx,
        const COEF *cy, const COEF *cz, const real *diag, real ihx2, real ihy2, real ihz2,
        long long Y, long long Z, real scale, real *bc) {
    int t = blockDim.x * blockIdx.x + threadIdx.x;
    if (t >= n) return;
    long long c = cells[t];
    real share = scale * (b[c] - (diag[c] * x[c]
                                  - nbsum(x, cx, cy, cz, ihx2, ihy2, ihz2, c, Y, Z)));
    atomicAdd(&bc[own[t]], -share);
    if (owner[t] >= 0) atomicAdd(&bc[owner[t]], share);
}

// and they take their aggregate's correction instead of their block's
extern "C" __global__ void mg_prolong_moved(const long long *cells, const long long *own,
        const long long *owner, int n, const real *e, real *x) {
    int t = blockDim.x * blockIdx.x + threadIdx.x;
    if (t >= n) return;
    x[cells[t]] += (owner[t] >= 0 ? e[owner[t]] : (real)0) - e[own[t]];
}

// dense pseudo-inverse on the coarsest level's active cells (a few hundred)
extern "C" __global__ void mg_coarse(const real *pinv, const long long *flat, int n,
                                     const real *b, real *x) {
    int r = blockDim.x * blockIdx.x + threadIdx.x;
    if (r >= n) return;
    real s = 0;
    for (int c = 0; c < n; ++c) s += pinv[(long long)r * n + c] * b[flat[c]];
    x[flat[r]] = s;
}

extern "C" __global__ void mg_prolong(const real *e, int gc, int NYc, int NXc, int fz, int fy,
        int fx, real *x, DIMS) {
    CELL
    x[c] += e[((long long)(gc + kk / fz) * NYc + (gc + jj / fy)) * NXc + (gc + ii / fx)];
}

// one axis of a ghost plan (see boundary.apply_plan): a thread per operation and
// cross-section point; the operations of one axis never read what another writes
extern "C" __global__ void fill_ghosts(real *f0, real *f1, real *f2, const real *nut,
        const int *ops, const real *coef, int nops, real kappa, real inv_prt, int axis,
        int NZ, int NY, int NX) {
    long long t = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    long long plane = (long long)NX * NY, across, along, layer;
    int width;  // the cross-section is (rows of `across`) x (`width` points `along` apart)
    if (axis == 0) { width = NY; across = plane; along = NX; layer = 1; }
    else if (axis == 1) { width = NX; across = plane; along = 1; layer = NX; }
    else { width = NX; across = NX; along = 1; layer = plane; }
    long long cross = (axis == 2 ? (long long)NY : (long long)NZ) * width;
    if (t >= cross * nops) return;
    int o = (int)(t / cross);
    long long r = t % cross, base = (r / width) * across + (r % width) * along;
    const int *op = ops + 4 * o;
    const real *cf = coef + 3 * o;
    real *a = op[0] == 0 ? f0 : (op[0] == 1 ? f1 : f2);
    real v = cf[0] * a[base + op[2] * layer] + cf[1];
    if (cf[2] != 0) v += cf[2] / (kappa + inv_prt * nut[base + op[3] * layer]);
    a[base + op[1] * layer] = v;
}

// largest |a - off| along each interior column (k, i: along y) of up to five arrays, NaN
// winning: a thread per (array, column), so one launch and one read-back serve them all,
// and a warp's threads read neighbouring cells (a thread per row read a whole row alone:
// 32 cache lines a load for a warp)
extern "C" __global__ void max_abs_columns(const real *a0, const real *a1, const real *a2,
        const real *a3, const real *a4, double o0, double o1, double o2, double o3, double o4,
        int m, DIMS, double *out) {
    long long t = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    long long columns = (long long)nz * nx;
    if (t >= columns * m) return;
    int which = (int)(t / columns);
    long long column = t % columns;
    const real *a = which == 0 ? a0 : which == 1 ? a1 : which == 2 ? a2 : which == 3 ? a3 : a4;
    double off = which == 0 ? o0 : which == 1 ? o1 : which == 2 ? o2 : which == 3 ? o3 : o4;
    const real *r = a + ((column / nx + g) * NY + g) * (long long)NX + g + column % nx;
    double best = 0;
    for (int j = 0; j < ny; ++j) {
        double v = fabs((double)r[j * (long long)NX] - off);
        if (v != v) { best = v; break; }
        if (v > best) best = v;
    }
    out[t] = best;
}
"""
