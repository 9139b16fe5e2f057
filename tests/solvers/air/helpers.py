"""Small solver set-ups shared by the air tests."""

from solvers.air import AirProperties, AirSolver, Grid, Opening


def closed_room(backend, dtype="float64", spacing=0.5, advection="flux"):
    """A 4 × 3 × 2.5 m closed room with a 10 kW rack and an air unit at a 20 °C setpoint.

    Smagorinsky eddy viscosity, adiabatic no-slip walls, the ``advection``
    scheme asked for.  Returns the solver (room at 24 °C, flows set).
    """
    grid = Grid.from_box((4.0, 3.0, 2.5), spacing)
    rack = ((1.9, 1.0, 0.0), (2.6, 2.0, 2.0))
    unit = ((0.5, 0.0, 0.0), (1.5, 0.5, 1.5))
    grid.add_obstacle(*rack)
    grid.add_obstacle(*unit)
    solver = AirSolver(grid, AirProperties(turbulence="smagorinsky", t_ref=24.0), backend,
                       dtype=dtype, advection=advection)  # fmt: skip
    solver.add_patch("rack", Opening(*rack, "y-"), Opening(*rack, "y+"))
    solver.add_patch("unit", Opening(*unit, "z+"), Opening(*unit, "y+"))
    solver.set_patch("rack", 0.7, heat=10e3)
    solver.set_patch("unit", 1.0, setpoint=20.0, capacity=20e3)
    solver.set_temperature(24.0)
    return solver
