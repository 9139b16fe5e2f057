"""The hall canvas: floor plan, equipment, piping and the air-temperature heatmap."""

from gui.canvas.view import HallCanvas

__all__ = ["HallCanvas"]
