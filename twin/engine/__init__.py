"""The coupled twin (DESIGN §3.3): one transient run of air, coolant, chips, plant and controls."""

from twin.engine.simulation import (
    COURANT_RANGE,
    EngineOptions,
    Simulation,
    Snapshot,
    default_scenario,
)

__all__ = ["COURANT_RANGE", "EngineOptions", "Simulation", "Snapshot", "default_scenario"]
