"""The staggered (MAC) grid, its boundary conditions and its obstacle mask.

Layout
------
Every field is a C-ordered array indexed ``[k, j, i]`` (z, y, x), so x is the
contiguous axis and frames match the run file's ``(z, y, x)``.  All arrays,
cell and face alike, have the same padded shape ``(nz+4, ny+4, nx+4)``: two
ghost layers on each side (the bounded advection stencil reaches two cells
upwind).  Interior cells are ``[2:nz+2, 2:ny+2, 2:nx+2]``.  Face arrays hold at
``[k, j, i]`` the face on the *low* side of cell ``(k, j, i)``: ``u[k, j, i]``
is the x-face between cells ``i-1`` and ``i``; the domain's x-walls are faces
``i = 2`` and ``i = nx+2``.

A 2-D problem is a 3-D one with ``nz = 1`` and free-slip, adiabatic z-walls:
the mirrored ghost planes make every z-derivative vanish, so 2-D and 3-D run
the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Ghost layers on each side of every array.
GHOST = 2

#: Face names in the order (axis, side); axis 0 = x, 1 = y, 2 = z.
FACES = ("x-", "x+", "y-", "y+", "z-", "z+")

PERIODIC = "periodic"


@dataclass(frozen=True)
class Wall:
    """Boundary condition on one face of the box.

    Parameters
    ----------
    velocity : {"noslip", "freeslip"}
        No-slip (tangential velocity = ``tangential``) or free-slip (zero shear).
    tangential : tuple of float
        Wall velocity along the two other axes in x, y, z order (m/s), for a
        moving no-slip wall (a lid).  E.g. on ``"y+"`` it is ``(u_x, u_z)``.
    temperature : float, optional
        Fixed wall temperature (°C or K, as the field).  Adiabatic if both this
        and ``heat_flux`` are None.
    heat_flux : float, optional
        Heat flux into the air (W/m²); needs the solver's ``rho`` and ``cp``.
    """

    velocity: str = "noslip"
    tangential: tuple[float, float] = (0.0, 0.0)
    temperature: float | None = None
    heat_flux: float | None = None

    def __post_init__(self):
        if self.velocity not in ("noslip", "freeslip"):
            raise ValueError(f"Wall velocity must be 'noslip' or 'freeslip', got {self.velocity!r}")
        if self.temperature is not None and self.heat_flux is not None:
            raise ValueError("a wall has either a fixed temperature or a heat flux, not both")
        if self.velocity == "freeslip" and any(self.tangential):
            raise ValueError("a moving wall must be 'noslip'")


@dataclass
class Grid:
    """Uniform MAC grid on the box ``[0, Lx] × [0, Ly] × [0, Lz]``.

    Parameters
    ----------
    shape : tuple of int
        Cells ``(nx, ny, nz)``; ``nz = 1`` for a 2-D problem.
    spacing : tuple of float
        Cell size ``(hx, hy, hz)`` in m.
    boundaries : dict, optional
        Face name (``"x-"``, ..., ``"z+"``) → :class:`Wall` or ``"periodic"``
        (both faces of an axis).  Missing faces are no-slip adiabatic walls;
        2-D grids force free-slip adiabatic z-walls.
    """

    shape: tuple[int, int, int]
    spacing: tuple[float, float, float]
    boundaries: dict = field(default_factory=dict)

    def __post_init__(self):
        self.shape = tuple(int(n) for n in self.shape)
        self.spacing = tuple(float(h) for h in self.spacing)
        if len(self.shape) != 3 or min(self.shape) < 1 or min(self.shape[:2]) < 2:
            raise ValueError(f"grid shape must be (nx>=2, ny>=2, nz>=1), got {self.shape}")
        if min(self.spacing) <= 0:
            raise ValueError(f"grid spacing must be positive, got {self.spacing}")
        unknown = set(self.boundaries) - set(FACES)
        if unknown:
            raise ValueError(f"unknown boundary faces {sorted(unknown)}; faces are {FACES}")
        bcs = {name: self.boundaries.get(name, Wall()) for name in FACES}
        if self.nz == 1:
            bcs["z-"] = bcs["z+"] = Wall("freeslip")
        for axis in range(3):
            lo, hi = bcs[FACES[2 * axis]], bcs[FACES[2 * axis + 1]]
            if (lo == PERIODIC) != (hi == PERIODIC):
                raise ValueError(f"periodic must be set on both {'xyz'[axis]} faces")
        self.boundaries = bcs
        self.solid = np.zeros((self.nz, self.ny, self.nx), dtype=bool)

    @classmethod
    def from_box(cls, size, spacing, boundaries=None):
        """Grid on a box of ``size`` (Lx, Ly, Lz) m with cells close to ``spacing`` m.

        Each axis gets ``round(L / spacing)`` cells (at least 2, or 1 for a
        zero-height 2-D box) and the spacing is adjusted to fit the box exactly.
        """
        shape = cls.box_shape(size, spacing)
        steps = [length / n if length > 0 else spacing
                 for length, n in zip(size, shape, strict=True)]  # fmt: skip
        return cls(shape, tuple(steps), boundaries or {})

    @staticmethod
    def box_shape(size, spacing):
        """Cells along x, y and z of :meth:`from_box`'s grid, without building it."""
        return tuple(max(1, int(round(length / spacing))) if length > 0 else 1 for length in size)

    nx = property(lambda self: self.shape[0], doc="Cells along x.")
    ny = property(lambda self: self.shape[1], doc="Cells along y.")
    nz = property(lambda self: self.shape[2], doc="Cells along z (1 for 2-D).")
    dims = property(lambda self: 2 if self.nz == 1 else 3, doc="2 or 3.")
    size = property(
        lambda self: tuple(n * h for n, h in zip(self.shape, self.spacing, strict=True)),
        doc="Box size (Lx, Ly, Lz) in m.",
    )
    padded = property(
        lambda self: (self.nz + 2 * GHOST, self.ny + 2 * GHOST, self.nx + 2 * GHOST),
        doc="Shape of every stored array, (nz+4, ny+4, nx+4).",
    )

    def periodic(self, axis: int) -> bool:
        """True when axis (0 = x, 1 = y, 2 = z) is periodic."""
        return self.boundaries[FACES[2 * axis]] == PERIODIC

    def centres(self, axis: int) -> np.ndarray:
        """Cell-centre coordinates along an axis (m)."""
        n, h = self.shape[axis], self.spacing[axis]
        return (np.arange(n) + 0.5) * h

    def cell_range(self, lo, hi) -> tuple[slice, slice, slice]:
        """Slices ``(k, j, i)`` of the interior cells whose centres lie in ``[lo, hi]`` (m)."""
        out = []
        for axis in (2, 1, 0):
            c = self.centres(axis)
            inside = np.nonzero((c >= lo[axis] - 1e-9) & (c <= hi[axis] + 1e-9))[0]
            if inside.size == 0:
                raise ValueError(f"box {lo}..{hi} holds no cell centre along {'xyz'[axis]}")
            out.append(slice(int(inside[0]), int(inside[-1]) + 1))
        return tuple(out)

    def add_obstacle(self, lo, hi) -> tuple[slice, slice, slice]:
        """Mark the cells whose centres lie in the box ``[lo, hi]`` (m) as solid.

        Returns
        -------
        tuple of slice
            The interior index slices ``(k, j, i)`` of the box's cells.
        """
        box = self.cell_range(lo, hi)
        self.solid[box] = True
        return box

    def fluid_mask(self) -> np.ndarray:
        """Padded uint8 array: 1 in fluid cells and in ghost cells, 0 in solid cells.

        Ghost cells count as fluid so that diffusive fluxes pass through domain
        walls (where the ghosts carry the wall's condition) but not through
        obstacle faces (adiabatic).
        """
        mask = np.ones(self.padded, dtype=np.uint8)
        g = GHOST
        mask[g:-g, g:-g, g:-g] = ~self.solid
        return mask

    def face_masks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Padded uint8 masks of the faces whose normal velocity the solver updates.

        A face is open when the cells on both sides are fluid and it is not a
        domain wall; periodic faces are open on both ends (the high copy is
        never updated, only refilled from the low one).
        """
        g = GHOST
        fluid = np.zeros(self.padded, dtype=np.uint8)
        fluid[g:-g, g:-g, g:-g] = ~self.solid
        masks = []
        for axis in range(3):
            arr_axis = 2 - axis
            n = self.shape[axis]
            if self.periodic(axis):
                # wrap the fluid flags so that the faces on the box's ends see both sides
                idx = [slice(None)] * 3
                src = [slice(None)] * 3
                idx[arr_axis], src[arr_axis] = slice(g - 1, g), slice(n + g - 1, n + g)
                fluid[tuple(idx)] = fluid[tuple(src)]
                idx[arr_axis], src[arr_axis] = slice(n + g, n + g + 1), slice(g, g + 1)
                fluid[tuple(idx)] = fluid[tuple(src)]
            lower = np.roll(fluid, 1, axis=arr_axis)
            mask = (fluid & lower).astype(np.uint8)
            masks.append(mask)
        return tuple(masks)
