"""The hall's room air on the air solver: racks and air units as obstacles with flow patches.

Racks, CDUs and air units are solid boxes standing on the floor.  A rack
draws room air in at its inlet face and blows it out of the opposite face,
warmer by its air-side heat; an air unit draws air in at its intake face and
supplies it from its supply face at its setpoint while its capacity lasts.
The walls and ceiling exchange heat with outdoors through the hall's UA: the
engine resets their flux every step from the outdoor dry-bulb and the room's
mean inlet temperature (:meth:`HallAir.update_walls`); the floor is adiabatic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solvers.air import AirProperties, AirSolver, Grid, Opening, Wall
from solvers.air.grid import GHOST
from solvers.air.memory import air_bytes, check_memory
from solvers.backend import Backend
from twin.errors import UserError
from twin.model.base import Box, Side
from twin.model.layout import Layout

#: The air solver's face of a box for each side seen from above.
FACE = {Side.NORTH: "y+", Side.SOUTH: "y-", Side.EAST: "x+", Side.WEST: "x-"}
OPPOSITE = {"y+": "y-", "y-": "y+", "x+": "x-", "x-": "x+"}
#: Faces that exchange heat with outdoors: the four walls and the ceiling.
WALL_FACES = ("x-", "x+", "y-", "y+", "z+")
#: Grid rows (of nx cells) per chunk of a numba kernel's parallel loop.
PARALLEL_CHUNK_ROWS = 16


def box_corners(box: Box) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(lo, hi) corners of equipment standing on the floor (m)."""
    x0, y0, x1, y1 = box.footprint
    return (x0, y0, 0.0), (x1, y1, box.height)


