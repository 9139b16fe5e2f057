"""Build the example halls with the editing API and write them to this folder.

    python layouts/build_examples.py

The committed JSON files are this script's output; `layouts/README.md` cites
where each number comes from.  The script is the editing API's first real
user: racks, CDUs and piping are placed exactly as the GUI would place them.
"""

from __future__ import annotations

from pathlib import Path

from twin.editing import add, add_cdu, add_rack_row, apply
from twin.files import parse_layout, parse_scenario, save_atomic
from twin.model.layout import Layout
from twin.pipe_sizing import pipe_row, pipe_row_to, size_bore
from twin.validation import check_layout, check_scenario

HERE = Path(__file__).resolve().parent

#: Vertiv XDU1350-class CDU: ~1,368 kW at 4 K approach; N+1 pumps.
CDU_CAPACITY_KW = 1368.0


def cdu_spec(cid: str, x: float, y: float, design_lpm: float, front: str = "south",
             facility_lpm: float = 1500.0) -> dict:
    """A CDU with one duty and one standby pump, each with its design point at
    ``design_lpm`` and 250 kPa."""
    curve = {"flow_lpm": [0.0, design_lpm, 1.8 * design_lpm],
             "head_kpa": [330.0, 250.0, 0.0]}
    return {
        "id": cid, "x_m": x, "y_m": y, "front": front, "capacity_kw": CDU_CAPACITY_KW,
        "pumps": [{"id": f"{cid}-PA", "curve": curve},
                  {"id": f"{cid}-PB", "curve": curve, "standby": True}],
        "heat_exchanger": {"design_approach_k": 4.0},
        "expansion_tank": {"pressure_kpa": 150.0, "volume_l": 200.0},
        "supply_temp_c": 35.0, "dp_setpoint_kpa": 90.0, "fluid": "pg25",
        "facility_flow_lpm": facility_lpm,
    }


def empty(name: str, description: str, width: float, depth: float, height: float,
          plant: dict) -> Layout:
    """A hall with nothing in it yet."""
    return parse_layout({
        "format": "halltwin-layout", "version": 1, "name": name, "description": description,
        "hall": {"width_m": width, "depth_m": depth, "height_m": height, "grid_m": 0.25,
                 "wall_ua_kw_per_k": 0.5},
        "ambient": {"dry_bulb_c": 25.0, "wet_bulb_c": 18.0},
        "plant": plant,
    })


def rack_ids(layout: Layout, first: int, count: int) -> list[str]:
    """Ids of ``count`` racks starting at list index ``first``."""
    return [r.id for r in layout.racks[first:first + count]]


def build_pod() -> Layout:
    """pod-1mw: 8 x 120 kW racks in a hot-aisle pod, one CDU, one CRAH, dry coolers."""
    layout = empty(
        "Pod 1 MW", "8 GB200 NVL72-class racks (120 kW) in one hot-aisle pod; one XDU1350-class "
        "CDU with N+1 pumps; one CRAH; two dry coolers.", 12.0, 9.0, 4.5,
        {"supply_temp_c": 30.0, "pump_power_kw": 8.0,
         "dry_coolers": [{"id": f"DC-{i}", "capacity_kw": 700.0, "approach_k": 5.0,
                          "fan_power_kw": 14.0, "fan_count": 8} for i in (1, 2)]})
    layout = add_rack_row(layout, 4, 3.0, 3.0, 120.0, "south", prefix="A")
    layout = add_rack_row(layout, 4, 3.0, 5.4, 120.0, "north", prefix="B")
    layout = add_cdu(layout, cdu_spec("CDU-1", 7.2, 3.0, 1500.0))
    layout = pipe_row(layout, rack_ids(layout, 0, 4), "CDU-1")
    layout = pipe_row(layout, rack_ids(layout, 4, 4), "CDU-1")
    layout = add(layout, "air_units", {
        "id": "CRAH-1", "kind": "crah", "x_m": 0.3, "y_m": 3.0, "width_m": 3.0, "depth_m": 1.0,
        "height_m": 2.2, "supply": "east", "air_flow_m3s": 15.0, "supply_temp_c": 24.0,
        "capacity_kw": 250.0, "fan_power_kw": 11.0})
    return add(layout, "leaks", {"id": "LEAK-A", "at": "CDU-1-A1-HS1",
                                 "coefficient_lpm_per_sqrt_kpa": 8.0})


