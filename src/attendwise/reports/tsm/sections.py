"""The pack as sections of the documents vocabulary (:func:`pack_sections`), each a heading, a line of
explanation and a table with typed columns, in the order of the meeting: the workbook, the printed pack and the
web app's pack page all render these same sections, so they always say the same thing. Nothing here computes
a measure; every figure comes from :class:`~attendwise.reports.tsm.TSMPack`."""

from __future__ import annotations

import re
from collections.abc import Callable

from attendwise.documents.tables import Column, Kind, Section, Table
from attendwise.reports.tsm.pack import PupilSummary, TSMPack

__all__ = ["SHEET_NAMES", "pack_sections"]


def _col(heading: str, kind: Kind = Kind.TEXT, *, wide: bool = False, key: str | None = None) -> Column:
    """A column of the pack: keyed by its heading in snake case; a percentage shows its ``%``."""
    key = key or re.sub(r"[^a-z0-9]+", "_", heading.lower()).strip("_")
    return Column(key, heading, kind, unit="%" if kind is Kind.PERCENT else "", wide=wide)


def _section(
    key: str,
    title: str,
    intro: str,
    columns: tuple[Column, ...],
    rows: tuple[tuple[object, ...], ...],
    empty: str = "None.",
    *,
    new_page: bool = False,
) -> Section:
    """One section of the pack: a sheet of the workbook, a part of the printed pack, a panel of its page."""
    table = Table(title, columns, rows, empty=empty)
    return Section(key, title, (intro,) if intro else (), (table,), short=SHEET_NAMES[key], new_page=new_page)


#: Short sheet names for the workbook.
SHEET_NAMES = {
    "summary": "Summary",
    "overall": "Overall attendance",
    "last_year": "Against last year",
    "categories": "Attendance categories",
    "severe": "Severely absent",
    "persistent": "Persistently absent",
    "zero": "No attendance this year",
    "no_attendance_3_weeks": "No attendance 3 weeks",
    "at_risk": "At risk",
    "cohorts": "Priority cohorts",
    "discuss": "To discuss",
    "actions": "Previous actions",
}


_PUPIL_COLUMNS = (
    _col("UPN"),
    _col("Name"),
    _col("Year"),
    _col("Priority groups"),
    _col("Attendance", Kind.PERCENT),
    _col("Possible sessions", Kind.COUNT),
    _col("Sessions missed", Kind.COUNT),
    _col("Unauthorised", Kind.COUNT),
    _col("Last 4 weeks", Kind.PERCENT),
    _col("4 weeks before", Kind.PERCENT),
    _col("Trend"),
    _col("Band history (half terms)", wide=True),
    _col("Main reasons for absence", wide=True),
)


def _pupil_cells(p: PupilSummary) -> tuple[object, ...]:
    return (
        p.upn,
        p.name,
        p.nc_year,
        ", ".join(p.priority_groups),
        p.attendance_percent,
        p.sess_possible,
        p.sess_overall,
        p.sess_unauthorised,
        p.trend.recent_percent,
        p.trend.previous_percent,
        p.trend.direction,
        p.describe_band_history(),
        p.describe_reasons(),
    )


_BRIEF_PUPIL = (_col("UPN"), _col("Name"), _col("Year"), _col("Priority groups"))


def _brief(p: PupilSummary) -> tuple[object, ...]:
    return (p.upn, p.name, p.nc_year, ", ".join(p.priority_groups))


_AREA_COLUMNS = (
    _col("Area"),
    _col("Pupils", Kind.COUNT),
    _col("Attendance", Kind.PERCENT),
    _col("Overall absence", Kind.PERCENT),
    _col("Authorised absence", Kind.PERCENT),
    _col("Unauthorised absence", Kind.PERCENT),
    _col("Persistent absence", Kind.PERCENT),
    _col("Severe absence", Kind.PERCENT),
    _col("Persistently absent", Kind.COUNT),
    _col("Severely absent", Kind.COUNT),
    _col("Basis", wide=True),
)