@dataclass
class HallAir:
    """The hall's air and the patches of its racks and air units.

    Attributes
    ----------
    solver : AirSolver
        The air model.
    rack_ids, air_unit_ids : list of str
        Patch names, in layout order.
    wall_heat : float
        Heat the walls and ceiling add to the air (W; negative: lost outdoors).
    """

    solver: AirSolver
    rack_ids: list[str]
    air_unit_ids: list[str]
    wall_heat: float
    wall_ua: float
    wall_area: float
    _speed: object = field(default=None, init=False, repr=False)
    _scratch: object = field(default=None, init=False, repr=False)

    def update_walls(self, outdoor: float, room: float) -> None:
        """Set the walls' and ceiling's flux for ``outdoor`` and ``room`` air (degC)."""
        self.wall_heat = self.wall_ua * (outdoor - room)
        flux = Wall(heat_flux=self.wall_heat / self.wall_area)
        for face in WALL_FACES:
            self.solver.set_wall(face, flux)

    def set_racks(self, flow: np.ndarray, heat: np.ndarray) -> None:
        """Air flow (m^3/s) and air-side heat (W) of each rack."""
        for rid, q, w in zip(self.rack_ids, flow, heat, strict=True):
            self.solver.set_patch(rid, flow=float(q), heat=float(w))

    def set_air_units(self, flow: np.ndarray, setpoint: np.ndarray,
                      capacity: np.ndarray) -> None:
        """Air flow (m^3/s), supply setpoint (degC) and cooling capacity (W) of each unit."""
        for aid, q, t, c in zip(self.air_unit_ids, flow, setpoint, capacity, strict=True):
            self.solver.set_patch(aid, flow=float(q), setpoint=float(t), capacity=float(c))

    def frame(self) -> tuple[np.ndarray, np.ndarray]:
        """What a run records of the air: temperature (degC; NaN in solid cells) and
        speed (m/s; 0 in solid cells) at cell centres, float32 ``(nz, ny, nx)``.

        The speed is the solver's :meth:`~solvers.air.AirSolver.speed` (the
        face velocities averaged to the centres) worked out in the solver's own
        float32 and in buffers kept from frame to frame: ``speed()`` makes
        float64 copies of the three velocity grids and a dozen temporaries:
        1-10 ms a frame on the 10 MW hall's 0.25 m grid, this 0.5-1.5 ms.
        The arrays are reused by the next call: copy them to keep them.
        """
        solver, xp = self.solver, self.solver.backend.xp
        nz, ny, nx = solver.n3
        g = GHOST
        if self._speed is None:
            self._speed = xp.empty((nz, ny, nx), dtype=np.float32)
            self._scratch = xp.empty((nz, ny, nx), dtype=np.float32)
        speed, part = self._speed, self._scratch
        inside = (slice(g, g + nz), slice(g, g + ny), slice(g, g + nx))
        speed.fill(0.0)
        for axis, component in enumerate(solver.vel):  # x, y, z faces
            upper = list(inside)
            upper[2 - axis] = slice(inside[2 - axis].start + 1, inside[2 - axis].stop + 1)
            xp.add(component[inside], component[tuple(upper)], out=part)
            xp.multiply(part, part, out=part)
            speed += part
        xp.sqrt(speed, out=speed)
        speed *= 0.5
        temperature = solver.temperature().astype(np.float32)
        return temperature, solver.backend.to_host(speed)

    def advance_to(self, time: float) -> str:
        """Advance the air to ``time`` (s) with its own stable steps; returns its status.

        On numba the kernels' rows are handed out :data:`PARALLEL_CHUNK_ROWS` at a
        time to whichever thread is free (numba's own default gives each thread
        an equal share up front, so a thread that loses its core for a moment,
        to the run file's writer or another process, holds every kernel up).
        """
        backend = self.solver.backend
        if backend.name != "numba":
            return self.solver.advance_to(time)
        # The chunk size is numba's per calling thread: set it around the work.
        with backend.module("numba").parallel_chunksize(PARALLEL_CHUNK_ROWS):
            return self.solver.advance_to(time)

    def rack_inlet(self) -> np.ndarray:
        """Mean temperature of the air each rack draws in (degC)."""
        reports = self.solver.patch_reports()
        return np.array([reports[r].sink_temperature for r in self.rack_ids])

    def air_unit_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per air unit: intake and supply temperature (degC), heat removed (W, >= 0)."""
        reports = self.solver.patch_reports()
        units = [reports[a] for a in self.air_unit_ids]
        return (np.array([u.sink_temperature for u in units]),
                np.array([u.source_temperature for u in units]),
                np.array([-u.heat for u in units]))


def _add_patch(solver: AirSolver, box: Box, sink: str, source: str) -> None:
    """Give a rack or air unit its air path; a side with no room air beside it is a user error.

    At a coarse grid a unit standing close to a wall can have its intake
    side's cells all inside the wall's first cell.
    """
    lo, hi = box_corners(box)
    try:
        solver.add_patch(box.id, sink=Opening(lo, hi, sink), source=Opening(lo, hi, source))
    except ValueError:
        h = min(solver.grid.spacing)
        raise UserError(f"air grid {h:g} m: no room air lies beside the intake ({sink}) or "
                        f"the outlet ({source}) side of '{box.id}' at this spacing (it stands "
                        f"too close to a wall or to other equipment): use a finer grid, e.g. "
                        f"--grid {round(h / 2, 3):g}") from None


#: Relative residual at which a hall's pressure solve stops.  The solver's own
#: default (1e-4 in float32) is for the verification cases; a hall does not
#: need it: on the 10 MW example hall, 240-300 s after a 60 s spin-up, 1e-3
#: moves the racks' mean inlet temperatures by 0.002 K on average (0.008 K at
#: most) and the air field by 0.04 K RMS, against 0.93 K and 1.7 K between
#: Courant 4 and 2, for 1.9 CG iterations a step instead of 3.0 (11 % less
#: time a step on one core of the development VM; with even steps and an
#: extrapolated start, 0.8 a step since; docs/performance.md).
#: What is left is divergence the next step's projection removes: the room's
#: mass and heat balances stay exact.
HALL_PRESSURE_RTOL = 1e-3


def _coarsest_fit(size, dtype, backend, copies):
    """Advice: the finest whole-centimetre grid, up to 2 m, on which ``copies`` air models
    of the hall fit in the backend's free memory."""
    free = backend.free_memory()
    for centimetres in range(1, 201):
        if copies * air_bytes(Grid.box_shape(size, centimetres / 100.0), dtype) <= free:
            return f"use a grid of at least {centimetres / 100.0:g} m here"
    return "not even a 2 m grid fits: free some memory"


