"""Room air: incompressible Navier–Stokes, Boussinesq buoyancy and temperature on a MAC grid.

Domain-free: it knows boxes, walls, obstacles and flow patches, not racks.
Typical use (all lengths in m, temperatures in °C, flows in m³/s, heat in W)::

    from solvers.backend import select_backend
    from solvers.air import AirProperties, AirSolver, Grid, Opening

    grid = Grid.from_box((20.0, 12.0, 4.0), spacing=0.25)
    grid.add_obstacle(lo, hi)                         # a rack's box: solid cells
    solver = AirSolver(grid, AirProperties(turbulence="smagorinsky"),
                       select_backend("auto"), dtype="float32")
    solver.add_patch("R1", sink=Opening(lo, hi, "y-"), source=Opening(lo, hi, "y+"))
    solver.set_temperature(22.0)
    for t in times:                                   # the engine's loop
        solver.set_patch("R1", flow=1.4, heat=20e3)   # or setpoint=..., capacity=...
        status = solver.advance_to(t)                 # adaptive steps, lands on t
        inlet = solver.patch_reports()["R1"].sink_temperature
    T, speed = solver.temperature(), solver.speed()   # host arrays (nz, ny, nx)

See ``docs/air.md`` for the numerics and the verification.
"""

from .cases_more import CASE_NAMES, DEFAULT_N, run_case
from .grid import PERIODIC, Grid, Wall
from .patches import Opening, PatchReport
from .properties import AirProperties
from .solver import AirSolver

__all__ = [
    "AirProperties",
    "AirSolver",
    "CASE_NAMES",
    "DEFAULT_N",
    "Grid",
    "Opening",
    "PERIODIC",
    "PatchReport",
    "Wall",
    "run_case",
]
