"""``halltwin check``: the liquid side at design load, as a mechanical engineer reads it.

The report has, at design load and the layout's ambient: per rack flow
against design, supply/return and chip temperatures; per pipe velocity and
friction loss per metre (flagged above 2.5 m/s, where erosion and noise
start in copper and thin-wall steel); per pump its operating point on its
curve, speed and efficiency; per CDU its load against capacity and its
approach; per loop the differential pressure available at its worst rack;
PUE and WUE; and the N+1 verdict: the hall solved again with each CDU and
each duty pump out in turn (standbys start), passing when every rack keeps
80 % of its design flow and its chips below the throttle temperature, every
CDU stays within its capacity and holds its supply setpoint within 1 K.
"""

from __future__ import annotations

from twin.editing import pipe_length
from twin.liquid.loops import build_loops
from twin.liquid.steady import HallState, steady_state
from twin.model.layout import Layout

#: Velocity (m/s) above which a pipe is flagged for erosion and noise.
VELOCITY_LIMIT = 2.5
#: Rack flow (fraction of design) below which a contingency fails.
MIN_FLOW_FRACTION = 0.8
#: How far (K) above its setpoint a CDU's supply may drift in a contingency.
SETPOINT_MARGIN = 1.0


def _racks(layout: Layout, state: HallState) -> list[dict]:
    rows = []
    for loop in state.loops:
        for rid, r in loop.rack.items():
            rack = layout.find(rid).component
            rows.append({
                "id": rid, "flow_lpm": r["flow"] * 6e4, "design_flow_lpm": r["design_flow"] * 6e4,
                "flow_percent": 100 * r["flow"] / r["design_flow"],
                "supply_c": r["supply_temperature"], "return_c": r["return_temperature"],
                "chip_c": r["chip_temperature"], "dp_kpa": r["dp"] / 1e3,
                "throttle_c": rack.throttle_temp})
    return rows


def _pipes(layout: Layout, state: HallState) -> list[dict]:
    rows = []
    for loop in state.loops:
        result, density = loop.hydraulics, float(loop.loop.fluid.density(35.0))
        for pid in loop.loop.pipes:
            link = result.link(pid)
            rows.append({"id": pid, "velocity_m_s": abs(link["velocity"]),
                         "loss_pa_per_m": abs(link["headloss"]) * density * 9.80665
                         / pipe_length(layout, pid),
                         "diameter_mm": layout.find(pid).component.diameter * 1e3})
    return rows


def _pumps(state: HallState) -> list[dict]:
    rows = []
    for loop in state.loops:
        for pid, p in loop.pump.items():
            cdu, pump = loop.loop.pumps[pid]
            rows.append({"id": pid, "cdu": cdu.id, "running": p["running"],
                         "standby": pump.standby, "flow_lpm": p["flow"] * 6e4,
                         "head_kpa": p["head"] / 1e3, "speed": p["speed"],
                         "efficiency": p["efficiency"], "power_kw": p["power"] / 1e3})
    return rows


def _cdus(layout: Layout, state: HallState) -> list[dict]:
    rows = []
    for loop in state.loops:
        for cid, c in loop.cdu.items():
            cdu = layout.find(cid).component
            rows.append({"id": cid, "load_kw": c["heat"] / 1e3, "capacity_kw": cdu.capacity / 1e3,
                         "load_percent": 100 * c["heat"] / cdu.capacity,
                         "supply_c": c["supply_temperature"], "setpoint_c": cdu.supply_temp,
                         "facility_c": c["facility_temperature"],
                         "approach_k": c["supply_temperature"] - c["facility_temperature"],
                         "primary_flow_lpm": c["primary_flow"] * 6e4})
    return rows


def _loops(state: HallState) -> list[dict]:
    rows = []
    for loop in state.loops:
        worst = min(loop.rack.items(), key=lambda item: item[1]["dp"], default=None)
        rows.append({"cdus": [c.id for c in loop.loop.cdus], "racks": len(loop.loop.racks),
                     "pump_speed": loop.speed, "worst_rack": worst[0] if worst else None,
                     "available_dp_kpa": worst[1]["dp"] / 1e3 if worst else None,
                     "hydraulics": loop.hydraulics.status, "notes": loop.notes})
    return rows


def violations(layout: Layout, state: HallState) -> list[str]:
    """What breaks the limits of the module docstring in this state."""
    found = []
    for row in _racks(layout, state):
        if 0.1 <= row["flow_percent"] < 100 * MIN_FLOW_FRACTION:
            found.append(f"rack {row['id']} gets {row['flow_percent']:.0f} % of design flow")
        if row["flow_percent"] < 0.1:
            found.append(f"rack {row['id']} has no coolant flow: its chips heat until it trips")
        elif row["chip_c"] >= row["throttle_c"]:
            found.append(f"rack {row['id']} chips reach {row['chip_c']:.1f} degC "
                         f"(throttle {row['throttle_c']:g})")
    for row in _cdus(layout, state):
        if row["load_kw"] > row["capacity_kw"] * 1.0001:
            found.append(f"CDU {row['id']} carries {row['load_kw']:,.0f} kW over its "
                         f"{row['capacity_kw']:,.0f} kW capacity")
        if row["load_kw"] > 0 and row["supply_c"] > row["setpoint_c"] + SETPOINT_MARGIN:
            found.append(f"CDU {row['id']} supplies {row['supply_c']:.1f} degC over its "
                         f"{row['setpoint_c']:g} degC setpoint")
    return found


def design_check(layout: Layout) -> dict:
    """The design report as a JSON-ready dict (file units: kW, L/min, kPa, degC)."""
    loops = build_loops(layout)
    state = steady_state(layout, loops=loops)
    pipes = _pipes(layout, state)
    warnings = [f"pipe {p['id']} ({p['diameter_mm']:g} mm): {p['velocity_m_s']:.2f} m/s "
                f"exceeds {VELOCITY_LIMIT:g} m/s (erosion and noise risk); use a larger bore"
                for p in pipes if p["velocity_m_s"] > VELOCITY_LIMIT]
    warnings += [f"loop of {', '.join(row['cdus'])}: {note}"
                 for row in _loops(state) for note in row["notes"]]
    contingencies = []
    for loop in loops:
        outages = [(c.id, "cdu") for c in loop.cdus]
        outages += [(p.id, "pump") for c in loop.cdus for p in c.pumps if not p.standby]
        for component, kind in outages:
            problems = violations(layout, steady_state(layout, frozenset({component}),
                                                       loops=loops))
            contingencies.append({"out": component, "kind": kind,
                                  "verdict": "pass" if not problems else "fail",
                                  "problems": problems})
    return {
        "layout": layout.name, "it_kw": state.it_power / 1e3,
        "cooling_kw": state.cooling_power / 1e3, "pue": state.pue,
        "partial_pue_cooling": state.pue, "wue_l_per_kwh": state.wue,
        "facility_supply_c": state.plant.supply_temperature,
        "racks": _racks(layout, state), "pipes": pipes, "pumps": _pumps(state),
        "cdus": _cdus(layout, state), "loops": _loops(state),
        "design_problems": violations(layout, state), "warnings": warnings,
        "contingencies": contingencies,
        "n_plus_1": "pass" if all(c["verdict"] == "pass" for c in contingencies) else "fail",
    }
