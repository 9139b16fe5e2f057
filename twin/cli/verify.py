"""``halltwin verify CASE``: run a textbook case with the air solver and print its figures.

The cases themselves live in :mod:`solvers.air` (domain-free); this module
only parses the options, runs the case and prints the result, with the error
against the published table where there is one (Ghia et al. 1982 for the
lid-driven cavity at Re 100 and 1000, de Vahl Davis 1983 for the heated
cavity at Ra 1e4 and 1e5).
"""

from __future__ import annotations

import argparse
import inspect
import json

from solvers.air import CASE_NAMES, DEFAULT_N, run_case
from solvers.backend import BACKEND_NAMES, BackendUnavailable, select_backend
from twin.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verify`` sub-command."""
    parser = subparsers.add_parser(
        "verify",
        help="run a verification case of the air solver",
        description="Run a textbook case (lid-driven cavity, differentially heated cavity, "
        "heat-equation mode, advected Gaussian, Taylor-Green vortex, rack in a box) "
        "and print its figures and the error against the published table.",
    )
    parser.add_argument("case", choices=CASE_NAMES, help="which case")
    parser.add_argument(
        "--n",
        type=int,
        default=None,
        help="cells per side (default: "
        + ", ".join(f"{k} {v}" for k, v in DEFAULT_N.items())
        + ")",
    )
    parser.add_argument("--re", type=float, help="cavity Reynolds number (100)")
    parser.add_argument("--ra", type=float, help="heated-cavity Rayleigh number (1e4)")
    parser.add_argument("--pr", type=float, help="heated-cavity Prandtl number (0.71)")
    parser.add_argument("--spacing", type=float, help="rack-box grid spacing, m (0.25)")
    parser.add_argument(
        "--backend",
        default="auto",
        choices=("auto",) + BACKEND_NAMES,
        help="array backend (auto: cupy with a GPU, else numba, else numpy)",
    )
    parser.add_argument(
        "--advection",
        default="flux",
        choices=("flux", "semi-lagrangian"),
        help="transport scheme (flux: the explicit reference; semi-lagrangian: the long steps "
        "that hall runs use)",
    )
    parser.add_argument(
        "--courant",
        type=float,
        default=None,
        help="cells per step of the semi-Lagrangian scheme (default 4)",
    )
    parser.add_argument("--float32", action="store_true", help="single precision fields")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


#: The options each case takes (``--courant`` goes with ``--advection semi-lagrangian``).
CASE_OPTIONS = {"cavity": ("n", "re"), "heated-cavity": ("n", "ra", "pr"), "heat": ("n",),
                "gaussian": ("n",), "taylor-green": ("n",), "rack-box": ("spacing",)}
#: The physical options' defaults: :func:`run_case`'s own.
DEFAULTS = {name: parameter.default for name, parameter
            in inspect.signature(run_case).parameters.items()
            if name in ("re", "ra", "pr", "spacing")}  # fmt: skip


def _check(args):
    """Refuse options the case does not take (they were ignored: ``heat --re 5`` ran the
    heat case as if it had not been given) and numbers out of range; fill in defaults."""
    takes = CASE_OPTIONS[args.case]
    for name in ("n", "re", "ra", "pr", "spacing"):
        if getattr(args, name) is not None and name not in takes:
            allowed = " and ".join(f"--{o}" for o in takes)
            raise UserError(f"--{name} does not apply to the {args.case} case (it takes "
                            f"{allowed})")
    if args.courant is not None and args.advection != "semi-lagrangian":
        raise UserError("--courant sets the semi-Lagrangian step: it needs --advection "
                        "semi-lagrangian")
    for name, value in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.n is not None and not 4 <= args.n <= 4096:
        raise UserError(f"--n must be between 4 and 4096 cells, got {args.n}")
    if args.case == "heat" and args.n is not None and args.n % 4:
        raise UserError(f"heat runs n, n/2 and n/4: --n must be a multiple of 4, got {args.n}")
    for name, value in (
        ("--re", args.re),
        ("--ra", args.ra),
        ("--pr", args.pr),
        ("--spacing", args.spacing),
        ("--courant", 1.0 if args.courant is None else args.courant),
    ):
        if not value > 0 or value == float("inf"):
            raise UserError(f"{name} must be a positive number, got {value}")
    if args.spacing > 1.0:
        raise UserError(
            f"--spacing must be at most 1 m for the 6 x 4 x 3 m room, got {args.spacing}"
        )


def _print_text(result, backend):
    params = ", ".join(f"{k}={v}" for k, v in result["params"].items())
    print(f"{result['case']} ({params}) on {backend.name}: {backend.device}")
    samples = result["samples"]
    if result["case"] == "cavity":
        print(f"{'y':>8} {'u(x=0.5)':>10}   {'x':>8} {'v(y=0.5)':>10}")
        for y, u, x, v in zip(samples["y"], samples["u"], samples["x"], samples["v"], strict=True):
            print(f"{y:8.4f} {u:10.5f}   {x:8.4f} {v:10.5f}")
    elif result["case"] == "heat":
        for n, rms in zip(samples["n"], samples["rms_error"], strict=True):
            print(f"  n = {n:4d}: RMS error {rms:.4e}")
    for name, value in result["metrics"].items():
        print(f"  {name:28s} {value:.6g}" if isinstance(value, float) else f"  {name:28s} {value}")
    if result["metrics"].get("steady") is False:
        print("  not steady: the flow still changed at the run's time limit; these are its last "
              "figures")  # fmt: skip
    if result["reference_error"] is None:
        print("  no reference table for these parameters")
    else:
        print("  error against the reference table:")
        for name, value in result["reference_error"].items():
            print(f"    {name:26s} {value:+.4g}")


def run(args: argparse.Namespace) -> int:
    """Run the case and print it; returns 0 (1 for user mistakes, via UserError)."""
    _check(args)
    try:
        backend = select_backend(args.backend)
    except BackendUnavailable as error:
        raise UserError(str(error)) from None
    dtype = "float32" if args.float32 else "float64"
    try:
        result = run_case(
            args.case,
            backend,
            n=args.n,
            re=args.re,
            ra=args.ra,
            pr=args.pr,
            spacing=args.spacing,
            dtype=dtype,
            advection=args.advection,
            courant=args.courant,
        )
    except (RuntimeError, ValueError) as error:  # a run that stopped, or a grid too coarse
        raise UserError(f"{args.case}: {error}") from None
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result, backend)
    return 0
