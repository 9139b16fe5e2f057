"""What a run records each step, and the run file it goes to (DESIGN §4)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from twin import __version__
from twin.files import to_document
from twin.liquid.loops import GRAVITY, pump_design_flow
from twin.liquid.steady import pump_efficiency
from twin.runs import RunWriter, SeriesSpec

#: Series every run records (names of :data:`twin.runs.SERIES`).
SERIES = ("rack_inlet_temperature", "rack_chip_temperature", "rack_power", "rack_state",
          "cdu_supply_temperature", "cdu_return_temperature", "cdu_heat", "pump_flow",
          "pump_speed", "pipe_flow", "node_pressure", "air_unit_heat",
          "air_unit_supply_temperature", "tank_level", "it_power", "cooling_power", "pue",
          "water_use")
#: The terms of the hall's heat balance, recorded with every run.  Over any span
#: of a run, the IT energy equals the integral of ``facility_heat - wall_heat``
#: plus the change of ``air_heat_content + coolant_heat_stored + chip_heat_stored``
#: (coolant lost through leaks carries its heat away uncounted).  Heats are means
#: over the step that ends at the row's time; contents are at that time.
BALANCE_SERIES = (
    SeriesSpec("rack_air_heat", "rack", "W", "heat a rack puts into the room air, past "
               "its rear door"),
    SeriesSpec("rack_spill_heat", "rack", "W", "chip heat a rack's cold plates could not "
               "take, spilled into its air"),
    SeriesSpec("rear_door_heat", "rack", "W", "heat a rack's rear door takes into its water"),
    SeriesSpec("heat_to_coolant", None, "W", "heat cold plates, and rear doors and air units "
               "on CDU water, put into the TCS coolant"),
    SeriesSpec("facility_heat", None, "W", "heat the facility water takes: CDUs, and air "
               "units and rear doors on facility water"),
    SeriesSpec("wall_heat", None, "W", "heat walls and ceiling add to the room air "
               "(negative: lost outdoors)"),
    SeriesSpec("air_heat_content", None, "J", "sensible heat of the room air above 0 degC"),
    SeriesSpec("coolant_heat_stored", None, "J", "heat the TCS coolant gained since t = 0"),
    SeriesSpec("chip_heat_stored", None, "J", "heat the chips gained since t = 0"),
)


def components(sim) -> dict[str, list[str]]:
    """Component ids per series dimension, in the order values are recorded."""
    layout = sim.layout
    return {"rack": [r.id for r in layout.racks], "cdu": [c.id for c in layout.cdus],
            "pump": [p.id for c in layout.cdus for p in c.pumps],
            "pipe": [p.id for p in layout.pipes], "node": [j.id for j in layout.junctions],
            "air_unit": [a.id for a in layout.air_units]}


def collect(sim, dt: float, power: np.ndarray, hall) -> dict[str, np.ndarray | float]:
    """Every series' value at the end of a step (SI), by the names of :data:`SERIES`
    and :data:`BALANCE_SERIES`; ``hall`` is the step's :class:`~twin.engine.coupling.HallStep`."""
    ids = components(sim)
    steps, room = hall.loops, hall.room
    found: dict[str, dict[str, float]] = {dim: {} for dim in ids}
    cdu_values = {key: {} for key in ("supply", "return", "heat", "level")}
    pump_power = 0.0
    for n, (dyn, step) in enumerate(zip(sim.dynamics, steps, strict=True)):
        result, loop = step.hydraulics, dyn.loop
        density = float(loop.fluid.density(35.0))
        for i, cdu in enumerate(loop.cdus):
            cdu_values["supply"][cdu.id] = step.cdu_supply[i]
            cdu_values["return"][cdu.id] = step.cdu_return[i]
            cdu_values["heat"][cdu.id] = step.cdu_heat[i]
            cdu_values["level"][cdu.id] = sim.tanks[n].level if n in sim.tanks else np.nan
        for pump_id, (_, pump) in loop.pumps.items():
            info = result.link(pump_id)
            speed = float(dyn.settings.speed[loop.network.link_index[pump_id]])
            found["pump"][pump_id] = info["flow"]
            found.setdefault("speed", {})[pump_id] = speed if info["status"] != "closed" else 0.0
            if info["flow"] > 0 and speed > 0:
                head = -info["headloss"] * density * GRAVITY
                eta = pump_efficiency(info["flow"], speed, pump_design_flow(pump), pump.efficiency)
                pump_power += max(head, 0.0) * info["flow"] / eta
        for pipe_id in loop.pipes:
            found["pipe"][pipe_id] = result.link(pipe_id)["flow"]
        net = loop.network
        for node in ids["node"]:
            if node in net.node_index:
                found["node"][node] = result.pressure[net.node_index[node]]
    by = lambda dim, values: np.array([values.get(i, np.nan) for i in ids[dim]])  # noqa: E731
    chips = sim.per_rack(steps, "chip_temperature")
    units = sim.layout.air_units
    fans = sum(a.fan_power * sim.air_controls[a.id].available for a in units)
    cooling = pump_power + fans + sim.plant.power
    it = float(power.sum())
    capacity = np.array([r.chip.heat_capacity for r in sim.layout.racks])  # J/K
    return {
        "rack_inlet_temperature": room.inlet, "rack_chip_temperature": chips,
        "rack_power": power,
        "rack_state": np.array([int(p.state) for p in sim.rack_protection], dtype=np.int8),
        "cdu_supply_temperature": by("cdu", cdu_values["supply"]),
        "cdu_return_temperature": by("cdu", cdu_values["return"]),
        "cdu_heat": by("cdu", cdu_values["heat"]), "tank_level": by("cdu", cdu_values["level"]),
        "pump_flow": by("pump", found["pump"]), "pump_speed": by("pump", found.get("speed", {})),
        "pipe_flow": by("pipe", found["pipe"]), "node_pressure": by("node", found["node"]),
        "air_unit_heat": np.asarray(room.air_unit_heat, dtype=float),
        "air_unit_supply_temperature": np.asarray(room.air_unit_supply, dtype=float),
        "it_power": it, "cooling_power": cooling,
        "pue": (it + cooling) / it if it > 0 else np.nan, "water_use": sim.plant.water_use,
        "rack_air_heat": room.rack_heat, "rack_spill_heat": hall.spilled,
        "rear_door_heat": hall.door_heat,
        "heat_to_coolant": float(sum(s.rack_absorbed.sum() + s.return_heat.sum()
                                     for s in steps)),
        "facility_heat": hall.facility_heat, "wall_heat": room.wall_heat,
        "air_heat_content": room.heat_content, "coolant_heat_stored": sim.coolant_stored,
        "chip_heat_stored": float(np.nansum(capacity * (chips - sim.chip_start))),
    }


def open_run_file(sim, path: str | Path, command_line: list[str] | None = None,
                  compression: str | None = "lzf") -> RunWriter:
    """A :class:`RunWriter` for this simulation's grid, components and series, its
    fields compressed with ``compression`` (``"lzf"``, ``"gzip"`` or None)."""
    if sim.air is not None:
        grid = sim.air.solver.grid
        x, y, z = (grid.centres(axis) for axis in range(3))
    else:  # no air model: one cell per hall, so the file keeps its shape
        hall = sim.layout.hall
        x, y, z = [hall.width / 2], [hall.depth / 2], [hall.height / 2]
    backend = getattr(sim, "backend", None)
    metadata = {
        "software_version": __version__,
        "backend": backend.name if backend is not None else "none (no air model)",
        "device": backend.device if backend is not None else "cpu",
        "layout": json.dumps(to_document(sim.layout)),
        "scenario": json.dumps(to_document(sim.scenario)), "seed": 0,
        "command_line": " ".join(command_line if command_line is not None else sys.argv)}
    return RunWriter(path, x=x, y=y, z=z, components=components(sim),
                     series=(*SERIES, *BALANCE_SERIES), metadata=metadata,
                     compression=compression)
