"""The domain reference's illustrative 2025/26 calendar (section 6), as a SchoolCalendar and as terms.csv rows."""

from __future__ import annotations

import datetime as dt

from attendwise.registers.school_days import SchoolCalendar

D = dt.date

HALF_TERMS_2025_26 = (
    ("autumn", 1, D(2025, 9, 3), D(2025, 10, 24)),
    ("autumn", 2, D(2025, 11, 3), D(2025, 12, 19)),
    ("spring", 1, D(2026, 1, 5), D(2026, 2, 13)),
    ("spring", 2, D(2026, 2, 23), D(2026, 3, 27)),
    ("summer", 1, D(2026, 4, 13), D(2026, 5, 22)),
    ("summer", 2, D(2026, 6, 1), D(2026, 7, 17)),
)
#: INSET days Mon 13 Apr and Mon 1 Jun, the bank holiday Mon 4 May.
CLOSURES_2025_26 = (D(2026, 4, 13), D(2026, 5, 4), D(2026, 6, 1))


def calendar_2025_26(*, closures: bool = True) -> SchoolCalendar:
    return SchoolCalendar.of([(s, e) for _t, _h, s, e in HALF_TERMS_2025_26], CLOSURES_2025_26 if closures else ())
