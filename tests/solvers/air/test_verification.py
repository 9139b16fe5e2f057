"""The air solver against published benchmarks and exact solutions (issue 4, "Done when").

CI-sized grids; the full sizes of the issue (129-line cavities, 64² Taylor–Green
and so on) run in ``bench/verify_all.py``.  Bounds per test are those of the
issue unless the docstring states a coarser grid and its bound.
"""

import numpy as np
import pytest

from solvers.air import run_case
from solvers.air.cases import heated_cavity
from solvers.air.cases_more import rack_box
from solvers.backend import select_backend


@pytest.fixture(scope="module")
def numba():
    return select_backend("numba")


def test_cavity_re100_against_ghia(numba):
    """Re 100 on 32² cells (Ghia: 129 lines): RMS error of both profiles ≤ 2 % of the lid speed."""
    result = run_case("cavity", numba, n=32, re=100)
    err = result["reference_error"]
    assert err["u_rms"] <= 0.02 and err["v_rms"] <= 0.02, err
    assert result["samples"]["u"][-1] == 1.0 and result["samples"]["u"][0] == 0.0
    assert result["samples"]["y"] == sorted(result["samples"]["y"])


def test_cavity_re1000_against_ghia(numba):
    """Re 1000 on 64² cells: RMS error of both profiles ≤ 2 % of the lid speed."""
    err = run_case("cavity", numba, n=64, re=1000)["reference_error"]
    assert err["u_rms"] <= 0.02 and err["v_rms"] <= 0.02, err


def test_cavity_without_table_is_sane(numba):
    """Re 400 (no table): bounded by the lid speed, one primary clockwise vortex."""
    result = run_case("cavity", numba, n=16, re=400)
    assert result["reference_error"] is None
    u = np.array(result["samples"]["u"])
    v = np.array(result["samples"]["v"])
    assert np.all(np.abs(u) <= 1.0) and np.all(np.abs(v) <= 1.0)
    assert u[5] < 0 < u[-3]  # backflow low down, lid-driven flow near the top
    assert v[3] > 0 > v[-3]  # up along the left wall, down along the right one


def test_stokes_cavity_is_symmetric_and_independent_of_re(numba):
    """Re 0.01 and 0.001 on 16²: creeping flow, whose steady state does not depend on Re
    (to O(Re)) and is symmetric about x = 0.5 (Stokes flow is reversible), so v(0.5) = 0.

    The run's time unit below Re 1 is the viscous time, so it takes a few
    thousand steps (a run checked once per lid-crossing time took 228 000 at
    Re 0.01)."""
    runs = [run_case("cavity", numba, n=16, re=re) for re in (0.01, 0.001)]
    for result in runs:
        assert result["metrics"]["steady"]
        assert result["metrics"]["steps"] < 20_000
        samples = result["samples"]
        assert abs(samples["v"][samples["x"].index(0.5)]) < 1e-3
    u_a, u_b = (np.array(r["samples"]["u"]) for r in runs)
    assert np.abs(u_a - u_b).max() < 1e-3
    assert u_a.min() < -0.1  # the return flow under the lid's vortex


def test_cavity_refuses_a_re_it_could_not_tell_steady(numba):
    """Re 1e9 on 8 cells: the lid's first shear (2 n² / Re per unit time) is under the
    steady tolerance, so the run used to stop after one step as 'steady' with a still flow."""
    with pytest.raises(ValueError, match=r"Re can be at most 6.4e\+06"):
        run_case("cavity", numba, n=8, re=1e9)


def test_heated_cavity_ra1e4_against_de_vahl_davis(numba):
    """Ra 1e4 on 32²: Nu_avg within 2 %, u_max and v_max within 3 %."""
    result = run_case("heated-cavity", numba, n=32, ra=1e4)
    err = result["reference_error"]
    assert abs(err["Nu_avg"]) <= 0.02 and abs(err["u_max"]) <= 0.03 and abs(err["v_max"]) <= 0.03
    assert set(result["metrics"]) >= {"Nu_avg", "Nu_0", "u_max", "y_umax", "v_max", "x_vmax"}


def test_heated_cavity_ra1e5_against_de_vahl_davis(numba):
    """Ra 1e5 on 64²: Nu_avg within 2 %, u_max and v_max within 3 %."""
    err = run_case("heated-cavity", numba, n=64, ra=1e5)["reference_error"]
    assert abs(err["Nu_avg"]) <= 0.02 and abs(err["u_max"]) <= 0.03 and abs(err["v_max"]) <= 0.03


