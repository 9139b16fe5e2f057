"""Events with causes: numbering, resolving Event causes, chains and the cascade tree."""

from __future__ import annotations

import pytest

from twin.events import CauseTracker, Event, EventLog, format_event


def pump_trip_log() -> EventLog:
    log = EventLog()
    fail = Event(60.0, "CDU-1-PA", "scenario", "failed", message="fail CDU-1-PA")
    alarm = Event(60.0, "CDU-1", "pumps", "alarm", 0.0, 1.0, fail, "no pump running")
    throttle = Event(78.25, "R-01", "chip_temperature", "throttled", 85.3, 85.0, alarm,
                     "chip 85.3 degC above throttle limit 85 degC")
    log.extend([fail, alarm, throttle])
    log.append(Event(80.0, "R-02", "chip_temperature", "throttled", 85.1, 85.0, 1, "chip 85.1"))
    log.append(Event(95.5, "R-01", "chip_temperature", "tripped", 92.2, 92.0, throttle,
                     "chip 92.2 degC above shutdown limit 92 degC"))
    log.append(Event(30.0, "ambient", "scenario", "set", message="set ambient"))  # no effect
    log.append(Event(200.0, "CDU-1-PA", "scenario", "restored"))
    log.append(Event(230.0, "R-02", "chip_temperature", "recovered", 79.0, 80.0, 6))
    return log


def test_causes_resolve_to_indices_and_chains_lead_to_the_root():
    log = pump_trip_log()
    assert [e.cause for e in log] == [-1, 0, 1, 1, 2, -1, -1, 6]
    assert all(isinstance(e.cause, int) for e in log)
    assert log.chain(4) == [0, 1, 2, 4]
    assert log.root(3) == 0 and log.root(7) == 6
    assert log.children() == {0: [1], 1: [2, 3], 2: [4], 6: [7]}


def test_cascade_tree_from_root_causes_with_times():
    lines = pump_trip_log().cascade()
    assert lines == [
        "60.00 s  CDU-1-PA  failed: fail CDU-1-PA",
        "-> 60.00 s  CDU-1  alarm: no pump running",
        "   -> 78.25 s  R-01  throttled: chip 85.3 degC above throttle limit 85 degC",
        "      -> 95.50 s  R-01  tripped: chip 92.2 degC above shutdown limit 92 degC",
        "   -> 80.00 s  R-02  throttled: chip 85.1",
    ]
    assert pump_trip_log().cascade(roots=[6]) == ["200.00 s  CDU-1-PA  restored",
                                                   "-> 230.00 s  R-02  recovered"]


def test_first_abnormal_skips_scenario_actions():
    log = pump_trip_log()
    assert log.first_abnormal() == 1
    assert EventLog([Event(1.0, "V", "scenario", "failed")]).first_abnormal() is None
    later_first = EventLog([Event(9.0, "A", "x", "alarm"), Event(3.0, "B", "x", "tripped")])
    assert later_first.first_abnormal() == 1


def test_logged_copy_names_its_event_as_a_cause():
    log = EventLog()
    root = log[log.append(Event(1.0, "P", "scenario", "failed"))]  # the log's own copy
    assert log.append(Event(2.0, "Q", "pump", "starting", cause=root)) == 1
    assert log[1].cause == 0


def test_bad_causes_are_refused():
    log = EventLog([Event(0.0, "A", "k", "ok")])
    with pytest.raises(ValueError, match="not an event of the log"):
        log.append(Event(1.0, "B", "k", "alarm", cause=5))
    with pytest.raises(ValueError, match="is not in the log"):
        log.append(Event(1.0, "B", "k", "alarm", cause=Event(0.0, "A", "k", "ok")))
    assert len(log) == 1


def test_format_event_without_message():
    assert format_event(Event(1.5, "P", "pump", "running")) == "1.50 s  P  running"


def test_cause_tracker_names_latest_event_on_any_scope():
    tracker = CauseTracker()
    assert tracker.cause("CDU-1") == -1
    tracker.note("CDU-1", 4, 60.0)
    tracker.note("plant", 2, 30.0)
    tracker.note("room", 7, 60.0)
    assert tracker.cause("CDU-1", "plant") == 4
    assert tracker.cause("CDU-1", "room") == 7  # same time: the later note wins
    tracker.clear("CDU-1")
    assert tracker.cause("CDU-1", "plant") == 2
