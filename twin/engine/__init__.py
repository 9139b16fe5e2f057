"""The coupled twin (DESIGN §3.3): one transient run of air, coolant, chips, plant and controls."""

from twin.engine.simulation import EngineOptions, Simulation, Snapshot, default_scenario

__all__ = ["EngineOptions", "Simulation", "Snapshot", "default_scenario"]
