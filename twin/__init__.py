"""HallTwin: digital twin of a liquid-cooled AI data hall."""

__version__ = "0.1.0"
