"""Edits the editor makes that span several components, built on :mod:`twin.editing`.

These are Qt-free functions from a layout to a new layout, like the twin's
own editing API, and raise :class:`twin.editing.EditError` the same way.
Each composite edit goes through one :func:`twin.editing.apply`, so it is
validated once and becomes one undo entry.  Positions are in metres (SI),
component documents use the file keys (``power_kw``).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable
from typing import Any

from twin import editing
from twin.editing import Document, EditError
from twin.files import to_document
from twin.model.layout import COLLECTIONS, Layout
from twin.pipe_sizing import HEADER_ELEVATION

#: What a new component placed from the palette starts as (file keys and units).
#: A 130 kW rack is the GB200 NVL72 class; the CDU is a 1.5 MW row unit with
#: a duty and a standby pump, the air unit a CRAH for the air-side residual.
TEMPLATES: dict[str, Document] = {
    "rack": {"power_kw": 130.0, "inlet": "south"},
    "cdu": {"capacity_kw": 1500.0, "facility_flow_lpm": 2200.0, "front": "south",
            "pumps": [{"curve": {"flow_lpm": [1600.0], "head_kpa": [250.0]}},
                      {"curve": {"flow_lpm": [1600.0], "head_kpa": [250.0]}, "standby": True}],
            "expansion_tank": {}},
    "air_unit": {"kind": "crah", "width_m": 2.4, "depth_m": 0.9, "height_m": 2.0,
                 "supply": "south", "air_flow_m3s": 8.0, "capacity_kw": 120.0,
                 "fan_power_kw": 6.0},
}

#: Id prefix of each kind of component the palette places.
PREFIXES = {"rack": "R", "cdu": "CDU", "air_unit": "AU", "junction": "J", "pipe": "P",
            "valve": "V", "leak": "L"}

_POSITIONED = ("racks", "cdus", "air_units", "junctions")
_LINKS = ("pipes", "valves")


def _snap(value: float, step: float | None) -> float:
    return round(round(value / step) * step, 6) if step else round(value, 6)


def place(layout: Layout, kind: str, x: float, y: float, snap: float | None = None,
          count: int = 1, **properties: Any) -> tuple[Layout, list[str]]:
    """Place a new rack row, CDU, air unit or junction with its lower-left corner at (x, y) m.

    Parameters
    ----------
    kind : {"rack", "cdu", "air_unit", "junction"}
        What to place; ``count`` racks make a row (along x for racks facing
        north or south).
    x, y : float
        Position (m), snapped to ``snap`` m when given.
    properties
        File keys overriding the template (``power_kw=120``).

    Returns
    -------
    (Layout, list of str)
        The new layout and the ids of the placed components.
    """
    x, y = _snap(x, snap), _snap(y, snap)
    item = {**copy.deepcopy(TEMPLATES.get(kind, {})), **properties}
    if kind == "rack":
        before = {r.id for r in layout.racks}
        new = editing.add_rack_row(layout, count, x, y, prefix=PREFIXES["rack"], **item)
        return new, [r.id for r in new.racks if r.id not in before]
    cid = editing.next_id(layout, PREFIXES[kind])
    if kind == "cdu":
        for tag, pump in zip("ABCDEFGH", item["pumps"], strict=False):
            pump["id"] = f"{cid}-P{tag}"
        return editing.add_cdu(layout, {"id": cid, "x_m": x, "y_m": y, **item}), [cid]
    if kind == "air_unit":
        return editing.add(layout, "air_units", {"id": cid, "x_m": x, "y_m": y, **item}), [cid]
    if kind == "junction":
        elevation = min(HEADER_ELEVATION, layout.hall.height)
        junction = {"id": cid, "x_m": x, "y_m": y, "elevation_m": elevation, **item}
        return editing.add(layout, "junctions", junction), [cid]
    raise EditError.single(f"cannot place a '{kind}'; allowed: rack, cdu, air_unit, junction")


def link(layout: Layout, kind: str, from_id: str, to_id: str, diameter_mm: float,
         ) -> tuple[Layout, str]:
    """Join two junctions with a new pipe or (open, isolation) valve; returns its id too."""
    if from_id == to_id:
        raise EditError.single(f"a {kind} needs two different junctions, got '{from_id}' twice")
    lid = editing.next_id(layout, PREFIXES[kind])
    item = {"id": lid, "from": from_id, "to": to_id, "diameter_mm": diameter_mm}
    return editing.add(layout, f"{kind}s", item), lid


def add_leak(layout: Layout, at: str, coefficient: float = 5.0) -> tuple[Layout, str]:
    """Mark a junction or pipe as a place a leak can start (C in L/min per sqrt(kPa))."""
    lid = editing.next_id(layout, PREFIXES["leak"])
    item = {"id": lid, "at": at, "coefficient_lpm_per_sqrt_kpa": coefficient}
    return editing.add(layout, "leaks", item), lid


def own_hoses(layout: Layout, ids: Iterable[str]) -> set[str]:
    """Hose junctions of the given racks and CDUs that no other rack or CDU uses.

    They travel with their unit when it is moved, rotated or copied.
    """
    chosen = set(ids)
    units = [*layout.racks, *layout.cdus]
    others = {j for u in units if u.id not in chosen for j in (u.supply, u.return_)}
    return {j for u in units if u.id in chosen for j in (u.supply, u.return_)} - others


def _entries(document: Document, ids: set[str]) -> Iterable[Document]:
    for collection in _POSITIONED:
        yield from (c for c in document[collection] if c["id"] in ids)


def move_many(layout: Layout, ids: Iterable[str], dx: float, dy: float) -> Layout:
    """Shift equipment and junctions by (dx, dy) m; units take their own hoses along."""
    chosen = set(ids)
    chosen |= own_hoses(layout, chosen)

    def change(document: Document) -> None:
        for entry in _entries(document, chosen):
            entry["x_m"] = round(entry["x_m"] + dx, 6)
            entry["y_m"] = round(entry["y_m"] + dy, 6)

    return editing.apply(layout, change)


def rotate_many(layout: Layout, ids: Iterable[str]) -> Layout:
    """Turn each piece of equipment a quarter turn clockwise about its own centre.

    Its own hose junctions turn with it about the same centre.
    """
    chosen = [cid for cid in ids if getattr(_component(layout, cid), "facing", None)]
    if not chosen:
        raise EditError.single("select a rack, CDU or air unit to rotate")
    turned = {cid: _component(layout, cid).centre for cid in chosen}
    hoses = {h: turned[u.id] for u in (*layout.racks, *layout.cdus) if u.id in turned
             for h in own_hoses(layout, [u.id])}

    def change(document: Document) -> None:
        for entry in _entries(document, set(hoses)):
            cx, cy = hoses[entry["id"]]
            # A clockwise quarter turn seen from above: (u, v) -> (v, -u).
            u, v = entry["x_m"] - cx, entry["y_m"] - cy
            entry["x_m"], entry["y_m"] = round(cx + v, 6), round(cy - u, 6)

    # The twin turns each unit (facing and footprint); the hoses follow here.
    rotated = layout
    for cid in chosen:
        rotated = editing.rotate(rotated, cid)
    return editing.apply(rotated, change)


def _component(layout: Layout, cid: str) -> Any:
    located = layout.find(cid)
    return located.component if located else None


def copy_bundle(layout: Layout, ids: Iterable[str]) -> dict[str, list[Document]]:
    """The file form of the selected components, for the clipboard.

    Racks and CDUs bring their own hoses; pipes and valves come along when
    both their ends do, leaks when their place does.
    """
    chosen = set(ids)
    chosen |= own_hoses(layout, chosen)
    document = to_document(layout)
    nodes = {j["id"] for j in document["junctions"] if j["id"] in chosen}
    for collection in _LINKS:
        chosen |= {x["id"] for x in document[collection] if {x["from"], x["to"]} <= nodes}
    chosen |= {x["id"] for x in document["leaks"] if x["at"] in chosen}
    return {c: [copy.deepcopy(x) for x in document[c] if x["id"] in chosen] for c in COLLECTIONS}


def bundle_origin(bundle: dict[str, list[Document]]) -> tuple[float, float]:
    """Lower-left corner (m) of the positioned things in a bundle."""
    points = [(x["x_m"], x["y_m"]) for c in _POSITIONED for x in bundle.get(c, [])]
    if not points:
        raise EditError.single("nothing to paste: copy equipment or junctions first")
    return min(p[0] for p in points), min(p[1] for p in points)


def _stem(cid: str) -> str:
    return re.sub(r"\d+$", "", cid) or "C"


def paste_bundle(layout: Layout, bundle: dict[str, list[Document]], x: float, y: float,
                 snap: float | None = None) -> tuple[Layout, list[str]]:
    """Add a copy of a bundle with its lower-left corner at (x, y) m and fresh ids.

    References inside the bundle (hoses, pipe ends, leak places, pumps) are
    renamed along; references to things outside it are kept.
    """
    ox, oy = bundle_origin(bundle)
    dx, dy = _snap(x, snap) - ox, _snap(y, snap) - oy
    taken: list[str] = []
    names: dict[str, str] = {}
    for collection in ("racks", "cdus", "air_units"):
        for item in bundle.get(collection, []):
            names[item["id"]] = editing.next_id(layout, _stem(item["id"]), taken)
            taken.append(names[item["id"]])
    for collection in ("junctions", *_LINKS, "leaks"):
        for item in bundle.get(collection, []):
            owner = next((o for o in names if item["id"].startswith(f"{o}-")), None)
            if owner is not None and collection == "junctions":
                names[item["id"]] = names[owner] + item["id"][len(owner):]
            else:
                names[item["id"]] = editing.next_id(layout, _stem(item["id"]), taken)
            taken.append(names[item["id"]])
    copies: dict[str, list[Document]] = {}
    for collection, items in bundle.items():
        copies[collection] = []
        for original in items:
            item = copy.deepcopy(original)
            for key in ("id", "supply", "return", "from", "to", "at", "water_source"):
                if isinstance(item.get(key), str):
                    item[key] = names.get(item[key], item[key])
            if "x_m" in item:
                item["x_m"], item["y_m"] = round(item["x_m"] + dx, 6), round(item["y_m"] + dy, 6)
            for tag, pump in zip("ABCDEFGHIJKLMNOP", item.get("pumps", []), strict=False):
                pump["id"] = f"{item['id']}-P{tag}"
            copies[collection].append(item)

    def change(document: Document) -> None:
        for collection, items in copies.items():
            document[collection] += items

    new_ids = [names[x["id"]] for c in COLLECTIONS for x in bundle.get(c, [])]
    return editing.apply(layout, change), new_ids


def distance_to_segment(p: tuple[float, float], a: tuple[float, float],
                        b: tuple[float, float]) -> float:
    """Distance (m) from point ``p`` to the segment ``a``-``b`` on the floor plan."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * (bx - ax)
                                                     + (py - ay) * (by - ay)) / length2))
    return math.dist(p, (ax + t * (bx - ax), ay + t * (by - ay)))
