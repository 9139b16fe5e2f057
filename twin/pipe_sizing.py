"""Piping a row of racks to a CDU: headers along the row and a branch per rack.

Pipes are sized from the design flow they carry and a velocity limit, picking
the smallest standard bore that keeps the velocity at or under the limit.
"""

from __future__ import annotations

import math

from twin.editing import Document, EditError, apply, next_id
from twin.model.base import Side
from twin.model.layout import Layout

#: Inner diameters (mm) of standard steel pipe, schedule 40, by nominal size DN.
STANDARD_BORES_MM = {
    15: 15.8, 20: 20.9, 25: 26.6, 32: 35.1, 40: 40.9, 50: 52.5, 65: 62.7, 80: 77.9,
    100: 102.3, 125: 128.2, 150: 154.1, 200: 202.7, 250: 254.5, 300: 303.2, 350: 333.3,
    400: 381.0, 450: 428.7, 500: 477.9, 600: 574.6,
}

#: Usual velocity limit (m/s) for technology-cooling-system piping (erosion and noise).
DEFAULT_VELOCITY_LIMIT = 2.0
#: Height (m) of overhead headers above the floor.
HEADER_ELEVATION = 3.0


def size_bore(flow_m3s: float, velocity_limit: float = DEFAULT_VELOCITY_LIMIT) -> float:
    """Smallest standard inner diameter (mm) carrying ``flow_m3s`` at <= ``velocity_limit`` m/s.

    Raises
    ------
    EditError
        If even the largest standard bore is too small.
    """
    for bore in STANDARD_BORES_MM.values():
        area = math.pi * (bore * 1e-3) ** 2 / 4
        if flow_m3s / area <= velocity_limit:
            return bore
    raise EditError.single(f"{flow_m3s * 6e4:,.0f} L/min needs more than DN600 at "
                           f"{velocity_limit:g} m/s")


def pipe_row(layout: Layout, rack_ids: list[str], cdu_id: str,
             velocity_limit: float = DEFAULT_VELOCITY_LIMIT,
             header_elevation: float = HEADER_ELEVATION) -> Layout:
    """Pipe a row of racks straight to a CDU's supply and return (see :func:`pipe_row_to`)."""
    cdu = next((c for c in layout.cdus if c.id == cdu_id), None)
    if cdu is None:
        raise EditError.single(f"no CDU '{cdu_id}'")
    return pipe_row_to(layout, rack_ids, cdu.supply, cdu.return_, velocity_limit,
                       header_elevation, prefix=f"{cdu_id}-{rack_ids[0] if rack_ids else ''}")


def pipe_row_to(layout: Layout, rack_ids: list[str], supply: str, return_: str,
                velocity_limit: float = DEFAULT_VELOCITY_LIMIT,
                header_elevation: float = HEADER_ELEVATION, prefix: str | None = None,
                isolation_valves: bool = False) -> Layout:
    """Pipe a row of racks to a supply and a return junction with overhead headers.

    Each rack gets a header tap above its hose junctions and a vertical branch
    to each hose; header segments carry the design flow of the racks beyond
    them and are fed from the end of the row nearest the supply junction.

    Parameters
    ----------
    layout : Layout
        The layout holding the racks (with their hose junctions) and the feed junctions.
    rack_ids : list of str
        The racks of the row, in any order.
    supply, return_ : str
        Junctions of the CDU (or shared header) that feed and take back the row.
    velocity_limit : float
        Largest design velocity in any new pipe (m/s).
    header_elevation : float
        Height of the headers above the floor (m).
    prefix : str, optional
        Id prefix of the new junctions, pipes and valves (default ``ROW-<first rack>``).
    isolation_valves : bool
        Put an isolation valve on the row's supply and return feed, so a leak
        in the row can be shut off from the loop.
    """
    nodes = layout.nodes
    by_id = {r.id: r for r in layout.racks}
    missing = [r for r in rack_ids if r not in by_id]
    if missing or not rack_ids:
        raise EditError.single("no rack(s) " + ", ".join(missing) if missing else "no racks given")
    for node in (supply, return_):
        if node not in nodes:
            raise EditError.single(f"no junction '{node}' to pipe the row to")
    racks = [by_id[r] for r in rack_ids]
    along_x = racks[0].inlet in (Side.NORTH, Side.SOUTH)
    racks.sort(key=lambda r: r.centre[0] if along_x else r.centre[1])
    feed = (nodes[supply].x, nodes[supply].y)
    if math.dist(racks[-1].centre, feed) < math.dist(racks[0].centre, feed):
        racks.reverse()  # feed from the end nearest the supply
    tag = prefix or f"ROW-{racks[0].id}"
    junctions: list[Document] = []
    pipes: list[Document] = []
    valves: list[Document] = []
    taken: list[str] = []

    def new_id(stem: str) -> str:
        taken.append(next_id(layout, f"{tag}-{stem}", taken))
        return taken[-1]

    def pipe(a: str, b: str, flow: float) -> None:
        pipes.append({"id": new_id("P"), "from": a, "to": b,
                      "diameter_mm": size_bore(flow, velocity_limit)})

    remaining = sum(r.design_flow for r in racks)
    previous = {"S": supply, "R": return_}
    if isolation_valves:
        for side, node in (("S", supply), ("R", return_)):
            inner = new_id(f"V{side}J")
            junctions.append({"id": inner, "x_m": nodes[node].x, "y_m": nodes[node].y,
                              "elevation_m": header_elevation})
            ends = (node, inner) if side == "S" else (inner, node)
            valves.append({"id": new_id(f"V{side}"), "from": ends[0], "to": ends[1],
                           "diameter_mm": size_bore(remaining, velocity_limit)})
            previous[side] = inner
    for rack in racks:
        for side, hose in (("S", rack.supply), ("R", rack.return_)):
            at = nodes[hose]
            tap = new_id(f"H{side}")
            junctions.append({"id": tap, "x_m": at.x, "y_m": at.y,
                              "elevation_m": header_elevation})
            if side == "S":
                pipe(previous[side], tap, remaining)
                pipe(tap, hose, rack.design_flow)
            else:
                pipe(tap, previous[side], remaining)
                pipe(hose, tap, rack.design_flow)
            previous[side] = tap
        remaining -= rack.design_flow

    def change(document: Document) -> None:
        document["junctions"] += junctions
        document["pipes"] += pipes
        document["valves"] += valves

    return apply(layout, change)
