"""Solver behaviour: projection, conservation, boundary conditions, patches, stops."""

from itertools import pairwise

import numpy as np
import pytest

from solvers.air import AirProperties, AirSolver, Grid, Opening, Wall
from solvers.backend import select_backend

from .helpers import closed_room

STILL = {"beta": 0.0, "gravity": (0.0, 0.0, 0.0)}


@pytest.fixture(scope="module")
def numba():
    return select_backend("numba")


def test_divergence_after_projection_is_round_off(numba):
    """With a tight pressure tolerance the projected field is divergence-free to round-off."""
    solver = closed_room(numba)
    solver.pressure_rtol = 1e-14
    for _ in range(5):
        solver.step()
    u_max = max(np.abs(a).max() for a in solver.velocity_faces())
    assert solver.divergence() * min(solver.grid.spacing) / u_max < 1e-11


def test_mass_is_conserved_to_round_off(numba):
    """Patch sinks and sources carry the same flow: the net outflow of the room is zero."""
    solver = closed_room(numba)
    for _ in range(5):
        solver.step()
    u, v, w = solver.velocity_faces()
    h = solver.grid.spacing
    net = (
        (u[:, :, -1] - u[:, :, 0]).sum() * h[1] * h[2]
        + (v[:, -1] - v[:, 0]).sum() * h[0] * h[2]
        + (w[-1] - w[0]).sum() * h[0] * h[1]
    )
    assert abs(net) < 1e-14
    # and the patch faces carry exactly the set flow
    assert solver.patch_reports()["rack"].flow == 0.7


def test_heat_is_conserved_to_round_off(numba):
    """The room's heat content changes by exactly the heat the patches report."""
    solver = closed_room(numba)
    before = solver.heat_content()
    solver.advance_to(20.0)
    reports = solver.patch_reports()
    added = sum(r.energy for r in reports.values())
    assert solver.heat_content() - before == pytest.approx(added, rel=1e-10, abs=1e-6)
    assert reports["rack"].source_temperature > reports["rack"].sink_temperature


def test_setpoint_is_limited_by_capacity(numba):
    """An air unit that cannot reach its setpoint removes exactly its capacity."""
    solver = closed_room(numba)
    solver.set_patch("unit", 1.0, setpoint=10.0, capacity=5e3)
    solver.advance_to(5.0)
    unit = solver.patch_reports()["unit"]
    assert unit.heat == pytest.approx(-5e3, rel=1e-9)
    assert unit.source_temperature > 10.0


def test_reports_follow_each_step_and_setting(numba):
    """Reports are kept between steps (one read-back), and a step or a setting renews them."""
    solver = closed_room(numba)
    solver.step()
    first = solver.patch_reports()
    assert solver.patch_reports() == first
    solver.set_patch("rack", 0.35, heat=10e3)
    assert solver.patch_reports()["rack"].flow == 0.35
    solver.step()
    again = solver.patch_reports()
    assert again["rack"].energy > first["rack"].energy
    assert again["unit"].sink_temperature != first["unit"].sink_temperature


def test_heat_flux_wall_adds_exactly_its_heat(numba):
    """A heat-flux wall with every other wall adiabatic heats the still air at q A."""
    q, L = 50.0, 1.0
    grid = Grid((8, 8, 8), (L / 8,) * 3, {"x-": Wall(heat_flux=q)})
    props = AirProperties(nu=1e-3, kappa=1e-3, **STILL)
    solver = AirSolver(grid, props, numba)
    solver.set_temperature(20.0)
    before = solver.heat_content()
    solver.advance_to(10.0)
    assert solver.heat_content() - before == pytest.approx(q * L * L * 10.0, rel=1e-10)


def test_walls_can_change_between_steps(numba):
    """The engine can turn a wall into a heat-flux wall mid-run; periodic faces refuse."""
    grid = Grid((8, 8, 8), (0.125,) * 3, {"y-": "periodic", "y+": "periodic"})
    solver = AirSolver(grid, AirProperties(nu=1e-3, kappa=1e-3, **STILL), numba)
    solver.set_temperature(20.0)
    solver.advance_to(1.0)
    before = solver.heat_content()
    solver.set_wall("z-", Wall(heat_flux=-30.0))
    solver.advance_to(3.0)
    assert solver.heat_content() - before == pytest.approx(-30.0 * 2.0, rel=1e-10)
    with pytest.raises(ValueError, match="periodic"):
        solver.set_wall("y-", Wall())


