"""Which isolation valves cut a leak point off from its loop.

From the leak's junction, walk the piping through pipes and racks (they carry
the leak's coolant either way) but not through valves or CDUs: the valves met
on the way bound the wet zone, and closing them isolates it.  A leak with no
such valves (a pod piped straight to its CDU) cannot be isolated: its loop
drains until the tank's low level trips the pumps.
"""

from __future__ import annotations

from twin.model.layout import Layout


def leak_zones(layout: Layout) -> dict[str, tuple[str, ...]]:
    """Leak id -> the isolation valves that bound its zone (empty if none)."""
    neighbours: dict[str, list[str]] = {}
    for a, b in [(p.from_, p.to) for p in layout.pipes] + \
            [(r.supply, r.return_) for r in layout.racks]:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    valves_at: dict[str, list[str]] = {}
    for valve in layout.valves:
        if valve.kind == "isolation":
            valves_at.setdefault(valve.from_, []).append(valve.id)
            valves_at.setdefault(valve.to, []).append(valve.id)
    pipes = {p.id: p for p in layout.pipes}
    zones = {}
    for leak in layout.leaks:
        start = pipes[leak.at].from_ if leak.at in pipes else leak.at
        seen, frontier = {start}, [start]
        while frontier:
            for other in neighbours.get(frontier.pop(), []):
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
        zones[leak.id] = tuple(sorted({v for node in seen for v in valves_at.get(node, [])}))
    return zones
