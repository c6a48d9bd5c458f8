"""The identifiers registers and addresses carry, each read by one strict rule.

A school's URN, an LA's number, an enrolment id, a UPN and a date each have exactly one spelling
that attendwise accepts. ``104109`` is a URN; ``+104109``, ``104109.0``, ``0104109``, ``1.04109e5``,
``104 109`` and ``١٠٤١٠٩`` (Arabic-Indic digits) are not, although Python's ``int`` or an SQL cast
would read several of them as 104109. A check that looks at the text and an importer that casts
it would then disagree about which school a row is for: the permission check must see exactly what
is stored, so both use the value this module parses, and nothing else turns text into an
identifier.

Each rule is a regular expression over ASCII (the ``*_PATTERN`` constants, which SQL uses too:
see :func:`attendwise.ingest.marks.check_marks`) and a function that returns the parsed value or
raises :class:`IdentifierError` saying what was expected. Callers strip surrounding whitespace
first where a file format allows it (CSV cells); addresses and form values are taken as they come.

>>> parse_urn("104109")
104109
>>> parse_urn("+104109")
Traceback (most recent call last):
...
attendwise.core.identifiers.IdentifierError: '+104109' is not a URN (6 or 7 digits, not starting with 0)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from attendwise.core.errors import AttendwiseError

__all__ = [
    "CONTACT_ID_PATTERN",
    "DATE_PATTERN",
    "ENROLMENT_ID_MAX",
    "ENROLMENT_ID_PATTERN",
    "LA_CODE_PATTERN",
    "RECORD_ID_MAX",
    "RECORD_ID_PATTERN",
    "URN_PATTERN",
    "IdentifierError",
    "parse_contact_id",
    "parse_date",
    "parse_enrolment_id",
    "parse_la_code",
    "parse_record_id",
    "parse_urn",
    "show",
    "why_not",
]

#: A URN: 6 or 7 digits, never starting with 0 (URNs were issued from 100000).
URN_PATTERN = "[1-9][0-9]{5,6}"
#: An LA's 3-digit number (``331``), as the DfE writes it (``old_la_code``).
LA_CODE_PATTERN = "[0-9]{3}"
#: An enrolment id: a positive whole number with no leading zero, within the store's INTEGER.
ENROLMENT_ID_PATTERN = "[1-9][0-9]{0,9}"
ENROLMENT_ID_MAX = 2**31 - 1
#: An id of a record in the case store (a TSM action, say): within a 64-bit key.
RECORD_ID_PATTERN = "[1-9][0-9]{0,18}"
RECORD_ID_MAX = 2**63 - 1
#: A date as YYYY-MM-DD.
DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: A parent's or carer's id in ``contacts.csv``: the same person everywhere, as the LA's systems number
#: them: ASCII letters, digits, ``-`` and ``_``, starting with a letter or digit, at most 64 characters.
CONTACT_ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}"

_URN = re.compile(URN_PATTERN, re.ASCII)
_LA_CODE = re.compile(LA_CODE_PATTERN, re.ASCII)
_ENROLMENT_ID = re.compile(ENROLMENT_ID_PATTERN, re.ASCII)
_RECORD_ID = re.compile(RECORD_ID_PATTERN, re.ASCII)
_DATE = re.compile(DATE_PATTERN, re.ASCII)
_CONTACT_ID = re.compile(CONTACT_ID_PATTERN, re.ASCII)

#: How much of a refused value a message repeats (a field may be megabytes long).
_SHOWN = 40


class IdentifierError(AttendwiseError, ValueError):
    """Text that is not an identifier of the kind asked for."""


def show(text: str) -> str:
    """``text`` as a message quotes it: in ``repr`` form, cut short if long.

    >>> show("abc")
    "'abc'"
    >>> show("9" * 100)
    "'9999999999999999999999999999999999999999...' (100 characters)"
    """
    if len(text) <= _SHOWN:
        return repr(text)
    return f"{text[:_SHOWN]!r}"[:-1] + f"...' ({len(text):,} characters)"


def parse_urn(text: str) -> int:
    """A school's URN from its one spelling (``104109``).

    >>> parse_urn("1041090")
    1041090
    >>> [t for t in ("0104109", "104109.0", "1e5", "10410", " 104109") if _fails(parse_urn, t)]
    ['0104109', '104109.0', '1e5', '10410', ' 104109']
    """
    if not _URN.fullmatch(text):
        raise IdentifierError(f"{show(text)} is not a URN (6 or 7 digits, not starting with 0)")
    return int(text)


def parse_la_code(text: str) -> str:
    """An LA's 3-digit number, kept as text (``"331"``).

    >>> parse_la_code("331")
    '331'
    """
    if not _LA_CODE.fullmatch(text):
        raise IdentifierError(f"{show(text)} is not a 3-digit LA number")
    return text


def _bounded(text: str, pattern: re.Pattern[str], largest: int, what: str) -> int:
    if not pattern.fullmatch(text) or int(text) > largest:
        raise IdentifierError(f"{show(text)} is not {what} (a whole number from 1 to {largest:,})")
    return int(text)


def parse_enrolment_id(text: str) -> int:
    """An enrolment id (``/pupils/<id>/``).

    >>> parse_enrolment_id("42")
    42
    >>> _fails(parse_enrolment_id, "99999999999999999999"), _fails(parse_enrolment_id, "042")
    (True, True)
    """
    return _bounded(text, _ENROLMENT_ID, ENROLMENT_ID_MAX, "an enrolment id")


def parse_record_id(text: str) -> int:
    """The id of a record in the case store (``/actions/<id>/done``)."""
    return _bounded(text, _RECORD_ID, RECORD_ID_MAX, "a record id")


def parse_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD, and a real one.

    >>> parse_date("2024-09-04")
    datetime.date(2024, 9, 4)
    >>> _fails(parse_date, "2024-02-30"), _fails(parse_date, "20240904"), _fails(parse_date, "2024-9-4")
    (True, True, True)
    """
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise IdentifierError(f"{show(text)} is not a date (expected YYYY-MM-DD)")


def parse_contact_id(text: str) -> str:
    """A contact's id, exactly as written (``C000123``, ``7f3a-19``): letters keep their case.

    >>> parse_contact_id("C000123")
    'C000123'
    >>> [t for t in ("C 123", "-C123", "C123é", "", "x" * 65) if _fails(parse_contact_id, t)] == [
    ...     "C 123", "-C123", "C123é", "", "x" * 65]
    True
    """
    if not _CONTACT_ID.fullmatch(text):
        raise IdentifierError(
            f"{show(text)} is not a contact id (letters, digits, - and _, starting with a letter or digit, "
            "at most 64 characters)"
        )
    return text


def why_not(parse: Callable[[str], object], text: str) -> str:
    """Why ``parse`` refuses ``text`` (for a check that applied the rule's pattern in SQL), or ``""``.

    >>> why_not(parse_urn, "+104109")
    "'+104109' is not a URN (6 or 7 digits, not starting with 0)"
    """
    try:
        parse(text)
    except IdentifierError as exc:
        return str(exc)
    return ""


def _fails(parse: Callable[[str], object], text: str) -> bool:
    """For the examples above: whether ``parse(text)`` refuses ``text``."""
    return bool(why_not(parse, text))