def test_fixed_temperature_walls_give_linear_conduction(numba):
    """Still air between walls at 30 °C and 10 °C reaches the exact linear profile."""
    walls = {"x-": Wall(temperature=30.0), "x+": Wall(temperature=10.0)}
    grid = Grid((16, 4, 1), (1 / 16, 0.25, 0.25), walls)
    solver = AirSolver(grid, AirProperties(nu=1.0, kappa=1.0, **STILL), numba)
    solver.set_temperature(20.0)
    solver.advance_to(2.0)
    x = grid.centres(0)
    np.testing.assert_allclose(solver.temperature()[0, 0], 30.0 - 20.0 * x, atol=1e-6)


def test_two_d_equals_three_d_with_free_slip_ends(numba):
    """A z-invariant 3-D cavity between free-slip adiabatic z-walls matches the 2-D one."""
    lid = Wall("noslip", (1.0, 0.0))
    props = AirProperties(nu=0.01, kappa=0.01, **STILL)
    flat = AirSolver(Grid((16, 16, 1), (1 / 16,) * 3, {"y+": lid}), props, numba)
    deep = AirSolver(
        Grid(
            (16, 16, 4), (1 / 16,) * 3, {"y+": lid, "z-": Wall("freeslip"), "z+": Wall("freeslip")}
        ),
        props,
        numba,
    )
    for solver in (flat, deep):
        solver.pressure_rtol = 1e-12
        for _ in range(100):  # a step below both stability limits, so both take the same steps
            assert solver.step(max_dt=0.008) == 0.008
    u2, u3 = flat.velocity_faces()[0], deep.velocity_faces()[0]
    for k in range(4):
        np.testing.assert_allclose(u3[k], u2[0], atol=1e-9)
    assert np.abs(deep.velocity_faces()[2]).max() < 1e-9


def test_warm_air_rises(numba):
    """Boussinesq: a warm blob in still air starts to rise."""
    grid = Grid((8, 8, 16), (0.1,) * 3)
    solver = AirSolver(grid, AirProperties(t_ref=20.0), numba)
    T = np.full((16, 8, 8), 20.0)
    T[4:7, 3:5, 3:5] = 30.0
    solver.set_temperature(T)
    solver.advance_to(0.5)
    w = solver.velocity_faces()[2]
    assert w[6, 3:5, 3:5].min() > 0.01


def test_nan_stops_with_a_clear_status(numba):
    solver = closed_room(numba)
    T = np.full((5, 6, 8), 24.0)
    T[2, 3, 3] = np.nan
    solver.set_temperature(T)
    status = solver.advance_to(10.0)
    assert status == "nan" and solver.status == "nan"
    assert "NaN" in solver.message and "stopped at t =" in solver.message
    assert solver.step() == 0.0


def test_runaway_speed_stops_as_diverged(numba):
    solver = closed_room(numba)
    solver.max_speed = 0.1
    assert solver.advance_to(1.0) == "diverged"
    assert "exceeds the limit" in solver.message


def test_patch_errors_are_clear(numba):
    solver = closed_room(numba)
    with pytest.raises(KeyError, match="no patch named"):
        solver.set_patch("nope", 1.0, heat=1.0)
    with pytest.raises(ValueError, match="flow must be finite"):
        solver.set_patch("rack", -1.0, heat=1.0)
    with pytest.raises(ValueError, match="either heat or setpoint"):
        solver.set_patch("rack", 1.0, heat=1.0, setpoint=20.0)
    with pytest.raises(ValueError, match="not an obstacle"):
        solver.add_patch(
            "air",
            Opening((3, 2, 1), (3.5, 2.5, 1.5), "x-"),
            Opening((3, 2, 1), (3.5, 2.5, 1.5), "x+"),
        )
    with pytest.raises(ValueError, match="exists already"):
        solver.add_patch(
            "rack",
            Opening((1.9, 1.0, 0.0), (2.6, 2.0, 2.0), "y-"),
            Opening((1.9, 1.0, 0.0), (2.6, 2.0, 2.0), "y+"),
        )


def test_advance_lands_exactly_on_target(numba):
    solver = closed_room(numba)
    assert solver.advance_to(1.2345) == "ok"
    assert solver.time == pytest.approx(1.2345, abs=1e-12)
    speed, T = solver.speed(), solver.temperature()
    assert speed.shape == T.shape == (5, 6, 8)
    assert np.isnan(T[solver.grid.solid]).all() and np.isfinite(T[~solver.grid.solid]).all()