def shared_header(layout: Layout, group: str, cdus: list[str],
                  ring: bool) -> tuple[Layout, list[tuple[str, str]]]:
    """Join CDUs on a supply and a return header with an isolation valve between
    neighbouring CDUs (closed into a ring when ``ring``); returns the header taps."""
    nodes = layout.nodes
    taps: list[tuple[str, str]] = []
    junctions, valves = [], []
    total = 0.0
    for k, cid in enumerate(cdus, start=1):
        cdu = next(c for c in layout.cdus if c.id == cid)
        design = cdu.pumps[0].curve.flow[1]  # the duty pump's design flow (m^3/s)
        total += design
        pair = []
        for side, hose in (("S", cdu.supply), ("R", cdu.return_)):
            jid = f"{group}-H{side}{k}"
            at = nodes[hose]
            junctions.append({"id": jid, "x_m": at.x, "y_m": at.y, "elevation_m": 3.2})
            ends = (hose, jid) if side == "S" else (jid, hose)
            valves.append({"id": f"{group}-{cid}-V{side}", "from": ends[0], "to": ends[1],
                           "diameter_mm": size_bore(design)})
            pair.append(jid)
        taps.append(tuple(pair))
    links = list(zip(taps, taps[1:], strict=False)) + ([(taps[-1], taps[0])] if ring else [])
    bore = size_bore(total)
    for n, (a, b) in enumerate(links, start=1):
        for side in (0, 1):
            valves.append({"id": f"{group}-SEG{n}-V{'SR'[side]}", "from": a[side], "to": b[side],
                           "diameter_mm": bore})

    def change(document: dict) -> None:
        document["junctions"] += junctions
        document["valves"] += valves

    return apply(layout, change), taps


def build_rows() -> Layout:
    """rows-3mw: 2 rows x 12 x 132 kW, 3 CDUs (N+1) on a shared valved header,
    fan walls, an evaporative tower."""
    layout = empty(
        "Rows 3 MW", "24 racks of 132 kW in two rows around a shared hot aisle; three "
        "XDU1350-class CDUs (N+1) on a shared header with isolation valves; two fan walls; "
        "one evaporative cooling tower.", 20.0, 12.0, 5.0,
        {"supply_temp_c": 27.0, "pump_power_kw": 25.0,
         "towers": [{"id": "CT-1", "capacity_kw": 3800.0, "approach_k": 4.0,
                     "fan_power_kw": 30.0, "fan_count": 2, "cycles_of_concentration": 4.0}]})
    layout = add_rack_row(layout, 12, 4.4, 4.2, 132.0, "south", prefix="A")
    layout = add_rack_row(layout, 12, 4.4, 6.6, 132.0, "north", prefix="B")
    for k, x in enumerate((13.0, 14.2, 15.4), start=1):
        layout = add_cdu(layout, cdu_spec(f"CDU-{k}", x, 5.4, 2400.0, front="north",
                                                facility_lpm=2500.0))
    layout, taps = shared_header(layout, "HDR", ["CDU-1", "CDU-2", "CDU-3"], ring=False)
    layout = pipe_row_to(layout, rack_ids(layout, 0, 12), *taps[0], prefix="ROWA",
                         isolation_valves=True)
    layout = pipe_row_to(layout, rack_ids(layout, 12, 12), *taps[0], prefix="ROWB",
                         isolation_valves=True)
    for k, x in enumerate((0.5, 18.5), start=1):
        layout = add(layout, "air_units", {
            "id": f"FW-{k}", "kind": "fan_wall", "x_m": x, "y_m": 2.0, "width_m": 8.0,
            "depth_m": 1.0, "height_m": 3.0, "supply": "east" if k == 1 else "west",
            "air_flow_m3s": 25.0, "supply_temp_c": 24.0, "capacity_kw": 400.0,
            "fan_power_kw": 18.0})
    return add(layout, "leaks", {"id": "LEAK-A", "at": "ROWA-HS2",
                                 "coefficient_lpm_per_sqrt_kpa": 20.0})


