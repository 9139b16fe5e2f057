"""The editing API: pure functions from a layout to a new valid layout.

Every edit works on the file form of the layout, re-validates the result
against the schema and the structural rules (no duplicate or dangling ids,
nothing outside the hall or on top of something else) and either returns the
new :class:`Layout` or raises :class:`EditError` saying why.  The layout given
is never changed, so the GUI's undo commands just keep the old object.
Design problems (a rack not yet piped, a loop without a tank) are allowed
while editing; :func:`twin.validation.check_layout` reports them.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from twin.errors import ValidationError
from twin.files import parse_layout, to_document
from twin.model.base import Side
from twin.model.layout import COLLECTIONS, Layout
from twin.validation import structural_problems

Document = dict[str, Any]

#: Height (m) of the hose junctions created with a rack or CDU: its top, where
#: overhead piping drops in.
HOSE_ELEVATION = 2.3


class EditError(ValidationError):
    """An edit that would leave the layout invalid; the layout is unchanged."""


def apply(layout: Layout, change: Callable[[Document], None]) -> Layout:
    """Apply ``change`` to a copy of the layout's document and validate the result.

    Parameters
    ----------
    layout : Layout
        The current layout (not modified).
    change : callable
        Mutates the document (file-unit keys) in place.

    Raises
    ------
    EditError
        If the result breaks the schema or a structural rule.
    """
    document = copy.deepcopy(to_document(layout))
    change(document)
    try:
        new = parse_layout(document)
    except ValidationError as error:
        raise EditError(error.problems) from None
    problems = [p for p in structural_problems(new) if p.severity == "error"]
    if problems:
        raise EditError(problems)
    return new


def next_id(layout: Layout, prefix: str, taken: Iterable[str] = ()) -> str:
    """The first id ``prefix<N>`` not used in the layout (N = 1, 2, ...)."""
    used = {c.component.id for c in layout.components()} | set(taken)
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def _locate(document: Document, layout: Layout, component_id: str) -> Document:
    located = layout.find(component_id)
    if located is None:
        raise EditError.single(f"no component '{component_id}'")
    node: Any = document
    for part in re.findall(r"[A-Za-z_]+|\[\d+\]", located.path):
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    return node


def add(layout: Layout, collection: str, item: Document) -> Layout:
    """Add one component (file-unit keys) to a top-level collection such as ``racks``."""
    if collection not in COLLECTIONS:
        raise EditError.single(f"unknown collection '{collection}'; allowed: "
                               + ", ".join(COLLECTIONS))
    return apply(layout, lambda d: d[collection].append(copy.deepcopy(item)))


def set_property(layout: Layout, component_id: str, key: str, value: Any) -> Layout:
    """Set a property of a component by its file key.

    ``key`` is the key as in the file (``power_kw``), dotted for nested
    models (``chip.heat_capacity_kj_per_k``); ``value`` is in that key's unit.
    """
    def change(document: Document) -> None:
        target = _locate(document, layout, component_id)
        *parents, last = key.split(".")
        for part in parents:
            target = target[part]
        if last not in target:
            raise EditError.single(f"'{component_id}' has no property '{key}'; allowed: "
                                   + ", ".join(target))
        target[last] = value

    return apply(layout, change)


def _snap(value: float, step: float | None) -> float:
    return round(value / step) * step if step else value


def move(layout: Layout, component_id: str, x_m: float, y_m: float,
         snap_m: float | None = None) -> Layout:
    """Move equipment (by its lower-left corner) or a junction to (x, y) m, optionally snapped."""
    def change(document: Document) -> None:
        target = _locate(document, layout, component_id)
        if "x_m" not in target:
            raise EditError.single(f"'{component_id}' has no position to move")
        target["x_m"], target["y_m"] = _snap(x_m, snap_m), _snap(y_m, snap_m)

    return apply(layout, change)


_FACING_KEY = {"racks": "inlet", "cdus": "front", "air_units": "supply"}


def rotate(layout: Layout, component_id: str) -> Layout:
    """Turn equipment a quarter turn clockwise about its centre."""
    located = layout.find(component_id)
    if located is None or not hasattr(located.component, "facing"):
        raise EditError.single(f"'{component_id}' is not equipment that can be rotated")
    box = located.component
    cx, cy = box.centre
    dx, dy = box.extent
    key = _FACING_KEY[located.path.split("[")[0]]

    def change(document: Document) -> None:
        target = _locate(document, layout, component_id)
        target[key] = box.facing.rotated().value
        # The footprint's x and y extents swap; keep the centre where it was.
        target["x_m"] = round(cx - dy / 2, 9)
        target["y_m"] = round(cy - dx / 2, 9)

    return apply(layout, change)


def remove(layout: Layout, component_ids: Iterable[str]) -> Layout:
    """Remove components; removing a junction also removes the pipes, valves and
    leaks on it, and removing a rack or CDU removes its own hose junctions."""
    doomed = set(component_ids)
    for cid in list(doomed):
        located = layout.find(cid)
        if located is None:
            raise EditError.single(f"no component '{cid}'")
        if located.kind in ("rack", "cdu") and not _shared_hoses(layout, located.component):
            doomed |= {located.component.supply, located.component.return_}
    links = [x.id for x in (*layout.pipes, *layout.valves) if {x.from_, x.to} & doomed]
    doomed |= set(links)
    doomed |= {leak.id for leak in layout.leaks if leak.at in doomed}

    def change(document: Document) -> None:
        for collection in COLLECTIONS:
            document[collection] = [c for c in document[collection] if c["id"] not in doomed]
        for cdu in document["cdus"]:
            cdu["pumps"] = [p for p in cdu["pumps"] if p["id"] not in doomed]
        for collection in ("dry_coolers", "towers", "chillers"):
            plant = document["plant"]
            plant[collection] = [u for u in plant[collection] if u["id"] not in doomed]

    return apply(layout, change)


def _shared_hoses(layout: Layout, unit: Any) -> bool:
    users = [u for u in (*layout.racks, *layout.cdus) if u is not unit]
    hoses = {unit.supply, unit.return_}
    return any(hoses & {u.supply, u.return_} for u in users)


def connect(layout: Layout, from_id: str, to_id: str, diameter_mm: float,
            pipe_id: str | None = None, **properties: Any) -> Layout:
    """Add a pipe from one junction to another (length from geometry unless given)."""
    item = {"id": pipe_id or next_id(layout, "P"), "from": from_id, "to": to_id,
            "diameter_mm": diameter_mm, **properties}
    return add(layout, "pipes", item)


def hose_junctions(center: tuple[float, float], along: Side, unit_id: str) -> list[Document]:
    """Supply and return junctions for a unit's hoses, 0.15 m either side of its centre."""
    ux, uy = (1, 0) if along in (Side.NORTH, Side.SOUTH) else (0, 1)
    cx, cy = center
    return [{"id": f"{unit_id}-{tag}", "x_m": round(cx + sign * 0.15 * ux, 6),
             "y_m": round(cy + sign * 0.15 * uy, 6), "elevation_m": HOSE_ELEVATION}
            for tag, sign in (("S", -1), ("R", 1))]


