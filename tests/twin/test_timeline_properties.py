"""Properties of timelines and controllers over generated inputs."""

from __future__ import annotations

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from twin.controls import PIController
from twin.examples import layouts_dir
from twin.files import load_layout
from twin.model.scenario import Scenario
from twin.scenario_timeline import Timeline

POD = load_layout(layouts_dir() / "pod-1mw.json")

RACKS = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"]
fractions = st.floats(0.0, 1.0)
times = st.integers(0, 600).map(float)
targets = st.one_of(st.just(["all"]), st.lists(st.sampled_from(RACKS), min_size=1, max_size=3,
                                               unique=True))
step = st.builds(lambda t, r, f: {"action": "load_step", "time_s": t, "targets": r,
                                  "fraction": f}, times, targets, fractions)
swing = st.builds(lambda t, r, lo, hi, p, d: {
    "action": "load_swing", "time_s": t, "targets": r, "low_fraction": min(lo, hi),
    "high_fraction": max(lo, hi), "period_s": p, "duration_s": d},
    times, targets, fractions, fractions, st.sampled_from([7.0, 20.0, 45.5]),
    st.one_of(st.none(), st.floats(1.0, 300.0)))
ramp = st.builds(lambda t, r, f, d: {"action": "load_ramp", "time_s": t, "targets": r,
                                     "to_fraction": f, "duration_s": d},
                 times, targets, fractions, st.floats(1.0, 200.0))


def timeline(events) -> Timeline:
    return Timeline(POD, Scenario.model_validate({
        "format": "halltwin-scenario", "version": 1, "name": "generated", "duration_s": 600,
        "events": events}))


@settings(max_examples=40, deadline=None)
@given(events=st.lists(st.one_of(step, swing), max_size=5),
       probes=st.lists(st.floats(0.0, 600.0), min_size=5, max_size=5))
def test_steps_and_swings_change_only_at_event_times(events, probes):
    line = timeline(events)
    edges = line.times.tolist()
    for t in probes:
        k = bisect.bisect_right(edges, t) - 1
        start = edges[k] if k >= 0 else 0.0
        # Piecewise constant: the value at t is the value at the last event time before it.
        assert line.load_fraction(t).tolist() == line.load_fraction(start).tolist()


@settings(max_examples=40, deadline=None)
@given(events=st.lists(st.one_of(step, swing, ramp), max_size=5),
       probes=st.lists(st.floats(0.0, 600.0), min_size=5, max_size=5))
def test_loads_stay_within_what_the_events_ask(events, probes):
    line = timeline(events)
    asked = [1.0] + [v for e in events for k, v in e.items() if "fraction" in k]
    for t in probes:
        values = line.load_fraction(t)
        assert min(asked) - 1e-12 <= values.min() and values.max() <= max(asked) + 1e-12


@settings(max_examples=60, deadline=None)
@given(mode=st.sampled_from(["clamping", "back_calculation"]),
       inputs=st.lists(st.tuples(st.floats(0.0, 100.0), st.floats(-1e3, 1e3),
                                 st.floats(-1e3, 1e3)), min_size=1, max_size=30))
def test_pi_output_never_leaves_its_limits(mode, inputs):
    pi = PIController(2.5, 3.0, -1.0, 4.0, anti_windup=mode)
    for dt, setpoint, measurement in inputs:
        assert -1.0 <= pi.step(dt, setpoint, measurement) <= 4.0
