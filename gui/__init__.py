"""HallTwin's desktop app (PySide6 + pyqtgraph): a view and an editor over :mod:`twin`."""
