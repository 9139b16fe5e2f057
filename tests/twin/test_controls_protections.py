"""Rack throttle and shutdown, standby pumps, leak protection and air units: exact sequences."""

from __future__ import annotations

import math

from twin.controls import (
    AirUnitControl,
    LeakDetector,
    PumpGroup,
    RackProtection,
    RackState,
    TankLevel,
)
from twin.events import Event, EventLog
from twin.model.equipment import AIR_CP, AIR_DENSITY, AirUnit, Cdu, ExpansionTank, Rack

RACK = Rack.model_validate({"id": "R-01", "x_m": 0, "y_m": 0, "power_kw": 132, "supply": "S",
                            "return": "R", "throttle_temp_c": 85, "shutdown_temp_c": 92,
                            "hysteresis_k": 5, "throttle_power_fraction": 0.6})


def run_rack(temperatures, cause=-1):
    protection = RackProtection(RACK)
    log = EventLog()
    root = log.append(Event(0.0, "CDU-1-PA", "scenario", "failed", message="fail CDU-1-PA"))
    trace = []
    for k, temp in enumerate(temperatures):
        out = protection.step(float(k), temp, root if cause == "root" else cause)
        log.extend(out.events)
        trace.append((protection.state, out.value))
    return trace, log


def test_rack_throttles_trips_and_recovers_with_hysteresis():
    temps = [80, 85, 85.01, 88, 81, 80, 79.99, 86, 92, 92.01, 95, 88, 87, 86.99, 80, 79.9]
    trace, log = run_rack(temps, cause="root")
    states = [s for s, _ in trace]
    assert states == [RackState.OK, RackState.OK, RackState.THROTTLED, RackState.THROTTLED,
                      RackState.THROTTLED, RackState.THROTTLED, RackState.OK,
                      RackState.THROTTLED, RackState.THROTTLED, RackState.TRIPPED,
                      RackState.TRIPPED, RackState.TRIPPED, RackState.TRIPPED,
                      RackState.THROTTLED, RackState.THROTTLED, RackState.OK]
    assert [cap for _, cap in trace] == [1, 1, 0.6, 0.6, 0.6, 0.6, 1, 0.6, 0.6, 0, 0, 0, 0,
                                         0.6, 0.6, 1]
    rack_events = [(e.time, e.state, e.value, e.limit, e.cause) for e in log][1:]
    assert rack_events == [
        (2.0, "throttled", 85.01, 85.0, 0),
        (6.0, "recovered", 79.99, 80.0, 0),
        (7.0, "throttled", 86.0, 85.0, 0),
        (9.0, "tripped", 92.01, 92.0, 3),  # caused by the throttle before it
        (13.0, "restarted", 86.99, 87.0, 0),  # restarts capped: still above 80 degC
        (15.0, "recovered", 79.9, 80.0, 0),
    ]
    assert log.chain(4) == [0, 3, 4]


def test_rack_jumping_past_both_limits_trips_at_once_and_restarts_at_full_power():
    trace, log = run_rack([60, 100, 90, 70])
    assert [s for s, _ in trace] == [RackState.OK, RackState.TRIPPED, RackState.TRIPPED,
                                     RackState.OK]
    events = list(log)[1:]
    assert [(e.state, e.cause) for e in events] == [("tripped", -1), ("restarted", 1)]
    assert "full power" in events[1].message
    assert RackProtection(RACK).power_fraction(0.3) == 0.3


def cdu(tank=True) -> Cdu:
    pump = {"curve": {"flow_lpm": [1000], "head_kpa": [200]}}
    document = {
        "id": "CDU-1", "x_m": 0, "y_m": 0, "capacity_kw": 1500, "supply": "S", "return": "R",
        "facility_flow_lpm": 2000,
        "pumps": [pump | {"id": "PA"}, pump | {"id": "PB", "standby": True, "start_delay_s": 5},
                  pump | {"id": "PC", "standby": True, "start_delay_s": 7.5}],
    }
    if tank:
        document["expansion_tank"] = {"volume_l": 200, "initial_level_fraction": 0.6,
                                      "low_level_fraction": 0.15}
    return Cdu.model_validate(document)


