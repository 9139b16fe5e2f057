"""Checks of the commands' numeric options, shared so that every command words them alike.

argparse turns ``nan`` and ``inf`` into floats without a word, and a
comparison with NaN is always false, so a check such as ``until <= 0``
lets NaN through (``halltwin run --until nan`` "completed" at 0 s, and
``--until inf`` ran for ever).  Each command checks its numbers here first.
"""

from __future__ import annotations

import math
from pathlib import Path

from twin.errors import UserError


def check_number(option: str, value: float | None, unit: str, most: float = math.inf) -> None:
    """Refuse ``value`` unless it is a finite number above 0 and at most ``most``.

    Parameters
    ----------
    option : str
        The option as the user typed it (``--until``).
    value : float or None
        Its value; ``None`` (not given) passes.
    unit : str
        The unit the option is in, for the message (``s``, ``m``).
    most : float
        The largest value allowed (same unit).

    Raises
    ------
    UserError
        ``--until must be a finite number > 0 s, got nan``.
    """
    if value is None or (math.isfinite(value) and 0 < value <= most):
        return
    allowed = (f"a finite number > 0 {unit}" if most == math.inf
               else f"> 0 and at most {most:g} {unit}")
    raise UserError(f"{option} must be {allowed}, got {value:g}")


def check_finite(option: str, value: float | None, unit: str) -> None:
    """Refuse ``value`` (when given) unless it is a finite number, for options that take the
    nearest of something (a frame's time, a slice's height), where any finite value means one.

    Raises
    ------
    UserError
        ``--time must be a finite number of s, got nan``.
    """
    if value is not None and not math.isfinite(value):
        raise UserError(f"{option} must be a finite number of {unit}, got {value:g}")


#: Endings of HDF5 files (runs and sweep summaries); the app opens a file as a run by them.
HDF5_SUFFIXES = (".h5", ".hdf5")


def check_output(option: str, path: str | Path, reads: dict[str, str | Path | None],
                 suffixes: tuple[str, ...] = ()) -> Path:
    """Refuse an output path the command must not write to, before anything is written.

    Parameters
    ----------
    option : str
        How the path was given (``-o``), for the message.
    path : path-like
        The output file.
    reads : dict
        What the command reads, by what it is (``{"layout": "hall.json"}``;
        ``None`` values are skipped): writing over one of them would destroy
        it (``export RUN.h5 --csv RUN.h5`` once replaced the run by its CSV).
    suffixes : tuple of str
        Endings the file must have (lower case), if any.

    Returns
    -------
    Path

    Raises
    ------
    UserError
        The path is a folder, lies in a folder that does not exist, names a
        file the command reads, or lacks one of ``suffixes``.
    """
    output = Path(path)
    if output.is_dir():
        raise UserError(f"{option} {output}: is a folder; give a file name in it")
    if not output.parent.exists():
        raise UserError(f"{output}: folder {output.parent} does not exist")
    for what, source in reads.items():
        if source is not None and output.exists() and output.samefile(source):
            raise UserError(f"{option} {output}: is the {what} this command reads; writing "
                            f"there would destroy it, give another name")
    if suffixes and output.suffix.lower() not in suffixes:
        raise UserError(f"{option} {output}: must end in {' or '.join(suffixes)} (an HDF5 file, "
                        f"which the app opens by that ending)")
    return output
