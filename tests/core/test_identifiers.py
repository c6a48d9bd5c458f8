"""Every identifier has one spelling: the canonical one parses, every other way of writing it is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attendwise.core.identifiers import (
    ENROLMENT_ID_MAX,
    IdentifierError,
    parse_date,
    parse_enrolment_id,
    parse_la_code,
    parse_record_id,
    parse_urn,
    show,
)
from tests.strategies import other_spellings


@given(st.integers(100000, 9999999))
def test_a_urn_has_one_spelling(urn: int) -> None:
    assert parse_urn(str(urn)) == urn
    for spelling in other_spellings(urn):
        with pytest.raises(IdentifierError):
            parse_urn(spelling)


@given(st.integers(1, ENROLMENT_ID_MAX))
def test_an_enrolment_id_has_one_spelling(enrolment_id: int) -> None:
    assert parse_enrolment_id(str(enrolment_id)) == enrolment_id
    for spelling in other_spellings(enrolment_id):
        with pytest.raises(IdentifierError):
            parse_enrolment_id(spelling)


@pytest.mark.parametrize("text", ["0", "-1", str(ENROLMENT_ID_MAX + 1), "9" * 11, "9" * 400, ""])
def test_an_enrolment_id_is_within_the_store(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_enrolment_id(text)


def test_record_ids_fit_a_64_bit_key() -> None:
    assert parse_record_id(str(2**63 - 1)) == 2**63 - 1
    with pytest.raises(IdentifierError):
        parse_record_id(str(2**63))


@pytest.mark.parametrize("text", ["33", "3310", "+33", "33.", "٣٣١", " 331", ""])
def test_an_la_code_is_three_ascii_digits(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_la_code(text)
    assert parse_la_code("331") == "331"


@given(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)))
def test_a_date_has_one_spelling(day: dt.date) -> None:
    iso = day.isoformat()
    assert parse_date(iso) == day
    for spelling in (iso.replace("-", ""), f" {iso}", f"{iso}T00:00", day.strftime("%d/%m/%Y"), f"+{iso}"):
        with pytest.raises(IdentifierError):
            parse_date(spelling)


def test_a_refused_value_is_never_echoed_in_full() -> None:
    huge = "1" * 200_000
    with pytest.raises(IdentifierError) as refused:
        parse_urn(huge)
    assert len(str(refused.value)) < 200
    assert "200,000 characters" in show(huge)