def test_standby_starts_after_its_delay_exactly():
    group, log = PumpGroup(cdu()), EventLog()
    fail = log.append(Event(60.0, "PA", "scenario", "failed"))
    log.extend(group.fail(60.0, "PA", cause=fail))
    assert group.speeds(0.8) == {"PA": 0.0, "PB": 0.0, "PC": 0.0}
    assert group.next_due() == 65.0
    t, dt = 60.0, 0.7
    while t < 70.0:  # the engine shortens its step to land on next_due()
        t = min(t + dt, group.next_due())
        log.extend(group.advance(t))
        if t == 65.0:
            assert group.speeds(0.8) == {"PA": 0.0, "PB": 0.8, "PC": 0.0}
    states = [(e.time, e.component, e.state, e.cause) for e in log]
    assert states == [(60.0, "PA", "failed", -1), (60.0, "PB", "starting", 0),
                      (65.0, "PB", "running", 1)]
    assert group.next_due() == math.inf


def test_overshooting_step_still_stamps_the_exact_start_time():
    group = PumpGroup(cdu())
    group.fail(10.0, "PA")
    events = group.advance(16.3)
    assert [(e.time, e.state) for e in events] == [(15.0, "running")]


def test_no_standby_left_raises_the_no_pump_alarm_until_a_pump_runs():
    group, log = PumpGroup(cdu()), EventLog()
    log.extend(group.fail(0.0, "PB"))
    log.extend(group.fail(0.0, "PC"))
    assert len(log) == 0  # a standby failing changes nothing running
    root = log.append(Event(60.0, "PA", "scenario", "failed"))
    log.extend(group.fail(60.0, "PA", cause=root))
    assert [(e.component, e.kind, e.state, e.cause) for e in log][1:] == [
        ("CDU-1", "pumps", "alarm", 0)]
    restore = log.append(Event(100.0, "PB", "scenario", "restored"))
    log.extend(group.restore(100.0, "PB", cause=restore))
    log.extend(group.advance(group.next_due()))
    assert [(e.time, e.component, e.state, e.cause) for e in log][3:] == [
        (100.0, "PB", "starting", 2), (105.0, "PB", "running", 3), (105.0, "CDU-1", "ok", 4)]
    assert log.chain(5) == [2, 3, 4, 5]


def test_partial_failure_degrades_and_restored_pump_waits_as_standby():
    group = PumpGroup(cdu())
    assert group.fail(5.0, "PA", fraction=0.25) == []
    assert group.health()["PA"] == 0.75
    group.fail(10.0, "PA")
    group.advance(15.0)
    events = group.restore(20.0, "PA")
    assert [(e.component, e.state) for e in events] == [("PA", "standby")]
    assert group.pumps["PA"].state == "standby" and group.health()["PA"] == 1.0


def test_unit_failure_stops_pumps_and_restore_restarts_them_after_delay():
    group = PumpGroup(cdu())
    events = group.fail_unit(30.0)
    assert [(e.component, e.state) for e in events] == [("CDU-1", "alarm")]
    assert group.speeds(1.0)["PA"] == 0.0
    events = group.restore_unit(90.0)
    assert [(e.component, e.state, e.time) for e in events] == [("PA", "starting", 90.0)]
    assert group.next_due() == 90.0 + 5.0  # PA's default start delay
    events = group.advance(95.0)
    assert [(e.component, e.state) for e in events] == [("PA", "running"), ("CDU-1", "ok")]
    assert group.speeds(1.0)["PA"] == 1.0


def test_leak_alarm_isolates_wet_zone_then_low_level_trips_pumps():
    unit = cdu()
    tank = TankLevel(unit.expansion_tank)
    detector = LeakDetector("CDU-1", unit.expansion_tank, zones={"LEAK-A": ["V-1", "V-2"]})
    group, log = PumpGroup(unit), EventLog()
    leak = log.append(Event(60.0, "LEAK-A", "scenario", "leaking"))
    assert detector.alarm_level == 0.375
    outflow = 0.0014  # m^3/s: 0.7 % of the 200 L tank per second
    assert detector.time_to_low_level(0.6, outflow, tank.volume) == (0.6 - 0.15) * 0.2 / 0.0014
    closed, t = [], 60.0
    while t < 160.0:
        t += 1.0
        level = tank.drain(1.0, outflow)
        response = detector.step(t, level, wet=["LEAK-A"], cause=leak)
        log.extend(response.events)
        closed += response.close
        if response.trip is not None:
            log.extend(group.trip(t, response.trip, "expansion tank below low level"))
    # 0.6 - 0.007 k < 0.375 first at k = 33 (0.369); < 0.15 first at k = 65 (0.145).
    summary = [(e.time, e.component, e.state, e.cause) for e in log]
    assert summary == [
        (60.0, "LEAK-A", "leaking", -1),
        (93.0, "CDU-1", "alarm", 0),
        (93.0, "V-1", "closed", 1), (93.0, "V-2", "closed", 1),
        (125.0, "CDU-1", "low_level", 1),
        (125.0, "PA", "tripped", 4), (125.0, "PB", "tripped", 4), (125.0, "PC", "tripped", 4),
        (125.0, "CDU-1", "alarm", 5),
    ]
    assert closed == ["V-1", "V-2"] and abs(log[1].value - 0.369) < 1e-12
    assert group.speeds(1.0) == {"PA": 0.0, "PB": 0.0, "PC": 0.0}