def check_hall_air_memory(layout: Layout, backend: Backend, spacing: float | None = None,
                          dtype: str = "float32", copies: int = 1) -> None:
    """Refuse, before anything is built, an air grid whose model would not fit in memory.

    Parameters
    ----------
    layout : Layout
        The hall.
    backend : Backend
        Where the models would live (its :meth:`~solvers.backend.Backend.free_memory`).
    spacing : float, optional
        Grid spacing (m); default the hall's ``grid_m``.
    dtype : str
        The solver's float type.
    copies : int
        Models held at once (a sweep's local workers each hold one).

    Raises
    ------
    UserError
        What the grid needs, what is free, and the coarsest grid that would fit.
    """
    hall = layout.hall
    size, spacing = (hall.width, hall.depth, hall.height), spacing or hall.grid
    try:
        check_memory(Grid.box_shape(size, spacing), dtype, backend, copies)
    except ValueError as error:
        advice = _coarsest_fit(size, dtype, backend, copies)
        raise UserError(f"air grid {spacing:g} m: {error}; {advice}") from None


def build_hall_air(layout: Layout, backend: Backend, spacing: float | None = None,
                   dtype: str = "float32", room_temperature: float | None = None,
                   advection: str = "semi-lagrangian", courant: float = 4.0,
                   pressure_rtol: float = HALL_PRESSURE_RTOL) -> HallAir:
    """Set up the air model of a hall.

    Parameters
    ----------
    layout : Layout
        The hall.
    backend : Backend
        From :func:`solvers.backend.select_backend`.
    spacing : float, optional
        Grid spacing (m); default the hall's ``grid_m``.
    dtype : str
        ``float32`` (default: half the memory traffic) or ``float64``.
    room_temperature : float, optional
        Starting air temperature (degC); default the mean air-unit setpoint.
    advection : {"semi-lagrangian", "flux"}
        The air solver's transport scheme: semi-Lagrangian steps of
        ``courant`` cells (default; room-scale speed, heat conserved exactly
        by its fixer) or the explicit flux scheme of the verification cases
        (``courant`` is then ignored; steps of about half a cell).
    courant : float
        Cells crossed per step on the fastest axis (semi-Lagrangian only).
    pressure_rtol : float
        The pressure solve stops when its residual is this fraction of the
        right-hand side (see :data:`HALL_PRESSURE_RTOL`).
    """
    hall = layout.hall
    units = layout.air_units
    room = room_temperature if room_temperature is not None else (
        float(np.mean([a.supply_temp for a in units])) if units else 24.0)
    wall_area = 2 * (hall.width + hall.depth) * hall.height + hall.width * hall.depth
    wall_heat = hall.wall_ua * (layout.ambient.dry_bulb - room)
    flux = Wall(heat_flux=wall_heat / wall_area)
    boundaries = {face: flux for face in WALL_FACES}
    size, spacing = (hall.width, hall.depth, hall.height), spacing or hall.grid
    check_hall_air_memory(layout, backend, spacing, dtype)
    boxes = (*layout.racks, *layout.cdus, *units)
    finest = min((min(b.extent) for b in boxes), default=min(size[:2]) / 2)
    try:
        grid = Grid.from_box(size, spacing, boundaries)
    except ValueError:
        raise UserError(f"air grid {spacing:g} m is too coarse for the {size[0]:g} x "
                        f"{size[1]:g} x {size[2]:g} m hall: use a grid of at most "
                        f"{finest:g} m") from None
    for box in boxes:
        try:
            grid.add_obstacle(*box_corners(box))
        except ValueError:
            raise UserError(f"air grid {min(grid.spacing):g} m is too coarse for '{box.id}' "
                            f"({box.extent[0]:g} x {box.extent[1]:g} m): use a grid of at most "
                            f"{finest:g} m") from None
    cfl = courant if advection == "semi-lagrangian" else 0.9
    solver = AirSolver(grid, AirProperties(turbulence="smagorinsky", t_ref=room), backend,
                       dtype=dtype, advection=advection, cfl=cfl, pressure_rtol=pressure_rtol)
    for rack in layout.racks:
        inlet = FACE[rack.inlet]
        _add_patch(solver, rack, sink=inlet, source=OPPOSITE[inlet])
    for unit in units:
        supply = FACE[unit.supply_side]
        _add_patch(solver, unit, sink=OPPOSITE[supply], source=supply)
    solver.set_temperature(room)
    return HallAir(solver, [r.id for r in layout.racks], [a.id for a in units], wall_heat,
                   hall.wall_ua, wall_area)
