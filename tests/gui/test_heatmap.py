"""The air-temperature heatmap, rack states and pipe colours on the canvas."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from twin.examples import layouts_dir


def test_five_thousand_heatmap_updates_without_a_crash(window, qtbot):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    hall = window.document.layout.hall
    nz, ny, nx = 8, int(hall.depth / 0.25), int(hall.width / 0.25)
    rng = np.random.default_rng(1)
    base = (22.0 + 10.0 * rng.random((nz, ny, nx))).astype(np.float32)
    image = window.canvas.heatmap.image
    for frame in range(5000):
        window.panel.set_air_field(base + np.float32(frame % 50) * 0.1, 0.25)
        if frame % 25 == 0:
            QtCore.QCoreApplication.processEvents()
        if frame % 500 == 0:
            window.canvas.viewport().repaint()
    QtCore.QCoreApplication.processEvents()
    # Levels stay fixed: the image is coloured on the colour bar's range, never auto-scaled.
    assert tuple(image.getLevels()) == window.canvas.heatmap.levels
    assert image.image.shape == (ny, nx)
    assert image.width() == nx and image.boundingRect().width() == nx


def test_height_slider_and_hover_temperature(window):
    field = np.zeros((4, 36, 48), dtype=np.float32)
    field[2, 10, 20] = 40.0  # cell centre at x = 5.125 m, y = 2.625 m, z = 1.25 m
    window.panel.set_air_field(field, (0.5, 0.25, 0.25))
    assert window.panel.slider.maximum() == 3
    window.panel.slider.setValue(2)
    assert window.canvas.heatmap.index == 2
    assert "z 1.25 m" in window.panel.height_label.text()
    assert "air 40.0 °C at z 1.25 m" in window.canvas.hover_text(5.1, 2.6)
    assert "air 0.0 °C" in window.canvas.hover_text(1.0, 1.0)
    with pytest.raises(ValueError, match="3-D"):
        window.canvas.set_air_field(np.zeros((3, 3)), 0.25)


def test_rack_states_and_pipe_values_recolour_items(window):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    canvas = window.canvas
    rack = window.document.layout.racks[0].id
    canvas.set_rack_states({rack: "tripped"})
    assert canvas.items[rack].brush().color().name() == "#c9242b"
    with pytest.raises(ValueError, match="allowed"):
        canvas.items[rack].set_state("melted")
    pipe = window.document.layout.pipes[0].id
    before = canvas.items[pipe].colour
    window.panel.set_pipe_values({pipe: 10.0}, (0.0, 10.0), "flow (L/min)")
    assert canvas.items[pipe].colour != before
    assert "pipes by flow (L/min): dark 0 → yellow 10" in window.panel.legend.text()
    canvas.redraw(window.document.layout)
    assert canvas.items[pipe].colour != before, "values survive a redraw"
    canvas.set_pipe_values({}, (0.0, 1.0))
    assert canvas.items[pipe].colour == before


def test_vertical_section_follows_the_line_and_outlines_the_racks(window):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    rack = window.document.layout.racks[0]
    field = np.zeros((18, 36, 48), dtype=np.float32)
    j = int(rack.centre[1] / 0.25)
    field[:, j, :] = np.arange(18, dtype=np.float32)[:, None] + 20.0  # warmer with height
    window.panel.set_air_field(field, 0.25)
    section = window.section
    assert section.line.isVisible()
    section.set_y(rack.centre[1])
    assert section.image.image.shape == (18, 48)
    assert section.image.image[17, 0] == 37.0
    assert "y = " in section.plotItem.titleLabel.text
    assert any(o.rect().left() == rack.footprint[0] for o in section.outlines)
    section.set_y(0.1)
    assert not section.outlines and section.image.image[17, 0] == 0.0
