"""Reading and writing layout and scenario files (DESIGN §2).

Reading never raises anything but :class:`twin.errors.ValidationError`, whose
problems say what is wrong where; saving is atomic (a temporary file in the
same folder, flushed to disk, then renamed over the target), so a crash or a
full disk never leaves a half-written layout.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from twin.errors import UserError, ValidationError
from twin.model.layout import LAYOUT_FORMAT, LAYOUT_VERSION, Layout
from twin.model.scenario import SCENARIO_FORMAT, SCENARIO_VERSION, Scenario
from twin.problems import Problem, from_pydantic

#: Largest file accepted (bytes): a 10 MW hall is ~100 kB, so this only stops garbage.
MAX_FILE_BYTES = 32 * 1024 * 1024

_KNOWN_FORMATS = {LAYOUT_FORMAT: ("layout", LAYOUT_VERSION),
                  SCENARIO_FORMAT: ("scenario", SCENARIO_VERSION)}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows here (use a finite number)")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON document, turning every way it can fail into one problem.

    Raises
    ------
    ValidationError
        With a single problem naming the file: missing, unreadable, too large,
        binary, empty, not JSON, NaN or Infinity, nested too deeply.
    """
    name = str(path)

    def fail(message: str) -> ValidationError:
        return ValidationError([Problem(name, "", message)])

    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise fail(f"file is {size / 2**20:.0f} MiB; at most {MAX_FILE_BYTES // 2**20} MiB "
                       "is accepted")
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("is a folder, not a file") from None
    except OSError as error:
        raise fail(f"cannot be read: {error.strerror}") from None
    if b"\x00" in raw:
        raise fail("is a binary file, not JSON text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise fail(f"is not UTF-8 text (byte {error.start}); save it as UTF-8 JSON") from None
    if not text.strip():
        raise fail("is empty; expected a JSON object")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise fail(f"is not valid JSON: {error.msg} at line {error.lineno} column "
                   f"{error.colno}") from None
    except ValueError as error:  # NaN/Infinity, or an integer with thousands of digits
        raise fail(f"is not valid JSON: {error}") from None
    except RecursionError:
        raise fail("is not valid JSON: nested too deeply") from None


def _check_header(data: Any, name: str, expected: str) -> None:
    """Check the document is an object of the expected format and a known version."""
    kind, version = _KNOWN_FORMATS[expected]
    if not isinstance(data, dict):
        raise ValidationError([Problem(
            name, "", f"must be a JSON object with \"format\": \"{expected}\", got a JSON "
                      f"{type(data).__name__}")])
    found = data.get("format")
    if found != expected:
        if found in _KNOWN_FORMATS:
            message = (f"is a {_KNOWN_FORMATS[found][0]} file; a {kind} file is expected here "
                       f"(format \"{expected}\")")
        else:
            message = f"must be \"{expected}\", got {json.dumps(found)[:40]}"
        raise ValidationError([Problem(name, "format", message)])
    found_version = data.get("version")
    if isinstance(found_version, int) and not isinstance(found_version, bool) \
            and found_version > version:
        raise ValidationError([Problem(name, "version", f"version {found_version} is newer than "
                                       f"this program reads (up to {version}); update HallTwin")])


def _validate(model: type[BaseModel], data: Any, name: str) -> Any:
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        raise ValidationError(from_pydantic(error, name, model)) from None
    except RecursionError:
        raise ValidationError([Problem(name, "", "is nested too deeply")]) from None


def parse_layout(data: Any, name: str = "") -> Layout:
    """Validate a decoded layout document against the schema (no hall rules)."""
    _check_header(data, name, LAYOUT_FORMAT)
    return _validate(Layout, data, name)


def parse_scenario(data: Any, name: str = "") -> Scenario:
    """Validate a decoded scenario document against the schema."""
    _check_header(data, name, SCENARIO_FORMAT)
    return _validate(Scenario, data, name)


def load_layout(path: str | os.PathLike[str]) -> Layout:
    """Read a layout file and check it against the schema.

    The hall's rules (references, overlaps, loops) are checked by
    :func:`twin.validation.check_layout`.
    """
    return parse_layout(read_json(path), str(path))


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file and check it against the schema."""
    return parse_scenario(read_json(path), str(path))


def to_document(model: BaseModel) -> dict[str, Any]:
    """The file form of a model: file-unit keys, defaults included."""
    return model.model_dump(mode="json", by_alias=True)


def dump_text(model: BaseModel) -> str:
    """The JSON text a model is saved as (two-space indent, trailing newline)."""
    return json.dumps(to_document(model), indent=2, ensure_ascii=False) + "\n"


def save_atomic(model: BaseModel, path: str | os.PathLike[str]) -> None:
    """Write a layout or scenario so that ``path`` holds the old or the new file, never half.

    Raises
    ------
    UserError
        If the folder does not exist or cannot be written.
    """
    target = Path(path)
    text = dump_text(model)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent or Path("."))
    except OSError as error:
        raise UserError(f"{target}: cannot write here: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise UserError(f"{target}: cannot be saved: {error.strerror}") from None
        raise
