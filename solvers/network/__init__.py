"""Coolant networks: steady hydraulics (GGA) and heat transport, domain-free.

Build a network by name, solve its hydraulics, carry temperatures::

    from solvers.network import NetworkBuilder, PumpCurve, HydraulicSolver, PG25
    from solvers.network import HeatTransport, HeatExchanger

    b = NetworkBuilder("darcy-weisbach", fluid=PG25)
    b.add_fixed_head("tank", head=12.0, elevation=2.0)      # expansion tank
    ...
    net = b.build()                                         # immutable
    solver = HydraulicSolver(net)
    settings = net.settings()                               # what may change
    result = solver.solve(settings, temperature=35.0)
    heat = HeatTransport(net, initial_temperature=35.0)
    step = heat.step(result, dt=1.0, link_heat={"plate": 1.2e5},
                     exchangers=[HeatExchanger("hx", 8e4, 30.0, 0.02)])

EPANET files: :func:`solvers.network.epanet.read_inp`.  Physics, choices
and verification: ``docs/network.md``.  Everything is SI (m, m³/s, Pa, W, °C).
"""

from solvers.network.components import PumpCurve, loss_coefficient, throttle_loss_coefficient
from solvers.network.fluids import PG25, WATER, Fluid, constant_fluid, tabulated_fluid
from solvers.network.heat import (
    HeatExchanger,
    HeatStep,
    HeatTransport,
    counterflow_effectiveness,
)
from solvers.network.hydraulics import HydraulicSolver, SolverOptions, solve
from solvers.network.network import Network, NetworkBuilder, NetworkError
from solvers.network.results import LINK_STATES, NODE_STATES, HydraulicResult
from solvers.network.settings import Settings

__all__ = [
    "PG25", "WATER", "Fluid", "constant_fluid", "tabulated_fluid",
    "HeatExchanger", "HeatStep", "HeatTransport", "counterflow_effectiveness",
    "HydraulicSolver", "SolverOptions", "solve",
    "Network", "NetworkBuilder", "NetworkError", "Settings",
    "PumpCurve",
    "LINK_STATES", "NODE_STATES", "HydraulicResult",
    "loss_coefficient", "throttle_loss_coefficient",
]
