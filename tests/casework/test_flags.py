"""Flags on a case: overdue and due reviews, no contact for N school weeks, part-time timetables, checked by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from attendwise.casework import commands as c
from attendwise.casework.flags import SchoolWeeks, case_flags, last_contact, school_weeks_between
from attendwise.casework.settings import CaseworkSettings
from tests.casework.cases import CONFIG, at, opened, then

D = dt.date
HALF_TERM = (D(2024, 10, 28), D(2024, 11, 1))
#: Autumn 2024: every weekday from 2 September to 20 December except the half term.
AUTUMN = [
    D(2024, 9, 2) + dt.timedelta(days=i)
    for i in range(110)
    if (D(2024, 9, 2) + dt.timedelta(days=i)).weekday() < 5
    and not HALF_TERM[0] <= D(2024, 9, 2) + dt.timedelta(days=i) <= HALF_TERM[1]
    and D(2024, 9, 2) + dt.timedelta(days=i) <= D(2024, 12, 20)
]


def kinds(case, as_at: dt.date, config=CONFIG) -> list[str]:
    return [f.kind for f in case_flags(case, config, as_at=as_at, school_days=AUTUMN)]


class TestSchoolWeeks:
    def test_the_half_term_is_not_a_school_week(self) -> None:
        """Contact on Friday 18 October; by Friday 15 November three school weeks have passed (w/c 21 October,
        4 and 11 November), not four: the half term had no school days."""
        assert school_weeks_between(D(2024, 10, 18), D(2024, 11, 15), AUTUMN, CaseworkSettings()) == 3

    def test_the_week_of_the_contact_and_days_after_as_at_do_not_count(self) -> None:
        """Contact on Monday 7 October: on Friday 11 October no school week has passed; on Monday 14 October one."""
        settings = CaseworkSettings()
        assert school_weeks_between(D(2024, 10, 7), D(2024, 10, 11), AUTUMN, settings) == 0
        assert school_weeks_between(D(2024, 10, 7), D(2024, 10, 14), AUTUMN, settings) == 1

    def test_weeks_from_sunday(self) -> None:
        """With weeks starting on Sunday, a contact on Sunday 13 October is in the week of the 14th."""
        sunday = CaseworkSettings(week_starts_on="sunday")
        assert school_weeks_between(D(2024, 10, 13), D(2024, 10, 18), AUTUMN, sunday) == 0
        assert school_weeks_between(D(2024, 10, 13), D(2024, 10, 18), AUTUMN, CaseworkSettings()) == 1


@given(
    st.sets(st.integers(0, 120), max_size=60),
    st.integers(0, 120),
    st.integers(0, 120),
    st.sampled_from(["monday", "sunday", "wednesday"]),
)
def test_school_weeks_are_the_weeks_holding_a_school_day(days: set[int], after: int, through: int, start: str) -> None:
    """Property: counting with the school's weeks worked out once equals counting the weeks afresh."""
    settings = CaseworkSettings(week_starts_on=start)
    first = D(2024, 9, 1)
    school = [first + dt.timedelta(days=d) for d in days]
    a, t = first + dt.timedelta(days=after), first + dt.timedelta(days=through)

    def week(d: dt.date) -> dt.date:
        return d - dt.timedelta(days=(d.weekday() - settings.week_start) % 7)

    naive = len({week(d) for d in school if d <= t and week(d) > week(a)})
    assert SchoolWeeks(school, settings).between(a, t) == naive


