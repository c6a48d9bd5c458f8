"""Identifiers in addresses, read by :mod:`attendwise.core.identifiers` and nothing else.

Every address that names a school, an enrolment or a case record uses one of three converters:
``<urn:urn>``, ``<enrolment_id:enrolment_id>`` and ``<record_id:action_id>``. Each matches only the
identifier's one spelling (its ``*_PATTERN``) and reads it with the module's ``parse_*``, so
``/pupils/0042/``, ``/schools/+104109/`` and ``/pupils/99999999999999999999/`` (too large for the
store) never reach a view as an identifier, and :func:`~django.urls.reverse` refuses to build an
address from anything but an identifier.

An address of that shape whose identifier is spelled any other way is answered exactly as one that
names nothing: :func:`refused_spellings` adds, after every address, its twin with any text in place
of each identifier (``<any_urn:urn>`` ...), which gives the view ``None`` for a text that is not an
identifier. The view then refuses it the way it refuses an identifier of nothing: 403 for a role
that may never see that kind of page, otherwise 404, with the same audit row. Nobody learns
anything from a spelling, and nothing is read two ways.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable
from typing import ClassVar

from django.urls import URLPattern, path, register_converter

from attendwise.core.identifiers import (
    ENROLMENT_ID_PATTERN,
    RECORD_ID_PATTERN,
    URN_PATTERN,
    IdentifierError,
    parse_enrolment_id,
    parse_record_id,
    parse_urn,
)

__all__ = ["CONVERTERS", "refused_spellings"]


class _Identifier:
    """Matches an identifier's one spelling; reversing checks the value is one."""

    regex: ClassVar[str]
    parse: ClassVar[Callable[[str], int]]

    def to_python(self, value: str) -> int:
        # IdentifierError is a ValueError: Django reads it as "this address does not match".
        return type(self).parse(value)

    def to_url(self, value: object) -> str:
        # an int, or numpy's (figures come from pandas), never a bool or a text that might be spelled otherwise
        text = str(int(value)) if isinstance(value, numbers.Integral) and not isinstance(value, bool) else ""
        type(self).parse(text)  # a ValueError here is NoReverseMatch
        return text


class URNConverter(_Identifier):
    regex = URN_PATTERN
    parse = staticmethod(parse_urn)


class EnrolmentIdConverter(_Identifier):
    regex = ENROLMENT_ID_PATTERN
    parse = staticmethod(parse_enrolment_id)


class RecordIdConverter(_Identifier):
    regex = RECORD_ID_PATTERN
    parse = staticmethod(parse_record_id)


class _AnySpelling:
    """Any text where an identifier belongs: the identifier, or ``None`` if it is not one. Never reversed."""

    regex = "[^/]+"
    parse: ClassVar[Callable[[str], int]]

    def to_python(self, value: str) -> int | None:
        try:
            return type(self).parse(value)
        except IdentifierError:
            return None

    def to_url(self, value: object) -> str:
        raise ValueError("addresses are built with the identifier's own converter")


class AnyURN(_AnySpelling):
    parse = staticmethod(parse_urn)


class AnyEnrolmentId(_AnySpelling):
    parse = staticmethod(parse_enrolment_id)


class AnyRecordId(_AnySpelling):
    parse = staticmethod(parse_record_id)


#: Converter name -> (strict converter, its any-spelling twin).
CONVERTERS: dict[str, tuple[type[_Identifier], type[_AnySpelling]]] = {
    "urn": (URNConverter, AnyURN),
    "enrolment_id": (EnrolmentIdConverter, AnyEnrolmentId),
    "record_id": (RecordIdConverter, AnyRecordId),
}
for _name, (_strict, _any) in CONVERTERS.items():
    register_converter(_strict, _name)
    register_converter(_any, f"any_{_name}")

_IDENTIFIER = re.compile(r"<(" + "|".join(CONVERTERS) + r"):(\w+)>")


def refused_spellings(patterns: Iterable[object]) -> list[URLPattern]:
    """For each address with an identifier, its unnamed twin taking any text in the identifier's place.

    Put them after every other address: a twin matches only what no address matched, so only an
    identifier spelled some other way, which reaches the view as ``None``.
    """
    twins = []
    for p in patterns:
        if not isinstance(p, URLPattern):
            continue
        route = str(p.pattern)
        if _IDENTIFIER.search(route):
            twins.append(path(_IDENTIFIER.sub(r"<any_\1:\2>", route), p.callback, p.default_args))
    return twins
