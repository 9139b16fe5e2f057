"""The scenario timeline: event times, load profiles, ambient, actions due — exact values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.errors import ValidationError
from twin.model.scenario import Scenario
from twin.scenario_timeline import Timeline

RACKS = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"]


def scenario(events, duration=600.0, weather=None) -> Scenario:
    return Scenario.model_validate({"format": "halltwin-scenario", "version": 1, "name": "t",
                                    "duration_s": duration, "events": events,
                                    "weather": weather})


def test_swing_edges_are_event_times_and_the_wave_is_exact(pod):
    timeline = Timeline(pod, scenario([{"action": "load_swing", "time_s": 30, "targets": ["all"],
                                        "low_fraction": 0.3, "high_fraction": 1.0,
                                        "period_s": 20, "duration_s": 100}]))
    edges = [30.0 + 10.0 * k for k in range(10)] + [130.0]
    assert timeline.times.tolist() == edges
    assert timeline.load_fraction(29.999).tolist() == [1.0] * 8
    for t, expected in [(30.0, 1.0), (39.99, 1.0), (40.0, 0.3), (49.9, 0.3), (50.0, 1.0),
                        (120.0, 0.3), (129.99, 0.3), (130.0, 1.0), (599.0, 1.0)]:
        assert timeline.load_fraction(t).tolist() == [expected] * 8, t
    assert timeline.next_time(40.0) == 50.0 and timeline.next_time(39.5) == 40.0
    assert timeline.next_time(130.0) == math.inf


def test_swing_without_duration_runs_to_the_end(pod):
    timeline = Timeline(pod, scenario([{"action": "load_swing", "time_s": 30, "period_s": 20}]))
    assert timeline.times[0] == 30.0 and timeline.times[-1] == 600.0
    assert len(timeline.times) == 57 + 1  # 57 half-period edges from 30 s, then the end
    assert timeline.load_fraction(585.0).tolist() == [0.3] * 8  # (585 - 30) // 10 is odd
    assert timeline.load_fraction(595.0).tolist() == [1.0] * 8  # (595 - 30) // 10 is even


def test_steps_and_ramps_per_rack(pod):
    timeline = Timeline(pod, scenario([
        {"action": "load_step", "time_s": 10, "targets": ["A1", "A2"], "fraction": 0.5},
        {"action": "load_ramp", "time_s": 20, "targets": ["A1"], "to_fraction": 0.9,
         "duration_s": 40},
        {"action": "load_step", "time_s": 100, "targets": ["all"], "fraction": 0.7},
    ]))
    assert timeline.times.tolist() == [10.0, 20.0, 60.0, 100.0]
    np.testing.assert_array_equal(timeline.load_fraction(0.0), np.ones(8))
    assert timeline.load_fraction(10.0).tolist() == [0.5, 0.5] + [1.0] * 6
    assert timeline.load_fraction(20.0)[0] == 0.5
    assert timeline.load_fraction(30.0)[0] == 0.5 + 0.4 * 10 / 40  # from where it was
    assert timeline.load_fraction(60.0)[0] == 0.9
    assert timeline.load_fraction(80.0).tolist() == [0.9, 0.5] + [1.0] * 6
    assert timeline.load_fraction(100.0).tolist() == [0.7] * 8


def test_ramp_interrupting_a_swing_starts_from_the_swing_value(pod):
    timeline = Timeline(pod, scenario([
        {"action": "load_swing", "time_s": 0, "targets": ["B1"], "period_s": 20,
         "low_fraction": 0.2, "high_fraction": 0.8},
        {"action": "load_ramp", "time_s": 15, "targets": ["B1"], "to_fraction": 1.0,
         "duration_s": 10},
    ]))
    b1 = RACKS.index("B1")
    assert timeline.load_fraction(14.0)[b1] == 0.2
    assert timeline.load_fraction(20.0)[b1] == 0.2 + 0.8 * 5 / 10
    assert timeline.load_fraction(30.0)[b1] == 1.0
    assert 10.0 in timeline.times and 20.0 not in timeline.times[timeline.times > 25]


def test_ambient_interpolates_clamps_and_set_overrides(pod):
    timeline = Timeline(pod, scenario(
        [{"action": "set", "time_s": 500, "target": "ambient", "property": "dry_bulb_c",
          "value": 20}],
        weather={"time_s": [100, 300], "dry_bulb_c": [25, 35], "wet_bulb_c": [18, 22]}))
    assert timeline.ambient(0.0) == (25.0, 18.0)
    assert timeline.ambient(200.0) == (30.0, 20.0)
    assert timeline.ambient(250.0) == (32.5, 21.0)
    assert timeline.ambient(400.0) == (35.0, 22.0)
    assert timeline.ambient(500.0) == (20.0, 22.0)
    no_weather = Timeline(pod, scenario([]))
    assert no_weather.ambient(123.0) == (25.0, 18.0)
    assert no_weather.times.tolist() == []


def test_actions_due_in_half_open_steps_and_set_values_in_si(pod):
    timeline = Timeline(pod, scenario([
        {"action": "fail", "time_s": 60, "target": "CDU-1-PA"},
        {"action": "fail", "time_s": 0, "target": "CDU-1-PB"},
        {"action": "set", "time_s": 60, "target": "CDU-1", "property": "dp_setpoint_kpa",
         "value": 110},
        {"action": "set", "time_s": 90, "target": "A1", "property": "power_kw", "value": 100},
        {"action": "leak_start", "time_s": 120, "target": "LEAK-A"},
        {"action": "fail", "time_s": 130, "target": "DC-1", "fraction": 0.25},
    ]))
    assert [a.target for a in timeline.due(-math.inf, 0.0)] == ["CDU-1-PB"]
    assert timeline.due(0.0, 59.999) == []
    at_60 = timeline.due(59.999, 60.0)
    assert [(a.action, a.target, a.index) for a in at_60] == [("fail", "CDU-1-PA", 0),
                                                              ("set", "CDU-1", 2)]
    assert (at_60[1].field, at_60[1].key, at_60[1].value) == ("dp_setpoint", "dp_setpoint_kpa",
                                                              110e3)
    assert timeline.parameter("CDU-1", "dp_setpoint", 59.0) == 90e3
    assert timeline.parameter("CDU-1", "dp_setpoint", 60.0) == 110e3
    assert timeline.parameter("A1", "power", 90.0) == 100e3
    assert timeline.times.tolist() == [0.0, 60.0, 90.0, 120.0, 130.0]
    events = [a.event() for a in timeline.due(60.0, 600.0)]
    assert [(e.component, e.kind, e.state, e.cause) for e in events] == [
        ("A1", "scenario", "set", -1), ("LEAK-A", "scenario", "leaking", -1),
        ("DC-1", "scenario", "degraded", -1)]
    assert events[0].value == 100e3 and events[2].message == "scenario: fail DC-1 (25% lost)"


def test_layout_is_never_changed(pod):
    before = pod.model_dump(mode="json", by_alias=True)
    timeline = Timeline(pod, scenario([{"action": "set", "time_s": 1, "target": "CDU-1",
                                        "property": "supply_temp_c", "value": 30}]))
    assert timeline.parameter("CDU-1", "supply_temp", 2.0) == 30.0
    assert pod.model_dump(mode="json", by_alias=True) == before
    assert pod.cdus[0].supply_temp == 35.0


def test_targets_are_checked_against_the_layout(pod):
    with pytest.raises(ValidationError, match="no component 'CDU-9'"):
        Timeline(pod, scenario([{"action": "fail", "time_s": 1, "target": "CDU-9"}]))
