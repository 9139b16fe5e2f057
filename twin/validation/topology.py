"""Piping rules: references resolve, loops have pumps and tanks, racks hang right."""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.model.layout import Layout
from twin.problems import Problem


class _UnionFind:
    """Connected components of a graph given edge by edge."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


@dataclass
class Loop:
    """One coolant loop: the racks and CDUs joined by piping (any valve state)."""

    cdus: list[int] = field(default_factory=list)
    racks: list[int] = field(default_factory=list)


def coolant_loops(layout: Layout) -> list[Loop]:
    """The layout's coolant loops, each with the indices of its CDUs and racks.

    A loop is a connected part of the graph of junctions joined by pipes,
    valves, racks (supply to return) and CDUs (return to supply).
    """
    graph = _UnionFind()
    for link in (*layout.pipes, *layout.valves):
        graph.join(link.from_, link.to)
    for unit in (*layout.racks, *layout.cdus):
        graph.join(unit.supply, unit.return_)
    loops: dict[str, Loop] = {}
    for i, cdu in enumerate(layout.cdus):
        loops.setdefault(graph.find(cdu.supply), Loop()).cdus.append(i)
    for i, rack in enumerate(layout.racks):
        loops.setdefault(graph.find(rack.supply), Loop()).racks.append(i)
    return list(loops.values())


def check_references(layout: Layout, file: str) -> list[Problem]:
    """Duplicate ids and references to things that do not exist."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for located in layout.components():
        cid = located.component.id
        if cid in seen:
            problems.append(Problem(file, f"{located.path}.id", f"duplicate id '{cid}' (also "
                                    f"{seen[cid]})", component=cid))
        else:
            seen[cid] = located.path
    nodes = set(layout.nodes)
    cdus = {c.id for c in layout.cdus}

    def need_node(path: str, key: str, node: str, owner: str) -> None:
        if node not in nodes:
            problems.append(Problem(file, f"{path}.{key}", f"junction '{node}' does not exist",
                                    component=owner))

    for collection in ("racks", "cdus"):
        for i, unit in enumerate(getattr(layout, collection)):
            need_node(f"{collection}[{i}]", "supply", unit.supply, unit.id)
            need_node(f"{collection}[{i}]", "return", unit.return_, unit.id)
            if unit.supply == unit.return_:
                problems.append(Problem(file, f"{collection}[{i}].return", f"'{unit.id}' has the "
                                        f"same junction for supply and return", component=unit.id))
    for collection in ("pipes", "valves"):
        for i, link in enumerate(getattr(layout, collection)):
            need_node(f"{collection}[{i}]", "from", link.from_, link.id)
            need_node(f"{collection}[{i}]", "to", link.to, link.id)
            if link.from_ == link.to:
                problems.append(Problem(file, f"{collection}[{i}].to",
                                        f"'{link.id}' ends at the junction it starts from "
                                        f"('{link.to}')", component=link.id))
    pipes = {p.id for p in layout.pipes}
    for i, leak in enumerate(layout.leaks):
        if leak.at not in nodes | pipes:
            problems.append(Problem(file, f"leaks[{i}].at", f"no junction or pipe '{leak.at}'",
                                    component=leak.id))
    sources = [(f"air_units[{i}]", a.id, a.water_source) for i, a in enumerate(layout.air_units)]
    sources += [(f"racks[{i}].rear_door", r.id, r.rear_door.water_source)
                for i, r in enumerate(layout.racks) if r.rear_door]
    for path, owner, source in sources:
        if source != "facility" and source not in cdus:
            problems.append(Problem(file, f"{path}.water_source", f"must be 'facility' or a CDU "
                                    f"id, got '{source}'", component=owner))
    return problems


def check_loops(layout: Layout, file: str) -> list[Problem]:
    """Each loop has a CDU, a duty pump and an expansion tank; racks hang between
    a supply and a return reached through pipes from a CDU."""
    problems: list[Problem] = []
    for loop in coolant_loops(layout):
        cdus = [layout.cdus[i] for i in loop.cdus]
        if not cdus:
            ids = ", ".join(layout.racks[i].id for i in loop.racks)
            first = loop.racks[0]
            problems.append(Problem(file, f"racks[{first}]", f"rack(s) {ids} hang on a loop with "
                                    "no CDU", component=layout.racks[first].id))
            continue
        where, owner = f"cdus[{loop.cdus[0]}]", cdus[0].id
        if not any(c.pumps for c in cdus):
            problems.append(Problem(file, f"{where}.pumps", f"the loop of '{owner}' has no pump",
                                    component=owner))
        elif not any(not p.standby for c in cdus for p in c.pumps):
            problems.append(Problem(file, f"{where}.pumps", f"every pump on the loop of '{owner}' "
                                    "is standby; one must be on duty", component=owner))
        if not any(c.expansion_tank for c in cdus):
            problems.append(Problem(file, f"{where}.expansion_tank", f"the loop of '{owner}' has "
                                    "no expansion tank", component=owner))
    problems += _check_rack_hoses(layout, file)
    return problems


def _check_rack_hoses(layout: Layout, file: str) -> list[Problem]:
    """A rack's supply must be piped to a CDU supply, its return to a CDU return."""
    piping = _UnionFind()
    for link in (*layout.pipes, *layout.valves):
        piping.join(link.from_, link.to)
    supplies = {piping.find(c.supply) for c in layout.cdus}
    returns = {piping.find(c.return_) for c in layout.cdus}
    nodes = layout.nodes
    problems = []
    for i, rack in enumerate(layout.racks):
        if rack.supply in nodes and piping.find(rack.supply) not in supplies:
            problems.append(Problem(file, f"racks[{i}].supply", f"junction '{rack.supply}' is not "
                                    "piped to any CDU supply", component=rack.id))
        if rack.return_ in nodes and piping.find(rack.return_) not in returns:
            problems.append(Problem(file, f"racks[{i}].return", f"junction '{rack.return_}' is not "
                                    "piped to any CDU return", component=rack.id))
    return problems