def test_heated_cavity_without_table_is_sane(numba):
    """Ra 1e3 (no table): 1 < Nu < Nu(1e4), and Nu_avg = Nu_0 at steady state."""
    result = run_case("heated-cavity", numba, n=16, ra=1e3)
    m = result["metrics"]
    assert result["reference_error"] is None
    assert 1.0 < m["Nu_avg"] < 2.243
    assert m["Nu_avg"] == pytest.approx(m["Nu_0"], rel=0.02)


def test_heated_cavity_compares_with_the_table_only_for_air(numba):
    """de Vahl Davis's table is for Pr 0.71: at Pr 7 (water) there is nothing to compare.

    Nu then comes out a little higher than air's on the same grid: the
    Berkovsky–Polevikov correlation, Nu ∝ (Pr / (0.2 + Pr) Ra)^0.29, gives 7 %
    more (16² gives 1.7 %)."""
    water = run_case("heated-cavity", numba, n=16, ra=1e4, pr=7.0)
    air = run_case("heated-cavity", numba, n=16, ra=1e4)
    assert water["reference_error"] is None and air["reference_error"] is not None
    assert water["metrics"]["steady"]
    assert 1.0 < water["metrics"]["Nu_avg"] / air["metrics"]["Nu_avg"] < 1.1


def test_heated_cavity_says_when_it_is_not_steady(numba):
    """Pr 0.001, Ra 1e4 on 8²: the flow still changes at the run's time limit, and says so."""
    metrics = run_case("heated-cavity", numba, n=8, ra=1e4, pr=1e-3)["metrics"]
    assert not metrics["steady"]
    assert metrics["time"] == pytest.approx(1.5)


def test_heated_cavity_speed_limit_scales_with_the_free_fall_speed(numba):
    """Ra 1e8 on 50²: the first plumes pass 1 000 (kappa / L), the room's limit in m/s, which
    used to stop such a run as diverged; the first 0.003 diffusion times here."""
    metrics = heated_cavity(1e8, 50, numba, t_max=0.003)["metrics"]
    assert metrics["v_max"] > 1000.0 and np.isfinite(metrics["Nu_avg"])


@pytest.mark.parametrize(
    "ra, n, pr, message",
    [(1e12, 8, 0.71, "needs at least 500 cells"), (1e4, 16, 1e4, "outside the 0.001 to 1000")],
)
def test_heated_cavity_refuses_what_it_cannot_run(numba, ra, n, pr, message):
    with pytest.raises(ValueError, match=message):
        run_case("heated-cavity", numba, n=n, ra=ra, pr=pr)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_heat_equation_is_second_order(backend):
    """Sine mode on 8³, 16³, 32³: observed order between 1.9 and 2.1."""
    result = run_case("heat", select_backend(backend), n=32)
    assert 1.9 <= result["metrics"]["observed_order"] <= 2.1


def test_gaussian_has_no_undershoot_and_converges(numba):
    """Advected, diffusing Gaussian: never below its initial minimum; error falls with the grid."""
    coarse = run_case("gaussian", numba, n=32)["metrics"]
    fine = run_case("gaussian", numba, n=64)["metrics"]
    for m in (coarse, fine):
        assert m["min"] >= m["initial_min"] - 1e-15
        assert m["peak"] <= 1.0
    assert fine["rms_error"] < 0.5 * coarse["rms_error"]


def test_taylor_green_energy_decay(numba):
    """64² periodic Taylor–Green vortex: kinetic energy within 1 % of the exact decay."""
    m = run_case("taylor-green", numba, n=64)["metrics"]
    assert abs(m["energy_error"]) <= 0.01, m
    assert m["max_divergence"] < 1e-6


def test_rack_box_heat_balance(numba):
    """Rack and air unit in a closed room at 0.5 m spacing: steady balance within 1 %.

    Run for 300 s (about ten times the room's air-change time; the full case
    runs 600 s at 0.25 m).  The room's heat content changes by exactly the
    net heat of the patches (conservation to round-off), and the air unit
    supplies at its setpoint.
    """
    m = rack_box(numba, spacing=0.5, t_end=300.0)["metrics"]
    assert abs(m["heat_balance_error"]) <= 0.01, m
    assert abs(m["conservation_error"]) <= 1e-9, m
    assert m["unit_supply_temperature_c"] == pytest.approx(20.0)
    assert m["rack_outlet_temperature_c"] > m["rack_inlet_temperature_c"] > 20.0