class TestNoContact:
    def test_from_the_opening_when_there_has_been_no_contact(self) -> None:
        """Opened on Tuesday 1 October, nothing logged: flagged after three school weeks, on Monday 21 October."""
        case, _ = opened()
        assert "no_contact" not in kinds(case, D(2024, 10, 18))
        flags = case_flags(case, CONFIG, as_at=D(2024, 10, 21), school_days=AUTUMN)
        flag = next(f for f in flags if f.kind == "no_contact")
        assert flag.text == "No contact with the family for 3 school weeks (since the case opened on 1 October 2024)"

    def test_a_contact_resets_it_and_support_that_is_not_contact_does_not(self) -> None:
        case, events = opened()
        case = then(
            case, events, c.log_intervention(case, CONFIG, type="phone_call", date=D(2024, 10, 18), who="jo", at=at(18))
        )
        case = then(
            case,
            events,
            c.log_intervention(
                case, CONFIG, type="mentoring_or_counselling", date=D(2024, 11, 6), who="jo", at=at(6, month=11)
            ),
        )
        assert last_contact(case, CONFIG) == D(2024, 10, 18)
        assert "no_contact" not in kinds(case, D(2024, 11, 8))  # w/c 21 Oct and 4 Nov: two school weeks
        assert "no_contact" in kinds(case, D(2024, 11, 11))  # and 11 Nov: three

    def test_n_is_a_setting(self) -> None:
        case, _ = opened()
        five = replace(CONFIG, settings=CaseworkSettings(no_contact_school_weeks=5))
        assert "no_contact" not in kinds(case, D(2024, 10, 21), five)
        assert "no_contact" in kinds(case, D(2024, 11, 11), five)  # 7, 14, 21 Oct, 4, 11 Nov


class TestReviews:
    def test_due_then_overdue(self) -> None:
        """Review on 12 November: due from the 7th (five days before), overdue from the 13th."""
        case, _ = opened()
        assert case.review_date == D(2024, 11, 12)
        assert "review_due" not in kinds(case, D(2024, 11, 6))
        assert "review_due" in kinds(case, D(2024, 11, 7))
        flags = case_flags(case, CONFIG, as_at=D(2024, 11, 14), school_days=AUTUMN)
        assert flags[0].kind in {"review_overdue", "no_contact"} and flags[0].overdue
        overdue = next(f for f in flags if f.kind == "review_overdue")
        assert overdue.text == "The case review was due on 12 November 2024 (2 days ago)"

    def test_a_closed_case_has_no_flags(self) -> None:
        case, events = opened()
        case = then(
            case,
            events,
            c.close_case(case, CONFIG, outcome="other", date=D(2024, 10, 2), who="jo", at=at(2), why="Moved away"),
        )
        assert kinds(case, D(2024, 12, 20)) == []


class TestPartTimeTimetables:
    def test_review_due_end_passed_and_too_long(self) -> None:
        """A timetable from 7 October to 29 November (7 weeks 4 days, over the 6-week limit), review on 4 November."""
        case, events = opened()
        case = then(
            case,
            events,
            c.log_intervention(
                case,
                CONFIG,
                type="part_time_timetable",
                date=D(2024, 10, 7),
                who="jo",
                at=at(7),
                end_date=D(2024, 11, 29),
                review_date=D(2024, 11, 4),
            ),
        )
        assert "timetable_too_long" in kinds(case, D(2024, 10, 8))
        assert "timetable_review_due" in kinds(case, D(2024, 11, 1))
        assert "timetable_review_overdue" in kinds(case, D(2024, 11, 5))
        assert "timetable_past_end" in kinds(case, D(2024, 12, 2))
        ref = case.interventions[0].ref
        case = then(
            case,
            events,
            c.review_intervention(
                case,
                CONFIG,
                ref=ref,
                date=D(2024, 11, 4),
                who="jo",
                at=at(4, month=11),
                next_review_date=D(2024, 11, 25),
            ),
        )
        assert "timetable_review_overdue" not in kinds(case, D(2024, 11, 5))
        case = then(
            case,
            events,
            c.review_intervention(
                case, CONFIG, ref=ref, date=D(2024, 11, 25), who="jo", at=at(25, month=11), ended=True
            ),
        )
        assert not any(k.startswith("timetable") for k in kinds(case, D(2024, 12, 2)))
