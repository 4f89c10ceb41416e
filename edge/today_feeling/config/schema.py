"""Declarative settings: frozen dataclasses whose fields carry their own docs and bounds.

Each setting is declared once with :func:`setting`; the same declaration drives
validation (:func:`parse_section`) and the commented example config
(:func:`render_example`), so the documentation can never drift from the code.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from today_feeling.errors import ConfigError
from today_feeling.setting_fields import setting_meta

T = TypeVar("T")


def setting(
    default: Any,
    doc: str,
    *,
    unit: str | None = None,
    min: float | None = None,
    max: float | None = None,
    secret: bool = False,
    check: Callable[[Any], None] | None = None,
) -> Any:
    """Declare one setting with its default, a one-line doc, unit and inclusive bounds;
    ``check`` raises ValueError for a value of the right type that is still malformed (a
    grammar, e.g. an address), so the error names this key."""
    if isinstance(default, list | dict):
        raise TypeError("use tuples for sequence defaults so settings stay immutable")
    meta = setting_meta(doc, unit=unit, min=min, max=max, secret=secret, check=check)
    return dataclasses.field(default=default, metadata=meta)


def section(cls: type[T], doc: str) -> Any:
    """Declare a nested section whose defaults come from ``cls()``."""
    return dataclasses.field(default_factory=cls, metadata={"doc": doc, "section": True})


def _type_name(tp: Any) -> str:
    if get_origin(tp) is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    return getattr(tp, "__name__", str(tp))


def _coerce_union(value: Any, tp: Any, key: str) -> Any:
    for option in get_args(tp):
        if option is type(None):
            if value is None:
                return None
            continue
        try:
            return _coerce(value, option, key)
        except ConfigError:
            continue
    names = " or ".join(_type_name(a) for a in get_args(tp))
    raise ConfigError(key, f"expected {names}, got {type(value).__name__} {value!r}")


def _coerce_tuple(value: Any, tp: Any, key: str) -> Any:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ConfigError(key, f"expected a list, got {type(value).__name__}")
    item_type = get_args(tp)[0]
    return tuple(_coerce(v, item_type, f"{key}[{i}]") for i, v in enumerate(value))


def _coerce_scalar(value: Any, tp: Any, key: str) -> Any:
    # bool is an int subclass in Python, but `true` is never a valid number here.
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tp in (str, bool) and isinstance(value, tp):
        return value
    expected = {float: "a number", int: "an integer"}.get(tp, getattr(tp, "__name__", str(tp)))
    raise ConfigError(key, f"expected {expected}, got {type(value).__name__} {value!r}")


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Check ``value`` against the annotation ``tp``; ints are accepted where floats are."""
    origin = get_origin(tp)
    if origin is Literal:
        if value not in get_args(tp):
            raise ConfigError(key, f"must be one of {_type_name(tp)}, got {value!r}")
        return value
    if origin in (Union, types.UnionType):
        return _coerce_union(value, tp, key)
    if origin is tuple:
        return _coerce_tuple(value, tp, key)
    if tp in (float, int, str, bool):
        return _coerce_scalar(value, tp, key)
    raise TypeError(f"unsupported setting type {tp!r} at {key}")  # a programming error


def _check_bounds(value: Any, meta: Mapping[str, Any], key: str) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    low, high = meta.get("min"), meta.get("max")
    if low is not None and value < low:
        raise ConfigError(key, f"must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ConfigError(key, f"must be <= {high}, got {value}")


def _checked(value: Any, tp: Any, meta: Mapping[str, Any], key: str) -> Any:
    """Type, bounds and grammar of one value: the same checks for the file and for overrides."""
    value = _coerce(value, tp, key)
    _check_bounds(value, meta, key)
    check = meta.get("check")
    if check is not None:
        try:
            check(value)
        except ValueError as err:
            raise ConfigError(key, str(err)) from err
    return value


def parse_section(cls: type[T], data: Mapping[str, Any], path: str = "") -> T:
    """Build ``cls`` from a TOML table, rejecting unknown keys, wrong types and bad ranges.

    Every problem of the file is reported at once (one ConfigError naming the first key and
    listing the others), so fixing a config is one round, not one per typo.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(path or "<root>", f"expected a table, got {type(data).__name__}")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    errors: list[ConfigError] = [
        ConfigError(_join(path, key), f"unknown key (known keys: {', '.join(sorted(fields))})")
        for key in data if key not in fields]
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            continue
        key = _join(path, name)
        try:
            if field.metadata.get("section"):
                values[name] = parse_section(hints[name], data[name], key)
            else:
                values[name] = _checked(data[name], hints[name], field.metadata, key)
        except ConfigError as err:
            errors.extend(err.all)
    if errors:
        raise ConfigError.combine(errors)
    try:
        return cls(**values)
    except ValueError as err:  # __post_init__ cross-field checks
        raise ConfigError(path or "<root>", str(err)) from err


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if value is None:
        return '""'
    return repr(value)


def render_example(cls: type[Any], header: str) -> str:
    """Render a commented TOML file with every setting at its default value."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    _render(cls, "", lines)
    return "\n".join(lines) + "\n"


def _render(cls: type[Any], path: str, lines: list[str]) -> None:
    hints = get_type_hints(cls)
    plain = [f for f in dataclasses.fields(cls) if not f.metadata.get("section")]
    nested = [f for f in dataclasses.fields(cls) if f.metadata.get("section")]
    instance = cls()
    for field in plain:
        meta = field.metadata
        extra = []
        if meta.get("unit"):
            extra.append(meta["unit"])
        if meta.get("min") is not None or meta.get("max") is not None:
            extra.append(f"range {meta.get('min', '')}..{meta.get('max', '')}")
        if get_origin(hints[field.name]) is Literal:
            extra.append("one of " + _type_name(hints[field.name]))
        suffix = f" [{'; '.join(extra)}]" if extra else ""
        lines.append(f"# {meta.get('doc', '')}{suffix}")
        lines.append(f"{field.name} = {_toml_value(getattr(instance, field.name))}")
    for field in nested:
        name = _join(path, field.name)
        lines.append("")
        lines.append(f"# {field.metadata.get('doc', '')}")
        lines.append(f"[{name}]")
        _render(hints[field.name], name, lines)


def replace_path(obj: T, dotted: str, value: Any) -> T:
    """A copy of nested frozen settings with one dotted key replaced (CLI overrides), checked
    exactly like the same key in the file (type, bounds, grammar, cross-field rules)."""
    return _replace_checked(obj, dotted, value, dotted)


def _replace_checked(obj: T, dotted: str, value: Any, full_key: str) -> T:
    head, _, rest = dotted.partition(".")
    if rest:
        return dataclasses.replace(obj, **{head: _replace_checked(getattr(obj, head), rest, value, full_key)})  # type: ignore[type-var]
    field = {f.name: f for f in dataclasses.fields(obj)}[head]  # type: ignore[arg-type]
    value = _checked(value, get_type_hints(type(obj))[head], field.metadata, full_key)
    return dataclasses.replace(obj, **{head: value})  # type: ignore[type-var]


__all__ = ["parse_section", "render_example", "replace_path", "section", "setting"]