def add_rack_row(layout: Layout, count: int, x_m: float, y_m: float, power_kw: float,
                 inlet: str = "south", prefix: str = "R", pitch_m: float | None = None,
                 **rack_properties: Any) -> Layout:
    """Add a row of ``count`` racks side by side, each with its two hose junctions.

    The row runs along x for racks facing north or south, along y otherwise;
    ``(x_m, y_m)`` is the first rack's lower-left corner and ``pitch_m`` the
    centre spacing (default: the rack width, racks touching).
    """
    if not isinstance(count, int) or count < 1:
        raise EditError.single(f"a row needs at least one rack, got {count!r}")
    side = Side(inlet)
    width = rack_properties.get("width_m", 0.6)
    depth = rack_properties.get("depth_m", 1.2)
    pitch = pitch_m if pitch_m is not None else width
    along_x = side in (Side.NORTH, Side.SOUTH)
    extent = (width, depth) if along_x else (depth, width)
    racks, junctions, taken = [], [], []
    for i in range(count):
        rid = next_id(layout, prefix, taken)
        taken.append(rid)
        x = x_m + (i * pitch if along_x else 0.0)
        y = y_m + (0.0 if along_x else i * pitch)
        centre = (x + extent[0] / 2, y + extent[1] / 2)
        junctions += hose_junctions(centre, side, rid)
        racks.append({"id": rid, "x_m": round(x, 6), "y_m": round(y, 6), "inlet": side.value,
                      "power_kw": power_kw, "supply": f"{rid}-S", "return": f"{rid}-R",
                      **rack_properties})

    def change(document: Document) -> None:
        document["junctions"] += junctions
        document["racks"] += racks

    return apply(layout, change)


def add_cdu(layout: Layout, cdu: Document) -> Layout:
    """Add a CDU (without ``supply``/``return``) and its two hose junctions."""
    cid = cdu["id"]
    front = Side(cdu.get("front", "south"))
    w, d = cdu.get("width_m", 0.8), cdu.get("depth_m", 1.2)
    dx, dy = (w, d) if front in (Side.NORTH, Side.SOUTH) else (d, w)
    centre = (cdu["x_m"] + dx / 2, cdu["y_m"] + dy / 2)
    junctions = hose_junctions(centre, front, cid)
    item = {**cdu, "supply": f"{cid}-S", "return": f"{cid}-R"}

    def change(document: Document) -> None:
        document["junctions"] += junctions
        document["cdus"].append(item)

    return apply(layout, change)


def pipe_length(layout: Layout, pipe_id: str) -> float:
    """Length of a pipe (m): given, or the 3-D distance between its junctions."""
    pipe = next(p for p in layout.pipes if p.id == pipe_id)
    if pipe.length_given is not None:
        return pipe.length_given
    a, b = layout.nodes[pipe.from_], layout.nodes[pipe.to]
    return max(math.dist((a.x, a.y, a.elevation), (b.x, b.y, b.elevation)), 0.01)
