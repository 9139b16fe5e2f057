"""The PI controller against a first-order plant: tracking, limits, anti-windup."""

from __future__ import annotations

import math

import pytest

from twin.controls import DifferentialPressureControl, PIController, SupplyTemperatureControl
from twin.model.equipment import Cdu

TAU = 10.0  # plant time constant (s)
DT = 0.1


def run_plant(step, setpoints, y=0.0, gain=1.0):
    """Exact (zero-order-hold) first-order plant tau dy/dt = -y + gain u under ``step``."""
    a = math.exp(-DT / TAU)
    ys, us = [], []
    for sp in setpoints:
        u = step(sp, y)
        y = y * a + gain * u * (1.0 - a)
        ys.append(y)
        us.append(u)
    return ys, us


def naive_pi(kp, ti, low, high):
    """A PI with no anti-windup: the integral keeps counting while the output is clipped."""
    state = {"i": low}

    def step(sp, y):
        e = sp - y
        state["i"] += kp / ti * e * DT
        return min(max(kp * e + state["i"], low), high)
    return step


@pytest.mark.parametrize("mode", ["clamping", "back_calculation"])
def test_steady_state_error_vanishes(mode):
    pi = PIController(2.0, 10.0, 0.0, 10.0, anti_windup=mode, output=0.0)
    ys, us = run_plant(lambda sp, y: pi.step(DT, sp, y), [3.0] * 3000)
    assert abs(ys[-1] - 3.0) < 1e-12
    assert abs(us[-1] - 3.0) < 1e-12  # the plant's gain is 1


@pytest.mark.parametrize("mode", ["clamping", "back_calculation"])
def test_saturated_rise_overshoots_little(mode):
    # Aggressive gains: the output sits at its upper limit for most of the rise.
    pi = PIController(5.0, 2.0, 0.0, 1.0, anti_windup=mode, output=0.0)
    ys, us = run_plant(lambda sp, y: pi.step(DT, sp, y), [0.9] * 3000)
    naive, _ = run_plant(naive_pi(5.0, 2.0, 0.0, 1.0), [0.9] * 3000)
    assert us[0] == 1.0
    assert max(naive) - 0.9 > 0.09  # the wound-up integral overshoots by 10 %
    assert max(ys) - 0.9 < 0.02 * 0.9
    assert abs(ys[-1] - 0.9) < 1e-12


@pytest.mark.parametrize("mode", ["clamping", "back_calculation"])
def test_recovers_at_once_after_long_saturation(mode):
    # 1000 s asking for more than the plant can give, then a reachable setpoint.
    setpoints = [2.0] * 10000 + [0.5] * 3000
    pi = PIController(5.0, 2.0, 0.0, 1.0, anti_windup=mode, output=0.0)
    ys, us = run_plant(lambda sp, y: pi.step(DT, sp, y), setpoints)
    naive_ys, naive_us = run_plant(naive_pi(5.0, 2.0, 0.0, 1.0), setpoints)
    assert us[9999] == 1.0 and us[10000] < 1.0  # leaves the limit on the first step
    assert all(u == 1.0 for u in naive_us[10000:11000])  # still pinned 100 s later
    assert min(ys[10000:]) > 0.5 - 0.06
    assert abs(ys[-1] - 0.5) < 1e-12


def test_direct_action_and_limits():
    pi = PIController(0.1, 30.0, 0.05, 1.0, direct=True, output=0.5)
    assert pi.step(1.0, 30.0, 31.0) > 0.5  # too warm: a cooling valve opens
    pi.reset(0.5)
    assert pi.step(1.0, 30.0, 29.0) < 0.5
    assert pi.step(1.0, 30.0, -1000.0) == 0.05 and pi.saturated
    pi.reset(7.0)
    assert pi.output == 1.0


def test_bumpless_start_holds_output_at_zero_error():
    pi = PIController(3.0, 5.0, 0.0, 2.0, output=1.234)
    for _ in range(100):
        assert pi.step(0.5, 4.0, 4.0) == 1.234


def test_back_calculation_is_stable_for_steps_longer_than_tracking_time():
    # dt >> tracking time: the integral lands where the unclipped output just meets the
    # limit (kp * e + I = high), instead of overshooting past it and oscillating.
    pi = PIController(1.0, 1.0, 0.0, 1.0, anti_windup="back_calculation", tracking_time=0.01)
    for _ in range(50):
        assert pi.step(10.0, 5.0, 0.0) == 1.0
        assert abs(1.0 * 5.0 + pi.integral - 1.0) < 1e-12


@pytest.mark.parametrize("kwargs", [dict(ti=0.0), dict(low=1.0, high=1.0),
                                    dict(anti_windup="none")])
def test_rejects_bad_parameters(kwargs):
    args = dict(kp=1.0, ti=1.0, low=0.0, high=1.0) | kwargs
    with pytest.raises(ValueError):
        PIController(args.pop("kp"), args.pop("ti"), args.pop("low"), args.pop("high"), **args)


def cdu(**extra) -> Cdu:
    document = {
        "id": "CDU-1", "x_m": 0, "y_m": 0, "capacity_kw": 1500, "supply": "S", "return": "R",
        "facility_flow_lpm": 2000, "dp_setpoint_kpa": 120, "supply_temp_c": 32,
        "pumps": [
            {"id": "PA", "curve": {"flow_lpm": [1000], "head_kpa": [200]}, "min_speed": 0.3},
            {"id": "PB", "curve": {"flow_lpm": [1000], "head_kpa": [200]}, "standby": True,
             "start_delay_s": 5},
        ],
    }
    return Cdu.model_validate(document | extra)


def test_pump_speed_holds_dp_on_a_square_law_loop():
    # Loop: dp = 150 kPa * speed^2 (static); the controller must find speed = sqrt(120/150).
    control = DifferentialPressureControl(cdu(), speed=1.0)
    speed = 1.0
    for _ in range(600):
        speed = control.step(0.5, 150e3 * speed**2)
    assert abs(speed - math.sqrt(120.0 / 150.0)) < 1e-9
    assert control.pi.low == 0.3 and control.pi.high == 1.0


def test_supply_temperature_valve_settles_and_alarms():
    # Exchanger: supply = 40 - 12 * opening (degC), lagging with a 20 s time constant.
    control = SupplyTemperatureControl(cdu(), opening=0.2)
    supply, a = 37.6, math.exp(-1.0 / 20.0)
    events = []
    for k in range(1, 8001):
        out = control.step(float(k), 1.0, supply)
        events += out.events
        supply = supply * a + (40.0 - 12.0 * out.value) * (1.0 - a)
    assert abs(supply - 32.0) < 1e-6 and abs(out.value - 8.0 / 12.0) < 1e-6
    assert [e.state for e in events] == ["alarm", "ok"]
    assert events[0].value > 35.0 and events[0].limit == 35.0 and events[0].time == 1.0
    assert events[1].value < 34.0 and events[1].cause is events[0]
