"""Colours of the hall canvas and the light and dark themes of the app.

The dark theme is an explicit Fusion palette: on X11, Qt's colour-scheme
hint changed nothing, so the palette is set colour by colour.  The canvas
colours are chosen to read on both backgrounds and to stay apart for the
common colour-vision deficiencies (state colours differ in lightness too).
"""

from __future__ import annotations

import functools

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from twin.model.layout import Layout

#: Rack fill by operating state (states come from runs; "ok" until then).
STATE_COLOURS = {
    "ok": "#3b7dd8",
    "alarm": "#e8b400",
    "throttled": "#f07f1a",
    "tripped": "#c9242b",
}
#: Fill of the other equipment and the marks on the piping.
EQUIPMENT_COLOURS = {"cdu": "#2a9d6f", "air_unit": "#8064c8", "junction": "#404040",
                     "inlet": "#bfe3ff", "leak": "#00b7d4", "closed_valve": "#d62728",
                     "valve": "#606060", "selected": "#ff2bd6"}
#: Pipe colours, one per coolant loop, cycled.
#: Kept clear of the rack state colours (blue, yellow, orange, red) and the selection.
LOOP_COLOURS = ["#00838f", "#6b8e00", "#5e3c99", "#8c564b", "#1a237e", "#4d4d4d"]
#: Colour map of the air-temperature heatmap and of pipes coloured by a value.
HEATMAP_COLORMAP = "CET-L8"
VALUE_COLORMAP = "viridis"
#: A sweep's worst outcome when a component fails: light yellow (mildest) to dark red
#: (worst), so "worse" reads as "hotter" on the light and the dark canvas.
OUTCOME_COLOURS = ("#ffe08a", "#f07f1a", "#9e0a0a")
#: Fill of what no contingency fails while the plan shows a sweep's outcome.
OUTCOME_NEUTRAL = "#c4c4c4"


def _dark_palette() -> QtGui.QPalette:
    role = QtGui.QPalette.ColorRole
    group = QtGui.QPalette.ColorGroup
    palette = QtGui.QPalette()
    colours = {
        role.Window: "#2b2d31", role.WindowText: "#e6e6e6", role.Base: "#1f2023",
        role.AlternateBase: "#2f3136", role.ToolTipBase: "#3a3d42", role.ToolTipText: "#f0f0f0",
        role.PlaceholderText: "#8a8a8a", role.Text: "#e6e6e6", role.Button: "#35383d",
        role.ButtonText: "#e6e6e6", role.BrightText: "#ff5555", role.Link: "#6cb4ff",
        role.Highlight: "#2f6fbf", role.HighlightedText: "#ffffff", role.Light: "#45484e",
        role.Midlight: "#3a3d42", role.Mid: "#2a2c30", role.Dark: "#1a1b1e",
        role.Shadow: "#000000",
    }
    for which, colour in colours.items():
        palette.setColor(which, QtGui.QColor(colour))
    for which in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, which, QtGui.QColor("#7a7a7a"))
    return palette


def apply_theme(app: QtWidgets.QApplication, dark: bool) -> None:
    """Switch the whole app between the light and the dark Fusion theme."""
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if dark else app.style().standardPalette())


def canvas_colours(dark: bool) -> dict[str, str]:
    """Background, hall outline, grid and text colours of the canvas for a theme."""
    if dark:
        return {"background": "#1b1c1f", "outline": "#c8c8c8", "text": "#e6e6e6",
                "floor": "#26282c"}
    return {"background": "#ffffff", "outline": "#505050", "text": "#202020", "floor": "#f4f4f2"}


def colormap(name: str) -> pg.ColorMap:
    """A pyqtgraph colour map by name (the bundled CET and matplotlib-style maps)."""
    return pg.colormap.get(name)


def outcome_colour(fraction: float) -> str:
    """Colour of an outcome at ``fraction`` (0 mildest .. 1 worst) of the shown range."""
    cmap = pg.ColorMap([0.0, 0.5, 1.0], list(OUTCOME_COLOURS))
    return cmap.map(min(max(fraction, 0.0), 1.0), mode="qcolor").name()


@functools.cache
def value_colours() -> list[str]:
    """Pipe colours by value: the value colour map sampled at 256 points, low to high."""
    return [c.name() for c in colormap(VALUE_COLORMAP).getLookupTable(nPts=256, mode="qcolor")]


def loop_colours(layout: Layout) -> dict[str, str]:
    """A colour for each junction: the colour of the coolant loop it belongs to."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for a, b in [(x.from_, x.to) for x in (*layout.pipes, *layout.valves)] + \
            [(u.supply, u.return_) for u in (*layout.racks, *layout.cdus)]:
        parent[find(a)] = find(b)
    # Number loops by their first CDU, so colours stay put as pipes are added.
    roots = [find(c.supply) for c in layout.cdus] + [find(j.id) for j in layout.junctions]
    order = {root: i for i, root in enumerate(dict.fromkeys(roots))}
    return {j.id: LOOP_COLOURS[order[find(j.id)] % len(LOOP_COLOURS)] for j in layout.junctions}