def pack_sections(pack: TSMPack) -> list[Section]:
    """The pack as sections, in the order of the meeting."""
    return [section(pack) for section in _SECTIONS]


def _summary_section(pack: TSMPack) -> Section:
    """The school, the term, the pack's dates and who is counted; how many pupils each list holds; the notes."""
    return _section(
        "summary",
        "Summary",
        pack.title,
        (_col("Item"), _col("Value", wide=True)),
        (
            ("School", f"{pack.school_name} (URN {pack.urn})"),
            ("Phase", pack.phase_label),
            ("Local authority", pack.la_name),
            ("Term", pack.term.describe()),
            ("As at", pack.as_at),
            ("School's latest register mark", pack.school_last_mark),
            ("Year to date", pack.year_to_date.describe()),
            ("This term", pack.term_to_date.describe()),
            ("Pupils counted", pack.population),
            ("Attendance categories", pack.categories.scheme),
            ("Severely absent pupils on roll", len(pack.severely_absent)),
            ("Persistently (not severely) absent pupils on roll", len(pack.persistently_absent)),
            ("No attendance this year", len(pack.zero_attendance)),
            ("No attendance in the last 3 school weeks, unauthorised", len(pack.no_attendance_recently.pupils)),
            ("At risk of persistent absence", len(pack.at_risk)),
            *(("Note", note) for note in pack.notes),
        ),
    )


def _overall_section(pack: TSMPack) -> Section:
    """The school against the LA, its phase's other schools and England, year to date and this term."""
    o = pack.overall
    return _section(
        "overall",
        "Overall attendance",
        f"Year to date ({pack.year_to_date.describe()}) and this term ({pack.term_to_date.describe()}): the "
        "school against the LA, the other schools of its phase in the LA, and England.",
        (_col("Period"), *_AREA_COLUMNS),
        tuple(
            (
                label,
                a.area,
                a.enrolments,
                a.attendance_percent,
                a.overall_absence_percent,
                a.authorised_absence_percent,
                a.unauthorised_absence_percent,
                a.persistent_absence_percent,
                a.severe_absence_percent,
                a.persistently_absent,
                a.severely_absent,
                a.basis,
            )
            for label, areas in (("Year to date", o.year_to_date), ("This term", o.this_term))
            for a in areas
        ),
    )


def _last_year_section(pack: TSMPack) -> Section:
    """The school and the LA against the same point last year."""
    o = pack.overall
    return _section(
        "last_year",
        "Against last year",
        "The year to date against the same point last year (1 August to the same date).",
        (
            _col("Area"),
            _col("This year"),
            _col("Compared with"),
            _col("Attendance", Kind.PERCENT),
            _col("Attendance last year", Kind.PERCENT),
            _col("Change (points)", Kind.POINTS, key="attendance_change"),
            _col("Persistent absence", Kind.PERCENT),
            _col("Persistent absence last year", Kind.PERCENT),
            _col("Change (points)", Kind.POINTS, key="persistent_absence_change"),
            _col("Severe absence", Kind.PERCENT),
            _col("Severe absence last year", Kind.PERCENT),
            _col("Change (points)", Kind.POINTS, key="severe_absence_change"),
        ),
        tuple(
            (
                c.area,
                c.period,
                c.compared_with,
                c.this_year.attendance_percent,
                c.last_year.attendance_percent if c.last_year else None,
                c.attendance_change_points,
                c.this_year.persistent_absence_percent,
                c.last_year.persistent_absence_percent if c.last_year else None,
                c.persistent_absence_change_points,
                c.this_year.severe_absence_percent,
                c.last_year.severe_absence_percent if c.last_year else None,
                c.severe_absence_change_points,
            )
            for c in o.against_last_year
        ),
        "No figures for last year.",
    )


