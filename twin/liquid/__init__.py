"""The hall's liquid side on the network solver: TCS loops, CDUs, plant, power and water.

:func:`build_loops` turns a layout into one coolant network per loop;
:func:`steady_state` solves the hall at a given operating state (which
pumps and CDUs are out, ambient, load); :mod:`twin.liquid.design_check`
turns that into the engineer's report of ``halltwin check``.
"""

from twin.liquid.loops import CoolantLoop, build_loops
from twin.liquid.steady import HallState, steady_state

__all__ = ["CoolantLoop", "build_loops", "HallState", "steady_state"]
