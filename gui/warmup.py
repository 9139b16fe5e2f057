"""Warm the engine's compiled kernels: ``python -m gui.warmup`` (imports only ``twin``).

The coolant network's kernels (always) and the air model's (on the CPU:
numba) are compiled by numba with ``cache=True``, so the first process to run
them compiles them (seconds for the network, tens of seconds for the air) and
writes the machine code to numba's on-disk cache; every later process loads
it from there in a fraction of a second.  Compiling holds the interpreter's
lock the whole time, so inside the desktop app it would freeze the window:
:class:`gui.kernels.KernelWarmup` runs this module in a short-lived process
instead, which fills the cache while the window stays responsive, and then
calls :func:`warm` once more in the app (now only loading, in short pieces).

twin has no public warm-up entry point, so this runs the smallest real runs
that touch every kernel a live run uses: two simulated seconds of the 1 MW
pod, coolant side only, and one second with the air model on the ``auto``
backend (the one a live run uses by default) at a coarse grid.
"""

from __future__ import annotations

import sys
import time

from twin.engine import EngineOptions, Simulation, default_scenario
from twin.examples import layouts_dir
from twin.files import load_layout

#: The example hall the warm-up runs: small, with every kind of equipment.
HALL = "pod-1mw.json"
#: Air grid spacing of the warm-up (m): kernels are compiled per array type, not size.
WARM_SPACING = 0.5


def warm(air: bool = True) -> str:
    """Run every kernel of a live run once, compiling what numba has not cached.

    Parameters
    ----------
    air : bool
        Also the air model's kernels on the ``auto`` backend.

    Returns
    -------
    str
        What was warmed, e.g. ``coolant network, air (numba)``.

    Raises
    ------
    Exception
        Whatever the engine raised (a backend that cannot run, a broken cache).
    """
    layout = load_layout(layouts_dir() / HALL)
    Simulation(layout, default_scenario(2.0), EngineOptions(air=False)).run()
    if not air:
        return "coolant network"
    sim = Simulation(layout, default_scenario(1.0),
                     EngineOptions(air=True, air_spacing=WARM_SPACING, spin_up=0.0))
    sim.run()
    return f"coolant network, air ({sim.backend.name})"


def main(argv: list[str] | None = None) -> int:
    """Warm the kernels; print what was warmed and how long it took; 1 on failure."""
    argv = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    try:
        what = warm(air="--no-air" not in argv)
    except Exception as error:  # noqa: BLE001 - the app shows the reason, one line
        print(f"kernels not warmed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"kernels warm: {what} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