def _categories_section(pack: TSMPack) -> Section:
    """The school's pupils in each of the LA's attendance categories."""
    return _section(
        "categories",
        "Attendance categories",
        f"Pupils in each of the LA's attendance categories ({pack.categories.scheme}).",
        (
            _col("Category"),
            _col("Pupils, year to date", Kind.COUNT),
            _col("Share, year to date", Kind.PERCENT),
            _col("Pupils, this term", Kind.COUNT),
            _col("Share, this term", Kind.PERCENT),
        ),
        tuple(
            (y.name, y.pupils, y.percent, t.pupils, t.percent)
            for y, t in zip(pack.categories.year_to_date, pack.categories.this_term, strict=True)
        ),
    )


def _severe_section(pack: TSMPack) -> Section:
    """Every severely absent pupil on roll."""
    return _section(
        "severe",
        "Severely absent pupils",
        "Every pupil on roll with attendance of 50% or less this year, lowest first. Each needs an agreed "
        "multi-agency plan and a lead practitioner.",
        _PUPIL_COLUMNS,
        tuple(_pupil_cells(p) for p in pack.severely_absent),
        "No pupil on roll is severely absent.",
        new_page=True,
    )


def _persistent_section(pack: TSMPack) -> Section:
    """The persistently (not severely) absent pupils on roll."""
    return _section(
        "persistent",
        "Persistently absent pupils",
        "Pupils on roll with attendance of 90% or less and over 50% this year (the severely absent are in "
        "their own list), lowest first.",
        _PUPIL_COLUMNS,
        tuple(_pupil_cells(p) for p in pack.persistently_absent),
        "No other pupil on roll is persistently absent.",
        new_page=True,
    )


def _zero_section(pack: TSMPack) -> Section:
    """The pupils on roll with no attendance this year."""
    return _section(
        "zero",
        "No attendance this year",
        "Pupils on roll who have not attended one session this year (since September, or since joining).",
        (*_BRIEF_PUPIL, _col("Since", Kind.DATE), _col("Joined late"), _col("Possible sessions", Kind.COUNT)),
        tuple(
            (*_brief(z.pupil), z.since, "Yes" if z.late_joiner else "No", z.pupil.sess_possible)
            for z in pack.zero_attendance
        ),
        "Every pupil on roll has attended at least once this year.",
        new_page=True,
    )


def _at_risk_section(pack: TSMPack) -> Section:
    """The pupils on roll whom early warning flags."""
    return _section(
        "at_risk",
        "At risk of persistent absence",
        f"Pupils on roll not yet persistently absent whom early warning flags. {pack.at_risk_basis}",
        (
            *_BRIEF_PUPIL,
            _col("Attendance", Kind.PERCENT),
            _col("Projected by year end", Kind.PERCENT),
            _col("Risk of PA (model)", Kind.FRACTION),
            _col("Reasons", wide=True),
        ),
        tuple(
            (
                *_brief(r.pupil),
                r.pupil.attendance_percent,
                r.projected_attendance_percent,
                r.risk_pa,
                "; ".join(r.reasons),
            )
            for r in pack.at_risk
        ),
        "No pupil on roll is flagged.",
        new_page=True,
    )


def _cohorts_section(pack: TSMPack) -> Section:
    """The LA's priority cohorts in the school."""
    return _section(
        "cohorts",
        "Priority cohorts",
        "The LA's priority cohorts in this school, year to date: against the school's other pupils and the "
        "same cohort across the LA. Flags need at least 10 pupils and 5 persistently absent behind them.",
        (
            _col("Cohort"),
            _col("Pupils", Kind.COUNT),
            _col("Attendance", Kind.PERCENT),
            _col("Persistently absent", Kind.COUNT),
            _col("Persistent absence", Kind.PERCENT),
            _col("Severely absent", Kind.COUNT),
            _col("Other pupils' attendance", Kind.PERCENT),
            _col("Other pupils' persistent absence", Kind.PERCENT),
            _col("LA cohort pupils", Kind.COUNT),
            _col("LA cohort attendance", Kind.PERCENT),
            _col("LA cohort persistent absence", Kind.PERCENT),
            _col("Flag"),
            _col("In words", wide=True),
        ),
        tuple(
            (
                c.cohort,
                c.pupils,
                c.attendance_percent,
                c.persistently_absent,
                c.persistent_absence_percent,
                c.severely_absent,
                c.others_attendance_percent,
                c.others_persistent_absence_percent,
                c.la_pupils,
                c.la_attendance_percent,
                c.la_persistent_absence_percent,
                c.flag,
                c.summary,
            )
            for c in pack.cohorts
        ),
        new_page=True,
    )