def test_leak_alarm_clears_with_band_and_later_wet_zone_is_isolated():
    unit = cdu()
    detector = LeakDetector("CDU-1", unit.expansion_tank, zones={"A": ["VA"], "B": ["VB"]})
    assert detector.step(1.0, 0.37, wet=[]).close == ()
    assert detector.step(2.0, 0.37, wet=["B"]).close == ("VB",)
    assert detector.step(3.0, 0.36, wet=["B"]).close == ()
    assert detector.step(4.0, 0.394, wet=[]).events == ()  # within the 2 % band
    cleared = detector.step(5.0, 0.396, wet=[]).events
    assert [(e.state, e.limit) for e in cleared] == [("ok", 0.395)]
    assert detector.step(6.0, 0.5, wet=["A"]).close == ()  # no alarm: no isolation


def test_air_unit_holds_setpoint_until_capacity_runs_out():
    unit = AirUnit.model_validate({"id": "CRAH-1", "x_m": 0, "y_m": 0, "width_m": 2,
                                   "depth_m": 1, "height_m": 2, "air_flow_m3s": 10,
                                   "supply_temp_c": 24, "capacity_kw": 120, "fan_power_kw": 5})
    control = AirUnitControl(unit)
    rate = AIR_DENSITY * AIR_CP * 10.0
    out = control.step(1.0, 30.0)
    assert out.supply_temp == 24.0 and abs(out.heat - rate * 6.0) < 1e-9 and out.events == ()
    out = control.step(2.0, 20.0)
    assert (out.supply_temp, out.heat) == (20.0, 0.0)
    limit_intake = 24.0 + 120e3 / rate  # ~34.0 degC: beyond this the supply rises
    out = control.step(3.0, limit_intake + 2.0)
    assert abs(out.supply_temp - 26.0) < 1e-12 and out.heat == 120e3
    assert [(e.state, e.limit) for e in out.events] == [("alarm", 25.0)]
    control.fail(0.5)
    out = control.step(4.0, limit_intake)
    assert out.air_flow == 5.0 and out.heat == 60e3
    control.fail(1.0)
    out = control.step(5.0, 30.0)
    assert (out.air_flow, out.supply_temp, out.heat) == (0.0, 30.0, 0.0)
    control.restore()
    out = control.step(6.0, 30.0)
    assert out.supply_temp == 24.0 and [e.state for e in out.events] == ["ok"]
    control.setpoint = 22.0
    assert control.alarm.limit == 23.0


def test_expansion_tank_level_drains_and_stops_at_empty():
    tank = TankLevel(ExpansionTank.model_validate({"volume_l": 100}))
    assert tank.drain(10.0, 1e-3) == 0.6 - 0.1
    assert tank.drain(1e6, 1e-3) == 0.0


def test_leak_trip_rearms_and_reopened_valves_can_close_again():
    unit = cdu()
    detector = LeakDetector("CDU-1", unit.expansion_tank, zones={"A": ["VA"]})
    first = detector.step(1.0, 0.10, wet=["A"])
    assert first.close == ("VA",) and first.trip is not None
    assert detector.step(2.0, 0.05, wet=["A"]).trip is None  # latched: trips once
    detector.reset_trip()
    detector.reopened("VA")
    again = detector.step(3.0, 0.05, wet=["A"])
    assert again.close == ("VA",) and again.trip is not None
    assert again.trip.cause is detector.alarm.raised
