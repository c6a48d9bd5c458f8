"""Unique Pupil Numbers (UPN): format and check letter, as set out in the GovTalk UPN standard.

A UPN has 13 characters: a check letter, the 3-digit LA number, the 4-digit establishment
number, 2 digits for the year of allocation and 3 serial digits (``Annnnnnnnnnnn``).  A
temporary UPN ends in a letter instead of the last serial digit (``AnnnnnnnnnnnA``).

The check letter is the sum of each of characters 2-13 multiplied by its position (2..13),
mod 23, looked up in ``ABCDEFGHJKLMNPQRTUVWXYZ`` (I, O and S are never used).  A letter in
position 13 takes its own index in that alphabet as its value.
"""

from __future__ import annotations

import re

from attendwise.core.identifiers import show

__all__ = ["CHECK_ALPHABET", "UPNError", "check_letter", "is_valid_upn", "validate_upn"]

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(r"[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]", re.ASCII)


class UPNError(ValueError):
    """A UPN that is not well formed or whose check letter is wrong."""


def check_letter(body: str) -> str:
    """The check letter for the last 12 characters of a UPN.

    >>> check_letter("801200005001")
    'B'
    """
    if len(body) != 12:
        msg = f"a UPN body has 12 characters (got {len(body)})"
        raise UPNError(msg)
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else CHECK_ALPHABET.index(char)
        total += position * value
    return CHECK_ALPHABET[total % 23]


def validate_upn(upn: str) -> str:
    """Return the UPN unchanged if it is valid, else raise :class:`UPNError` saying why.

    >>> validate_upn("B801200005001")
    'B801200005001'
    """
    if not _UPN.fullmatch(upn):
        msg = (
            f"{show(upn)} is not a UPN: expected a letter (not I, O or S), 11 digits "
            "and a final digit or letter, 13 characters in all"
        )
        raise UPNError(msg)
    expected = check_letter(upn[1:])
    if upn[0] != expected:
        msg = f"{upn!r} has check letter {upn[0]!r} but its digits give {expected!r}"
        raise UPNError(msg)
    return upn


def is_valid_upn(upn: str) -> bool:
    """True if ``upn`` is a well-formed UPN with the right check letter."""
    try:
        validate_upn(upn)
    except UPNError:
        return False
    return True
