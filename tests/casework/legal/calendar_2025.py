"""The domain reference's illustrative calendar for 2025/26 (§6), for the worked examples' tests."""

from __future__ import annotations

import datetime as dt

from attendwise.casework.legal.dates import SchoolCalendar

D = dt.date

CALENDAR = SchoolCalendar(
    SchoolCalendar.weekdays(D(2025, 9, 3), D(2025, 12, 19), holidays=[(D(2025, 10, 27), D(2025, 10, 31))]).days
    + SchoolCalendar.weekdays(D(2026, 1, 5), D(2026, 3, 27), holidays=[(D(2026, 2, 16), D(2026, 2, 20))]).days
    + SchoolCalendar.weekdays(
        D(2026, 4, 13),
        D(2026, 7, 17),
        holidays=[(D(2026, 4, 13), D(2026, 4, 13)), (D(2026, 6, 1), D(2026, 6, 1)), (D(2026, 5, 25), D(2026, 5, 29))],
    ).days
)
