"""UPN check letters (GovTalk algorithm)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attendwise.core.upn import CHECK_ALPHABET, UPNError, check_letter, is_valid_upn, validate_upn


def test_python_stdnum_vector() -> None:
    """python-stdnum's doctest UPN B801200005001 is valid."""
    assert check_letter("801200005001") == "B"
    assert validate_upn("B801200005001") == "B801200005001"


def test_temporary_upn_letter_takes_its_alphabet_value() -> None:
    """A temporary UPN's final letter counts as its index in the check alphabet."""
    body = "80120000500A"
    expected = CHECK_ALPHABET[(sum(i * int(c) for i, c in enumerate(body[:-1], 2)) + 13 * 0) % 23]
    assert check_letter(body) == expected


@pytest.mark.parametrize("bad", ["A801200005001", "B80120000500", "I801200005001", "B8012000050011", "b801200005001"])
def test_invalid(bad: str) -> None:
    assert not is_valid_upn(bad)
    with pytest.raises(UPNError):
        validate_upn(bad)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_body_with_its_check_letter_is_valid(body: str) -> None:
    """Property: prefixing a body with its check letter always gives a valid UPN, any other letter does not."""
    letter = check_letter(body)
    assert is_valid_upn(letter + body)
    assert all(not is_valid_upn(other + body) for other in CHECK_ALPHABET if other != letter)
