"""The pathway's records as JSON values and back (dates as ``YYYY-MM-DD``), so a store keeps them as they are.

Examples:
    >>> from attendwise.casework.legal.notices import Session
    >>> to_json(Session(dt.date(2026, 1, 23), "PM", "G"))
    {'date': '2026-01-23', 'session': 'PM', 'code': 'G'}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from enum import Enum
from typing import Any, TypeVar

from attendwise.casework.legal import court, improvement, notices
from attendwise.casework.legal.dates import Span
from attendwise.casework.legal.decisions import Decision

__all__ = ["from_json", "to_json"]

T = TypeVar("T")


def to_json(value: Any) -> Any:
    """A record (a dataclass of the pathway) as JSON values."""
    if isinstance(value, Decision):
        return value.to_record()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value


_NAMESPACE = {
    **{k: getattr(m, k) for m in (notices, improvement, court) for k in m.__all__ if hasattr(m, k)},
    "Span": Span,
    "Decision": Decision,
    "dt": dt,
}


def _read(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _read(options[0], value)
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        return tuple(_read(inner, v) for v in value)
    if kind is Decision:
        return Decision.from_record(value)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if dataclasses.is_dataclass(kind):
        return from_json(kind, value)  # type: ignore[arg-type]
    return value


def from_json(kind: type[T], data: dict[str, Any]) -> T:
    """The record of type ``kind`` that :func:`to_json` gave ``data`` for."""
    hints = typing.get_type_hints(kind, globalns=_NAMESPACE)
    values = {f.name: _read(hints[f.name], data[f.name]) for f in dataclasses.fields(kind) if f.name in data}  # type: ignore[arg-type]
    return kind(**values)
