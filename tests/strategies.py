"""Shared Hypothesis strategies: random registers for the measures' properties, and every other way of
writing an identifier for the checks that must refuse them. The plain-Python reference the properties
compare against is ``tests/reference.py``, beside this."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from attendwise.core.calendar import parse_period
from attendwise.core.codes import CODE_SETS
from tests.registers import Register, school_days

CODES_2024 = sorted(CODE_SETS["2024"])
# Weighted towards presence so rates spread across 0-100 rather than sitting near 50.
code_2024 = st.one_of(st.just("/"), st.just("/"), st.just("/"), st.sampled_from(CODES_2024))
DAYS = school_days(dt.date(2024, 9, 2), 60)
RANGE = parse_period("2024-09-01..2024-12-31")


@st.composite
def registers(draw: st.DrawFn) -> Register:
    reg = Register()
    n_schools = draw(st.integers(1, 3))
    for i in range(n_schools):
        reg.school(100001 + i, phase=draw(st.sampled_from(["primary", "secondary", "special"])))
    for _ in range(draw(st.integers(1, 8))):
        urn = 100001 + draw(st.integers(0, n_schools - 1))
        dob = dt.date(2008, 9, 1) + dt.timedelta(days=draw(st.integers(0, 365 * 12)))
        p = reg.pupil(
            urn=urn,
            dob=dob.isoformat(),
            fsm=draw(st.sampled_from("YN")),
            sen=draw(st.sampled_from("NKE")),
            sex=draw(st.sampled_from("FM")),
        )
        start = draw(st.integers(0, 40))
        codes = draw(st.lists(code_2024, min_size=1, max_size=2 * (60 - start)))
        reg.sessions(p, codes, DAYS[start], urn=urn)
    return reg


YEAR_DAYS = school_days(dt.date(2024, 9, 2), 215)  # to July 2025: across 1 Jan, Easter and the bank holiday


@st.composite
def year_registers(draw: st.DrawFn) -> Register:
    """Registers whose marks fall anywhere in 2024/25, each pupil's running across at most one census
    block boundary."""
    reg = Register()
    reg.school(100001)
    for _ in range(draw(st.integers(1, 6))):
        dob = dt.date(2008, 9, 1) + dt.timedelta(days=draw(st.integers(0, 365 * 12)))
        p = reg.pupil(dob=dob.isoformat(), fsm=draw(st.sampled_from("YN")))
        start = draw(st.integers(0, len(YEAR_DAYS) - 1))
        codes = draw(st.lists(code_2024, min_size=1, max_size=min(60, 2 * (len(YEAR_DAYS) - start))))
        reg.sessions(p, codes, YEAR_DAYS[start])
    return reg


def other_spellings(n: int) -> list[str]:
    """Ways of writing the number ``n`` that Python's int, float or an SQL cast might still read as ``n``."""
    text = str(n)
    arabic = text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    fullwidth = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [
        f"+{text}",
        f"-{text}",
        f"0{text}",
        f"00{text}",
        f"{text}.0",
        f"{text}.",
        f"{n:e}",
        f"{text[:1]}_{text[1:]}" if len(text) > 1 else f"{text}_",
        f" {text}",
        f"{text} ",
        f"{text}\n",
        f"\t{text}",
        arabic,
        fullwidth,
        f"0x{n:x}",
        text + "0" * 30,
    ]


@st.composite
def cohort_registers(draw: st.DrawFn, cohort: str = "ebsa") -> Register:
    """:func:`registers` with pupils in ``cohort`` for random dated periods (none overlapping for one pupil),
    some open-ended, some before or after the pupil's marks."""
    reg = draw(registers())
    pupils = sorted({str(p["upn"]) for p in reg.pupils})
    for upn in pupils:
        cuts = sorted(draw(st.lists(st.integers(-10, 140), min_size=0, max_size=4, unique=True)))
        open_end = draw(st.booleans())
        for i, (first, last) in enumerate(zip(cuts[::2], cuts[1::2], strict=False)):
            start = dt.date(2024, 9, 1) + dt.timedelta(days=first)
            end = dt.date(2024, 9, 1) + dt.timedelta(days=last - 1)
            final = i == len(cuts) // 2 - 1
            reg.cohort(upn, cohort, start.isoformat(), "" if final and open_end else end.isoformat())
    return reg
