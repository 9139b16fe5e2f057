"""The design check as text: tables an engineer can read in a terminal."""

from __future__ import annotations

import math


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    line = "  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(header, widths,
                                                                                        strict=True)))
    out = ["", title, line, "-" * len(line)]
    for row in rows:
        out.append("  ".join(c.rjust(w) if i else c.ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return out


def render(report: dict) -> str:
    """The report of :func:`twin.liquid.design_check.design_check` as text."""
    lines = [f"Design check: {report['layout']}",
             f"IT {report['it_kw']:,.0f} kW, cooling {report['cooling_kw']:,.1f} kW, "
             f"PUE {report['pue']:.3f} (= partial PUE of cooling), "
             f"WUE {report['wue_l_per_kwh']:.2f} L/kWh, facility water "
             f"{report['facility_supply_c']:.1f} degC"]
    lines += _table("Racks", ["rack", "flow L/min", "design", "%", "supply C", "return C",
                              "chip C", "dp kPa"],
                    [[r["id"], _num(r["flow_lpm"]), _num(r["design_flow_lpm"]),
                      _num(r["flow_percent"], 0), _num(r["supply_c"]), _num(r["return_c"]),
                      _num(r["chip_c"]), _num(r["dp_kpa"])] for r in report["racks"]])
    worst = sorted(report["pipes"], key=lambda p: -p["velocity_m_s"])
    lines += _table(f"Pipes (fastest 10 of {len(worst)})", ["pipe", "bore mm", "m/s", "Pa/m"],
                    [[p["id"], _num(p["diameter_mm"]), _num(p["velocity_m_s"], 2),
                      _num(p["loss_pa_per_m"], 0)] for p in worst[:10]])
    lines += _table("Pumps", ["pump", "CDU", "state", "flow L/min", "head kPa", "speed",
                              "efficiency", "kW"],
                    [[p["id"], p["cdu"], "running" if p["running"] else
                      ("standby" if p["standby"] else "off"), _num(p["flow_lpm"], 0),
                      _num(p["head_kpa"]), _num(p["speed"], 2), _num(p["efficiency"], 2),
                      _num(p["power_kw"], 2)] for p in report["pumps"]])
    lines += _table("CDUs", ["CDU", "load kW", "capacity", "%", "supply C", "facility C",
                             "approach K", "primary L/min"],
                    [[c["id"], _num(c["load_kw"], 0), _num(c["capacity_kw"], 0),
                      _num(c["load_percent"], 0), _num(c["supply_c"]), _num(c["facility_c"]),
                      _num(c["approach_k"]), _num(c["primary_flow_lpm"], 0)]
                     for c in report["cdus"]])
    lines += _table("Loops", ["CDUs", "racks", "pump speed", "worst rack", "available dp kPa"],
                    [[", ".join(loop["cdus"]), str(loop["racks"]), _num(loop["pump_speed"], 2),
                      loop["worst_rack"] or "-", _num(loop["available_dp_kpa"])]
                     for loop in report["loops"]])
    lines += ["", f"N+1 (each CDU and each duty pump out in turn): {report['n_plus_1'].upper()}"]
    for case in report["contingencies"]:
        lines.append(f"  {case['kind']} {case['out']} out: {case['verdict']}")
        lines += [f"    {problem}" for problem in case["problems"][:5]]
        if len(case["problems"]) > 5:
            lines.append(f"    ... and {len(case['problems']) - 5} more")
    for title, items in (("Design problems", report["design_problems"]),
                         ("Warnings", report["warnings"])):
        if items:
            lines += ["", f"{title}:"] + [f"  {item}" for item in items]
    return "\n".join(lines)