def build_hall() -> Layout:
    """hall-10mw: 72 x 140 kW in 6 rows, 8 CDUs in two N+1 groups on ring headers,
    perimeter fan walls, cooling towers with trim chillers."""
    layout = empty(
        "Hall 10 MW", "72 racks of 140 kW in six rows (three hot-aisle pods); eight "
        "XDU1350-class CDUs in two N+1 groups of four, each group on a ring header with "
        "isolation valves; perimeter fan walls; cooling towers with trim chillers.",
        28.0, 22.0, 5.5,
        {"supply_temp_c": 25.0, "pump_power_kw": 90.0,
         "towers": [{"id": f"CT-{i}", "capacity_kw": 4500.0, "approach_k": 4.0,
                     "fan_power_kw": 40.0, "fan_count": 2, "cycles_of_concentration": 5.0}
                    for i in (1, 2, 3)],
         "chillers": [{"id": f"CH-{i}", "capacity_kw": 3000.0, "cop": 7.0} for i in (1, 2)]})
    for pod, y in enumerate((3.0, 9.6, 16.2)):
        layout = add_rack_row(layout, 12, 8.0, y, 140.0, "south", prefix="ACE"[pod])
        layout = add_rack_row(layout, 12, 8.0, y + 2.4, 140.0, "north", prefix="BDF"[pod])
    for group, x, rows in (("G1", 3.4, "ABC"), ("G2", 22.0, "DEF")):
        cids = [f"{group}-CDU-{k}" for k in (1, 2, 3, 4)]
        for k, cid in enumerate(cids):
            layout = add_cdu(layout, cdu_spec(cid, x + 1.2 * (k % 2), 6.0 + 5.0 * (k // 2),
                                              2600.0, facility_lpm=3000.0))
        layout, taps = shared_header(layout, group, cids, ring=True)
        for row in rows:
            ids = [r.id for r in layout.racks if r.id.startswith(row)]
            y = layout.racks[[r.id for r in layout.racks].index(ids[0])].centre[1]
            nearest = min(taps, key=lambda t: abs(layout.nodes[t[0]].y - y))
            layout = pipe_row_to(layout, ids, *nearest, prefix=f"ROW{row}",
                                 isolation_valves=True)
    for k, (x, y, face) in enumerate(((0.5, 2.0, "east"), (0.5, 12.0, "east"),
                                      (26.5, 2.0, "west"), (26.5, 12.0, "west")), start=1):
        layout = add(layout, "air_units", {
            "id": f"FW-{k}", "kind": "fan_wall", "x_m": x, "y_m": y, "width_m": 8.0,
            "depth_m": 1.0, "height_m": 3.5, "supply": face, "air_flow_m3s": 45.0,
            "supply_temp_c": 24.0, "capacity_kw": 600.0, "fan_power_kw": 30.0})
    return layout


def scenario(name: str, description: str, duration: float, events: list,
             **extra: object) -> dict:
    """A scenario document."""
    return {"format": "halltwin-scenario", "version": 1, "name": name,
            "description": description, "duration_s": duration, "events": events, **extra}


def pod_scenarios() -> dict[str, dict]:
    """Incidents for pod-1mw."""
    fail = {"action": "fail", "time_s": 60.0}
    return {
        "pump-trip": scenario(
            "Duty pump trip", "CDU-1's duty pump trips; the standby starts after its delay.",
            600.0, [{**fail, "target": "CDU-1-PA"}], layout="pod-1mw.json"),
        "pump-trip-no-standby": scenario(
            "Duty pump trip, standby out of service", "The standby pump is out for maintenance "
            "when the duty pump trips: no flow, racks throttle then trip.", 600.0,
            [{"action": "fail", "time_s": 0.0, "target": "CDU-1-PB"},
             {**fail, "target": "CDU-1-PA"}], layout="pod-1mw.json"),
        "cdu-loss": scenario(
            "CDU lost, no spare", "The pod's only CDU fails: the whole pod cascades from hot "
            "coolant to throttling to rack trips.", 600.0, [{**fail, "target": "CDU-1"}],
            layout="pod-1mw.json"),
        "heatwave-fan-failure": scenario(
            "Heatwave with a dry-cooler fan failure", "Outdoor air climbs from 25 to 40 degC "
            "over two hours; at 01:00 two of DC-1's eight fans fail.", 7200.0,
            [{"action": "fail", "time_s": 3600.0, "target": "DC-1", "fraction": 0.25}],
            weather={"time_s": [0.0, 3600.0, 7200.0], "dry_bulb_c": [25.0, 34.0, 40.0],
                     "wet_bulb_c": [18.0, 22.0, 24.0]}, layout="pod-1mw.json"),
        "training-swing": scenario(
            "Synchronized training-load swing", "All racks swing together between 30 % and "
            "100 % every 20 s (checkpoint and all-reduce phases of one training job).", 600.0,
            [{"action": "load_swing", "time_s": 30.0, "targets": ["all"], "low_fraction": 0.3,
              "high_fraction": 1.0, "period_s": 20.0}], layout="pod-1mw.json"),
    }


def rows_scenarios() -> dict[str, dict]:
    """Incidents for rows-3mw."""
    return {
        "cdu-loss": scenario(
            "One CDU lost with N+1", "CDU-2 fails; its valves close and the two others carry "
            "the shared header.", 900.0,
            [{"action": "fail", "time_s": 60.0, "target": "CDU-2"},
             {"action": "close_valve", "time_s": 65.0, "target": "HDR-CDU-2-VS"},
             {"action": "close_valve", "time_s": 65.0, "target": "HDR-CDU-2-VR"}],
            layout="rows-3mw.json"),
        "manifold-leak": scenario(
            "Manifold leak with isolation", "Row A's supply header starts leaking; tank level "
            "falls until leak detection closes the row's isolation valves.", 900.0,
            [{"action": "leak_start", "time_s": 60.0, "target": "LEAK-A"}],
            layout="rows-3mw.json"),
        "training-swing": scenario(
            "Synchronized training-load swing", "All 24 racks swing between 30 % and 100 % "
            "every 30 s.", 900.0,
            [{"action": "load_swing", "time_s": 30.0, "targets": ["all"], "low_fraction": 0.3,
              "high_fraction": 1.0, "period_s": 30.0}], layout="rows-3mw.json"),
    }


def hall_scenarios() -> dict[str, dict]:
    """Incidents for hall-10mw."""
    return {
        "cdu-loss": scenario(
            "One CDU lost with N+1", "G1-CDU-2 fails; the other three of its group carry its "
            "racks through the ring header.", 900.0,
            [{"action": "fail", "time_s": 60.0, "target": "G1-CDU-2"}], layout="hall-10mw.json"),
        "two-cdus-lost": scenario(
            "Two CDUs of one group lost: no spare", "G1-CDU-2 fails and G1-CDU-3 follows 2 "
            "minutes later: group 1's two remaining CDUs carry 4 MW of liquid heat on 2.7 MW "
            "of rated capacity.", 900.0,
            [{"action": "fail", "time_s": 60.0, "target": "G1-CDU-2"},
             {"action": "fail", "time_s": 180.0, "target": "G1-CDU-3"}],
            layout="hall-10mw.json"),
        "heatwave-tower-fan-failure": scenario(
            "Heatwave with a tower fan failure", "Wet-bulb climbs from 18 to 28 degC; at 01:00 "
            "one of CT-1's two fans fails and the chillers pick up the load.", 7200.0,
            [{"action": "fail", "time_s": 3600.0, "target": "CT-1", "fraction": 0.5}],
            weather={"time_s": [0.0, 3600.0, 7200.0], "dry_bulb_c": [25.0, 35.0, 41.0],
                     "wet_bulb_c": [18.0, 25.0, 28.0]}, layout="hall-10mw.json"),
    }


def main() -> None:
    """Write the example halls and their scenarios, then check every file."""
    halls = {"pod-1mw": (build_pod, pod_scenarios), "rows-3mw": (build_rows, rows_scenarios),
             "hall-10mw": (build_hall, hall_scenarios)}
    for name, (build, scenarios) in halls.items():
        layout = build()
        problems = check_layout(layout, f"{name}.json")
        if any(p.severity == "error" for p in problems):
            raise SystemExit("\n".join(str(p) for p in problems))
        save_atomic(layout, HERE / f"{name}.json")
        for incident, document in scenarios().items():
            parsed = parse_scenario(document, incident)
            errors = check_scenario(parsed, layout, incident)
            if errors:
                raise SystemExit("\n".join(str(p) for p in errors))
            save_atomic(parsed, HERE / "scenarios" / f"{name}--{incident}.json")
        print(f"wrote {name}.json and {len(scenarios())} scenarios")


if __name__ == "__main__":
    main()
