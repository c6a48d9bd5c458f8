"""The demo city's codes: the reasons a mark is simulated as, and the code each gives in each code set.

Marks are simulated as internal *reasons* (illness, a late, a trip ...) and mapped, as they are written, to
the code set in force on their date: the 2006 set before 19 August 2024 and the 2024 set from then on.
This is the generator's own table of what it emits; the codes' meaning for the measures is
:mod:`attendwise.core.codes`.  Imports numpy only.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

#: The reasons a mark is simulated as (0 = no mark: not on roll, or the school does not meet).
(
    NONE,
    PRESENT,
    LATE,
    ILL,
    MEDICAL,
    AUTH_OTHER,
    EXCLUDED,
    RELIGIOUS,
    STUDY,
    TRAVELLER,
    AUTH_HOLIDAY,
    PART_TIME,
    INTERVIEW,
    PERFORMANCE,
    HOLIDAY,
    NO_REASON,
    UNAUTH,
    LATE_AFTER,
    TRIP,
    SPORT,
    OFFSITE,
    WORK,
    LA_PROVISION,
    DUAL,
    NOT_REQUIRED,
    LA_ACCESS,
    TRANSPORT,
    SITE_CLOSED,
) = range(28)
N_REASONS = 28

CODES_2006: dict[int, str] = {
    LATE: "L", ILL: "I", MEDICAL: "M", AUTH_OTHER: "C", EXCLUDED: "E", RELIGIOUS: "R",
    STUDY: "S", TRAVELLER: "T", AUTH_HOLIDAY: "H", PART_TIME: "C", INTERVIEW: "J",
    PERFORMANCE: "C", HOLIDAY: "G", NO_REASON: "N", UNAUTH: "O", LATE_AFTER: "U", TRIP: "V",
    SPORT: "P", OFFSITE: "B", WORK: "W", LA_PROVISION: "B", DUAL: "D", NOT_REQUIRED: "X",
    LA_ACCESS: "Y", TRANSPORT: "Y", SITE_CLOSED: "Y",
}  # fmt: skip
CODES_2024: dict[int, str] = {
    **CODES_2006,
    AUTH_HOLIDAY: "C", PART_TIME: "C2", INTERVIEW: "J1", PERFORMANCE: "C1", LA_PROVISION: "K",
    LA_ACCESS: "Q", TRANSPORT: "Y1", SITE_CLOSED: "Y4",
}  # fmt: skip

#: The strings of every code we emit (the dictionary of the ``code`` column).
CODE_STRINGS: list[str] = ["/", "\\", *sorted(set(CODES_2006.values()) | set(CODES_2024.values()))]


def _code_lut() -> np.ndarray:
    lut = np.zeros((2, 2, N_REASONS), dtype=np.int8)
    for code_set, table in enumerate((CODES_2006, CODES_2024)):
        for session in range(2):
            lut[code_set, session, PRESENT] = session  # "/" in the morning, "\" in the afternoon
            for reason, code in table.items():
                lut[code_set, session, reason] = CODE_STRINGS.index(code)
    return lut


def _categories() -> np.ndarray:
    category = np.zeros((2, N_REASONS), dtype=np.int8)
    for code_set in range(2):
        for r in (PRESENT, LATE, TRIP, SPORT, OFFSITE, WORK, LA_PROVISION):
            category[code_set, r] = 1
        for r in (ILL, MEDICAL, AUTH_OTHER, EXCLUDED, RELIGIOUS, STUDY, TRAVELLER, AUTH_HOLIDAY,
                  PART_TIME, PERFORMANCE):  # fmt: skip
            category[code_set, r] = 2
        for r in (HOLIDAY, NO_REASON, UNAUTH, LATE_AFTER):
            category[code_set, r] = 3
    category[0, INTERVIEW] = 1  # J was an approved educational activity
    category[1, INTERVIEW] = 2  # J1 is authorised absence
    return category


#: ``CODE_LUT[code_set, session, reason]`` is the index in ``CODE_STRINGS`` (set 0 = 2006, 1 = 2024).
CODE_LUT = _code_lut()
#: Statistical category of each reason by code set: 0 not counted, 1 attendance, 2 authorised,
#: 3 unauthorised (used for calibration and tests).
CATEGORY = _categories()

#: The first day of the 2024 code set.
SWITCH_DATE = dt.date(2024, 8, 19)
