"""The Virtual School's children: every child looked after or with a social worker (a child in need or on a
protection plan), by school, with their attendance, band and latest absence.

The rows are the period's enrolment rows (the DfE population), so a child counts here exactly as in every
measure; a school of another LA is listed like any other once its registers are imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import pandas as pd

from attendwise.core.codes import with_meaning
from attendwise.documents.tables import Column, Kind, Sparkline, Table, table_from_frame
from attendwise.measures.bands import BandScheme
from attendwise.reports.trends import WEEKS, weekly_sparklines
from attendwise.store import Store

__all__ = ["SOCIAL_CARE", "VirtualSchool", "VirtualSchoolSchool", "latest_absences", "virtual_school"]

#: The labels the enrolment rows give a child looked after, in need and on a protection plan.
SOCIAL_CARE = {"cla": "Looked after", "cin": "Child in need", "cpp": "Child protection plan"}


@dataclass(frozen=True)
class VirtualSchoolSchool:
    """One school's children: the school, its page (None if the viewer has none) and the table."""

    urn: int
    name: str
    link: str | None
    table: Table


@dataclass(frozen=True)
class VirtualSchool:
    """The children, a table per school (most children first), and how many in all."""

    schools: list[VirtualSchoolSchool]
    children: int
    looked_after: int
    with_social_worker: int


def latest_absences(store: Store, enrolment_ids: list[int]) -> pd.DataFrame:
    """Each enrolment's latest absent session (authorised or unauthorised): ``enrolment_id``, ``date``,
    ``session``, ``code`` and ``category``; enrolments never absent are left out."""
    if not enrolment_ids:
        return pd.DataFrame(columns=["enrolment_id", "date", "session", "code", "category"])
    marks = store.table("marks")
    wanted = ibis.memtable(pd.DataFrame({"enrolment_id": enrolment_ids}))
    marks = marks.semi_join(wanted, "enrolment_id")
    absent = with_meaning(marks)
    absent = absent.filter(absent.category.isin(["authorised", "unauthorised"]))
    ranked = absent.mutate(
        n=ibis.row_number().over(
            ibis.window(group_by="enrolment_id", order_by=[ibis.desc("date"), ibis.desc("session")])
        )
    )
    latest = ranked.filter(ranked.n == 0).select("enrolment_id", "date", "session", "code", "category")
    return store.ibis.to_pyarrow(latest).to_pandas()


def _social_care(row: pd.Series) -> str:
    return "; ".join(label for key, label in SOCIAL_CARE.items() if row[key] == label)


def virtual_school(
    store: Store,
    rows: pd.DataFrame,
    scheme: BandScheme,
    *,
    pupil_link: Callable[[int], str],
    school_link: Callable[[int], str | None],
    home_la: str | None = None,
) -> VirtualSchool:
    """The children looked after or with a social worker among ``rows``, a table per school.

    Args:
        home_la: the LA's own code; a school of any other LA says whose it is.
    """
    looked_after = rows.cla == SOCIAL_CARE["cla"]
    social_worker = (rows.cin == SOCIAL_CARE["cin"]) | (rows.cpp == SOCIAL_CARE["cpp"])
    children = rows[looked_after | social_worker].copy()
    children["attendance_percent"] = (
        100.0
        * (children.sess_possible - children.sess_overall)
        / children.sess_possible.where(children.sess_possible > 0)
    )
    names = store.pupil_names(children.upn)
    children["pupil"] = [
        " ".join(p for p in names.get(u, (None, None)) if p) or "Name not recorded" for u in children.upn
    ]
    children["social_care"] = children.apply(_social_care, axis=1) if len(children) else []
    children["band_name"] = children.band.map({b.key: b.name for b in scheme.bands})
    colours = {b.key: b.colour for b in scheme.bands}
    latest = latest_absences(store, [int(e) for e in children.enrolment_id])
    children = children.merge(latest, on="enrolment_id", how="left")
    _, last_mark = store.mark_range()
    sparks = weekly_sparklines(store, children.enrolment_id, last_mark) if last_mark is not None else {}
    children["trend"] = [sparks.get(int(e), Sparkline(())) for e in children.enrolment_id]
    children["latest_absence"] = [
        f"{d:%d %b %Y} {s}, {c} ({cat})" if pd.notna(d) else "None this period"  # NaT is a date too
        for d, s, c, cat in zip(
            pd.to_datetime(children.date).dt.date if len(children) else [],
            children.session,
            children.code,
            children.category,
            strict=True,
        )
    ]
    tables = []
    counts = children.groupby(["school_urn", "school_name"]).size().sort_values(ascending=False)
    for (urn, school_name), _ in counts.items():
        these = children[children.school_urn == urn].sort_values(["attendance_percent", "pupil"])
        la = str(these.old_la_code.iloc[0]) if "old_la_code" in these else ""
        where = f" (a school of LA {la})" if home_la and la and la != home_la else ""
        tables.append(
            VirtualSchoolSchool(
                int(urn),
                str(school_name),
                school_link(int(urn)),
                table_from_frame(
                    these,
                    f"{school_name}{where}: {len(these)} child{'ren' if len(these) != 1 else ''}",
                    [
                        Column("pupil", "Child"),
                        Column("upn", "UPN"),
                        Column("nc_year", "Year group"),
                        Column("social_care", "Looked after or social worker"),
                        Column("attendance_percent", "Attendance %", Kind.PERCENT),
                        Column("sess_unauthorised", "Unauthorised sessions", Kind.COUNT),
                        Column("band_name", "Band"),
                        Column("trend", f"Last {WEEKS} school weeks"),
                        Column("latest_absence", "Latest absence"),
                    ],
                    links={"pupil": [pupil_link(int(e)) for e in these.enrolment_id]},
                    tags={"band_name": [colours.get(b, "grey") for b in these.band]},
                ),
            )
        )
    return VirtualSchool(tables, len(children), int(looked_after.sum()), int((social_worker & ~looked_after).sum()))
