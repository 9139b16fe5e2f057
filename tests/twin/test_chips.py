"""The lumped chip model against the exact solution of its ODE."""

from __future__ import annotations

import numpy as np
import pytest

from twin.liquid.chips import ChipThermal


def test_exponential_approach_matches_the_exact_solution(pod):
    rack = pod.racks[0]
    chips = ChipThermal([rack], initial_temperature=35.0)
    power = np.array([rack.capture * rack.power])
    coolant, flow = np.array([35.0]), np.array([rack.design_flow])
    r, c = rack.chip.resistance, rack.chip.heat_capacity
    steady = 35.0 + power[0] * r
    for t in (1.0, 5.0, 50.0):
        chips.temperature[:] = 35.0
        chips.step(t, power, coolant, flow)
        exact = steady + (35.0 - steady) * np.exp(-t / (r * c))
        assert chips.temperature[0] == pytest.approx(exact)
    # Many small steps land where one big step does (exact update, no drift).
    chips.temperature[:] = 35.0
    for _ in range(100):
        chips.step(0.5, power, coolant, flow)
    assert chips.temperature[0] == pytest.approx(steady + (35.0 - steady) * np.exp(-50 / (r * c)))


def test_flow_loss_heats_at_p_over_c_and_reaches_shutdown_in_under_a_minute(pod):
    rack = pod.racks[0]
    chips = ChipThermal([rack], initial_temperature=60.0)
    power = np.array([rack.capture * rack.power])
    absorbed = chips.step(10.0, power, np.array([35.0]), np.array([0.0]))
    assert chips.temperature[0] == pytest.approx(60.0 + power[0] * 10.0 / rack.chip.heat_capacity)
    assert absorbed[0] == pytest.approx(0.0, abs=1e-6)  # nothing reaches the coolant
    seconds = (rack.shutdown_temp - 60.0) * rack.chip.heat_capacity / power[0]
    assert 20.0 < seconds < 60.0


def test_resistance_rises_as_flow_falls(pod):
    rack = pod.racks[0]
    chips = ChipThermal([rack])
    at = chips.resistance_at(np.array([0.5 * rack.design_flow]))[0]
    assert at == pytest.approx(rack.chip.resistance * 0.5 ** -rack.chip.flow_exponent)
    assert np.isinf(chips.resistance_at(np.array([0.0]))[0])


def test_energy_is_conserved_over_a_step(pod):
    chips = ChipThermal(pod.racks[:3], initial_temperature=[40.0, 55.0, 70.0])
    power = np.array([96e3, 80e3, 0.0])
    before = chips.temperature.copy()
    absorbed = chips.step(7.0, power, np.full(3, 35.0), np.array([3e-3, 1e-3, 3e-3]))
    stored = chips.capacity * (chips.temperature - before)
    assert np.allclose(power * 7.0, stored + absorbed * 7.0)