def test_advance_evens_out_its_steps_to_land(numba):
    """advance_to covers the time with even steps, none above the stable one, instead
    of full steps and a short last one (which would spoil the pressure's warm start)."""
    solver = closed_room(numba, dtype="float32")
    solver.advance_to(2.0)
    stable = solver.stable_dt()
    target = solver.time + 4.3 * stable  # 4.3 stable steps: 5 even ones, not 4 and a short one
    taken, step = [], solver.step

    def recording(max_dt=np.inf, land=False):
        limit = solver.stable_dt()
        dt = step(max_dt, land)
        taken.append((dt, limit))
        return dt

    solver.step = recording
    assert solver.advance_to(target) == "ok"
    assert solver.time == pytest.approx(target, rel=1e-12)
    dts, limits = np.array(taken).T
    assert len(dts) == 5
    assert np.all(dts <= limits * (1 + 1e-9))
    # each step is the time left over the stable steps that cover it; the flow
    # barely changes over 5 steps, so they come out within 5 % of each other
    assert dts.max() < 1.05 * dts.min()
    assert dts[-1] > 0.5 * dts.max()


@pytest.mark.parametrize("advection", ["flux", "semi-lagrangian"])
def test_the_pressure_solve_starts_from_the_last_two_pressures_extrapolated(numba, advection):
    """Along a run the extrapolated pressure is a closer start than the last one:
    a smaller first residual against the step's right-hand side."""
    solver = closed_room(numba, dtype="float32", advection=advection)
    solver.advance_to(3.0)
    fine, kernels = solver.poisson.levels[0], solver.kernels
    solve, ratios = solver.poisson.solve, []

    def residual(x, b):
        r = np.zeros_like(b)
        kernels.mg_residual_of(fine, x.copy(), b, r)
        return np.sqrt(kernels.mg_dot(fine, r, r))

    def checking(p, b, rtol, **kwargs):
        if solver.pressure_iterations > 0:  # extrapolated (see the next test)
            ratios.append(residual(p, b) / residual(solver._p_last, b))
        return solve(p, b, rtol, **kwargs)

    solver.poisson.solve = checking
    solver.advance_to(4.0)
    # seen: 0.04-0.13 with the flux scheme, 0.14-0.17 semi-Lagrangian after the
    # first two steps of the new stretch (their steps differ from the last one's)
    assert len(ratios) >= 5 and np.median(ratios) < 0.5


def test_a_pressure_that_took_no_iteration_is_not_extrapolated_on(numba):
    """A solve that stops at its extrapolated guess keeps the guess; the next one starts
    from it as it is, not extrapolated again (a chain of such steps would drift)."""
    solver = closed_room(numba, dtype="float32", advection="semi-lagrangian")
    solver.pressure_rtol = 0.3  # loose: many solves stop at their first guess
    solver.advance_to(1.0)
    solve, seen = solver.poisson.solve, []

    def recording(p, b, rtol, **kwargs):
        start = p.copy()
        result = solve(p, b, rtol, **kwargs)
        seen.append((start, p.copy(), solver.poisson.iterations))
        return result

    solver.poisson.solve = recording
    solver.advance_to(4.0)
    after_none = [(cur[0], prev[1]) for prev, cur in pairwise(seen) if prev[2] == 0]
    assert len(after_none) >= 3
    for start, last in after_none:
        np.testing.assert_array_equal(start, last)
    assert any(s[2] > 0 for s in seen)


def test_landing_step_covers_the_time_left_in_even_steps():
    from solvers.air.solver import _landing_step

    assert _landing_step(0.1, 0.05) == 0.05
    assert _landing_step(0.1, 0.1) == 0.1
    assert _landing_step(0.1, 0.25) == pytest.approx(0.25 / 3)
    # a time left that rounding put a hair above two steps is still two steps
    assert _landing_step(0.1, 0.2 * (1 + 1e-13)) == pytest.approx(0.1)
    assert _landing_step(0.1, np.inf) == 0.1


def test_a_small_grids_step_runs_its_kernels_on_one_thread(monkeypatch):
    """With sleeping (passive) OpenMP threads, the closed room (240 cells) steps
    with numba on one thread, and the caller's thread count is back afterwards
    (``solvers.backend.serial_cells``)."""
    import numba

    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")
    solver = closed_room(select_backend("numba"))
    seen = []
    divergence = solver.kernels.divergence

    def recording(*args):
        seen.append(numba.get_num_threads())
        return divergence(*args)

    solver.kernels.divergence = recording
    threads = numba.get_num_threads()
    solver.step()
    assert seen == [1] and numba.get_num_threads() == threads
