"""The Virtual School's children (:mod:`attendwise.reports.virtual_school`) on the small test LA."""

from __future__ import annotations

from pathlib import Path

from attendwise.core.calendar import parse_period
from attendwise.reports.virtual_school import SOCIAL_CARE, virtual_school
from tests.reports.store_figures import StoreFigures


def _children(figures: StoreFigures, rows):
    return virtual_school(
        figures.store(),
        rows,
        figures.band_scheme(),
        pupil_link=lambda e: f"/pupils/{e}/",
        school_link=lambda urn: f"/schools/{urn}/",
    )


def _latest(page) -> dict[str, str]:
    """Each child's latest absence, by UPN."""
    out = {}
    for school in page.schools:
        keys = [c.key for c in school.table.columns]
        for row in school.table.rows:
            values = dict(zip(keys, row, strict=True))
            out[str(values["upn"])] = str(values["latest_absence"])
    return out


def test_children_with_and_without_an_absence(figures: StoreFigures, small_city: tuple[Path, dict[str, str]]) -> None:
    """A looked-after child who missed no session this period reads "None this period" (not an error on the
    missing date); one who did shows the date, session and code of the latest."""
    upns = small_city[1]
    store = figures.store()
    year = parse_period("2024/25", half_term_starts=store.half_term_starts(), latest_mark=store.latest_mark())
    rows = figures.period_rows(year).copy()
    rows.loc[rows.upn == upns["a_good0"], "cla"] = SOCIAL_CARE["cla"]
    page = _children(figures, rows)
    latest = _latest(page)
    assert page.children == 3 and page.looked_after == 2  # a_severe, a_good0; c_cin has a social worker
    assert latest[upns["a_good0"]] == "None this period"
    # a_severe: O on the first 20 sessions from Monday 2 September; c_cin: I on sessions 7 to 14
    assert latest[upns["a_severe"]] == "13 Sep 2024 PM, O (unauthorised)"
    assert latest[upns["c_cin"]] == "10 Sep 2024 PM, I (authorised)"
