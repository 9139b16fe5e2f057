"""Problems found in a user's file, and how pydantic's errors become them.

Every problem names the file, the path inside it (``racks[12].power_kw``),
what is wrong and what is allowed, in one line.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

Severity = Literal["error", "warning"]

#: Union tags that pydantic puts into error locations of discriminated unions.
_UNION_TAGS = {
    "fail", "restore", "set", "open_valve", "close_valve", "leak_start", "leak_stop",
    "load_step", "load_ramp", "load_swing",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file.

    Attributes
    ----------
    file : str
        The file's name as the user gave it ("" for an in-memory model).
    path : str
        Path inside the file, e.g. ``racks[12].power_kw`` ("" for the whole file).
    message : str
        What is wrong and what is allowed.
    severity : {"error", "warning"}
        Errors make the file unusable; warnings are design concerns.
    component : str
        Id of the component at fault, when there is one (the GUI selects it).
    """

    file: str
    path: str
    message: str
    severity: Severity = "error"
    component: str = ""

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        prefix = ": ".join(parts)
        tag = "warning: " if self.severity == "warning" else ""
        return f"{prefix}: {tag}{self.message}" if prefix else f"{tag}{self.message}"


def format_path(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location into a file path: ``racks[12].power_kw``."""
    text = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        elif i >= 2 and loc[i - 2] == "events" and isinstance(loc[i - 1], int) \
                and part in _UNION_TAGS:
            pass  # the event's discriminator value is not part of the file's path
        else:
            text += f".{part}" if text else str(part)
    return text


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the key at the end of ``loc``, or None."""
    annotation: Any = root
    for part in loc:
        model = _as_model(annotation, part)
        if isinstance(part, int):
            annotation = _list_item(annotation)
            continue
        if model is None:
            return None
        if part in _UNION_TAGS:
            annotation = model
            continue
        field = next((f for name, f in model.model_fields.items()
                      if (f.alias or name) == part), None)
        if field is None:
            return None
        annotation = field.annotation
    return _as_model(annotation, None)


def _list_item(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    return args[0] if args else None


def _as_model(annotation: Any, tag: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _as_model(typing.get_args(annotation)[0], tag)
    if origin in (typing.Union, types.UnionType):
        models = [m for m in (_as_model(a, None) for a in typing.get_args(annotation)) if m]
        for model in models:
            action = model.model_fields.get("action")
            if action is not None and tag in typing.get_args(action.annotation):
                return model
        return models[0] if len(models) == 1 else None
    return None


def _allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    model = _model_at(root, loc)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _message(error: dict[str, Any], root: type[BaseModel]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        allowed = _allowed_keys(root, tuple(error["loc"][:-1]))
        hint = difflib.get_close_matches(key, allowed, n=1)
        text = "unknown key"
        if hint:
            text += f" (did you mean '{hint[0]}'?)"
        if allowed:
            text += "; allowed here: " + ", ".join(allowed)
        return text
    if kind in ("not_a_number", "out_of_range"):
        return error["msg"]
    if kind == "string_pattern_mismatch":
        return ("must be an id of letters, digits, '_', '-' and '.', starting with a letter or "
                f"digit, at most 64 characters; got {_describe(value)}")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be an object with keys, got {_describe(value)}"
    if kind == "list_type":
        return f"must be a list, got {_describe(value)}"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        return f"unknown action {_describe(ctx.get('tag'))}; allowed: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "required key 'action' is missing"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    text = str(error["msg"]).replace("Input should be", "must be")
    return f"{text}, got {_describe(value)}"


def from_pydantic(error: PydanticValidationError, file: str,
                  root: type[BaseModel]) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with file paths and plain messages."""
    problems = []
    for item in error.errors():
        problems.append(Problem(file, format_path(tuple(item["loc"])), _message(item, root)))
    return problems