def _discuss_section(pack: TSMPack) -> Section:
    """The pupils the school asks to discuss."""
    return _section(
        "discuss",
        "Pupils the school asks to discuss",
        "As recorded for this meeting.",
        (_col("UPN"), *_PUPIL_COLUMNS[1:], _col("Note")),
        tuple(
            (d.upn, *(_pupil_cells(d.pupil)[1:] if d.pupil else (None,) * (len(_PUPIL_COLUMNS) - 1)), d.note)
            for d in pack.discussed
        ),
        "The school has not asked to discuss any pupil.",
        new_page=True,
    )


def _actions_section(pack: TSMPack) -> Section:
    """The previous meeting's actions, with attendance before and since."""
    return _section(
        "actions",
        "Actions from the previous meeting",
        "Attendance before each action (the school days before it was agreed) against attendance since.",
        (
            _col("UPN"),
            _col("Name"),
            _col("Action", wide=True),
            _col("Lead"),
            _col("Agreed on", Kind.DATE),
            _col("Before", Kind.PERCENT),
            _col("Since", Kind.PERCENT),
            _col("Change (points)", Kind.POINTS),
            _col("Improved"),
            _col("In words", wide=True),
        ),
        tuple(
            (
                a.action.upn,
                a.pupil.name if a.pupil else "",
                a.action.action,
                a.action.owner or "",
                a.action.agreed_on,
                a.before_percent,
                a.since_percent,
                a.change_points,
                {True: "Yes", False: "No", None: "Not yet known"}[a.improved],
                a.describe(),
            )
            for a in pack.previous_actions
        ),
        "No actions were recorded at the previous meeting.",
        new_page=True,
    )


def _no_attendance_section(pack: TSMPack) -> Section:
    n = pack.no_attendance_recently
    if n.window_start is None:
        window = "no school days recorded yet"
    else:
        window = f"{n.window_start:%d %b} to {n.window_end:%d %b %Y}, {n.school_days} school days"
    left_out = f" Left out as children missing education: {', '.join(n.left_out_as_cme)}." if n.left_out_as_cme else ""
    return _section(
        "no_attendance_3_weeks",
        "No attendance in the last 3 school weeks, unauthorised only",
        f"Pupils on roll who attended no session in the last 3 school weeks ({window}) and whose every absence "
        f"in them was unauthorised.{left_out}",
        (*_BRIEF_PUPIL, _col("Possible sessions", Kind.COUNT), _col("Unauthorised absence", wide=True)),
        tuple(
            (
                *_brief(p.pupil),
                p.sess_possible,
                ", ".join(f"{label} {count}" for label, count in p.unauthorised_by_reason),
            )
            for p in n.pupils
        ),
        "No pupil on roll meets this rule.",
        new_page=True,
    )


#: The sections' builders, in the order of the meeting.
_SECTIONS: tuple[Callable[[TSMPack], Section], ...] = (
    _summary_section,
    _overall_section,
    _last_year_section,
    _categories_section,
    _severe_section,
    _persistent_section,
    _zero_section,
    _no_attendance_section,
    _at_risk_section,
    _cohorts_section,
    _discuss_section,
    _actions_section,
)
