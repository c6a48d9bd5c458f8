"""The LA's priority cohorts in a school (SEN support, EHC plan, a social worker, looked after, FSM, and the
LA's own cohorts its pack shows, :mod:`attendwise.core.cohorts`): each against the school's other pupils and
the same cohort across the LA, with the disproportionality flag computed within the school.

An LA cohort counts its members' sessions inside their dates (:func:`attendwise.measures.absence.enrolment_absence`
split by it). A school sees its pack, so a cohort only LA staff may see membership of (``la_only``) shows no
figure built on fewer pupils than the suppression threshold: its row in the school, and the school's other
pupils (the school less the cohort), are ``x``, and so is the LA's cohort when it is that small."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from attendwise.analysis.disproportionality import CohortFrames, disproportionality_within
from attendwise.core.cohorts import Cohort
from attendwise.documents.marks import SUPPRESSED
from attendwise.reports.tsm.pack import CohortFigures, float_or_none, pct

SOCIAL_WORKER = "With a social worker"

#: The LA's priority cohorts: label -> (enrolment column, group label), as
#: :func:`attendwise.measures.absence.enrolment_absence` labels them (``cin`` here means "has a social worker").
COHORTS: dict[str, tuple[str, str]] = {
    "SEN support": ("sen_provision", "SEN support"),
    "EHC plan": ("sen_provision", "EHC plan"),
    "With a social worker (CIN or CPP)": ("cin", SOCIAL_WORKER),
    "Looked after": ("cla", "Looked after"),
    "FSM eligible": ("fsm", "FSM eligible"),
}

#: A cohort's sums: pupils, attended and possible sessions, persistently and severely absent pupils.
CohortSums = tuple[int, int, int, int, int]


def cohort_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The columns the cohorts need, ``cin`` standing for "has a social worker" (CIN or CPP), as plain
    numpy columns (grouping pyarrow-backed strings row by row is slow)."""
    social = (rows.cin == "Child in need") | (rows.cpp == "Child protection plan")
    return pd.DataFrame(
        {
            "school_urn": rows.school_urn.to_numpy(),
            "enrolment_id": rows.enrolment_id.to_numpy(),
            "fsm": rows.fsm.to_numpy(dtype=object),
            "sen_provision": rows.sen_provision.to_numpy(dtype=object),
            "cla": rows.cla.to_numpy(dtype=object),
            "cin": np.where(social.to_numpy(), SOCIAL_WORKER, "No social worker").astype(object),
            "sess_possible": rows.sess_possible.to_numpy(),
            "sess_attended": rows.sess_attended.to_numpy(),
            "sess_overall": rows.sess_overall.to_numpy(),
            "pa_10": rows.pa_10.to_numpy(),
            "pa_50": rows.pa_50.to_numpy(),
        }
    )


def cohort_sums(frame: pd.DataFrame, column: str, group: object) -> CohortSums:
    """Pupils, attended and possible sessions, and persistently and severely absent pupils of one cohort."""
    inside = frame[frame[column] == group]
    return (
        len(inside),
        int(inside.sess_attended.sum()),
        int(inside.sess_possible.sum()),
        int(inside.pa_10.sum()),
        int(inside.pa_50.sum()),
    )


def flags_within_schools(
    frame: pd.DataFrame, cohorts: CohortFrames = ()
) -> dict[tuple[int, str], tuple[str, str, float | None]]:
    """Per school and cohort group: the persistent absence flag, its summary in words and the risk ratio, from
    :func:`attendwise.analysis.disproportionality.disproportionality_within` each school's pupils (and each of
    the LA's ``cohorts``, with its split frame)."""
    tested = disproportionality_within(frame, "school_urn", ["fsm", "sen", "cla", "cin"], cohorts=cohorts)
    if tested.empty:
        return {}
    return {
        (int(u), str(g)): (str(f), str(text), float_or_none(rr))
        for u, g, f, text, rr in zip(
            tested.school_urn, tested.group, tested.pa_flag, tested.summary, tested.pa_risk_ratio, strict=True
        )
    }


class TermCohorts:
    """The priority cohorts of a term's packs: the LA's, and each school's with its flags; builds each
    school's cohorts section.

    Args:
        rows: the year-to-date enrolment rows of every school (the LA's cohorts count them all).
        urns: the schools packs are built for.
        priority: the LA's own cohorts the packs may show, each with its year-to-date rows split by it
            (:func:`attendwise.measures.absence.enrolment_absence` with the cohort).
        shown: which of them each school's pack shows (by URN; none for a school not given).
        threshold: the suppression threshold for the cohorts only LA staff may see membership of.
    """

    def __init__(
        self,
        rows: pd.DataFrame,
        urns: Sequence[int],
        priority: Sequence[tuple[Cohort, pd.DataFrame]] = (),
        shown: dict[int, tuple[Cohort, ...]] | None = None,
        threshold: int = 5,
    ) -> None:
        self.priority = _PriorityCohorts(priority, urns, threshold)
        self.shown = shown or {}
        cohort_rows = cohort_frame(rows)
        self.la = {name: cohort_sums(cohort_rows, column, group) for name, (column, group) in COHORTS.items()}
        mine = cohort_rows[cohort_rows.school_urn.isin(urns)]
        self.by_school = {
            (int(u), name): cohort_sums(g, column, group)
            for u, g in mine.groupby("school_urn")
            for name, (column, group) in COHORTS.items()
        }
        self.school_totals = {int(u): cohort_sums(g, "school_urn", u) for u, g in mine.groupby("school_urn")}
        self.flags = flags_within_schools(mine)

    def figures(self, urn: int) -> tuple[CohortFigures, ...]:
        urn = int(urn)
        out = []
        total = self.school_totals.get(urn, (0, 0, 0, 0, 0))
        for cohort, (_, group) in COHORTS.items():
            pupils, attended, possible, pa, sa = self.by_school.get((urn, cohort), (0, 0, 0, 0, 0))
            others = [t - c for t, c in zip(total, (pupils, attended, possible, pa, sa), strict=True)]
            la_pupils, la_attended, la_possible, la_pa, _ = self.la[cohort]
            if not pupils:
                flag, summary_text, rr = "", f"No pupils in this school are {cohort.lower()}.", None
            else:
                flag, summary_text, rr = self.flags[(urn, group)]
            out.append(
                CohortFigures(
                    cohort=cohort,
                    pupils=pupils,
                    attendance_percent=pct(attended, possible),
                    persistently_absent=pa,
                    persistent_absence_percent=pct(pa, pupils),
                    severely_absent=sa,
                    severe_absence_percent=pct(sa, pupils),
                    others_attendance_percent=pct(others[1], others[2]),
                    others_persistent_absence_percent=pct(others[3], others[0]),
                    la_pupils=la_pupils,
                    la_attendance_percent=pct(la_attended, la_possible),
                    la_persistent_absence_percent=pct(la_pa, la_pupils),
                    risk_ratio=rr,
                    flag=flag,
                    summary=summary_text,
                )
            )
        out += [self.priority.figures(urn, c) for c in self.shown.get(urn, ())]
        return tuple(out)


def _sums(rows: pd.DataFrame) -> CohortSums:
    """Pupils (parts of enrolments), attended and possible sessions, persistently and severely absent."""
    return (
        len(rows),
        int(rows.sess_attended.sum()),
        int(rows.sess_possible.sum()),
        int(rows.pa_10.sum()),
        int(rows.pa_50.sum()),
    )


class _PriorityCohorts:
    """The LA's own cohorts in each school (members' sessions inside their dates), and across the LA."""

    def __init__(self, priority: Sequence[tuple[Cohort, pd.DataFrame]], urns: Sequence[int], threshold: int) -> None:
        self.threshold = threshold
        self.la: dict[str, CohortSums] = {}
        self.members: dict[tuple[int, str], CohortSums] = {}
        self.totals: dict[tuple[int, str], CohortSums] = {}
        split: list[tuple[Cohort, pd.DataFrame]] = []
        for cohort, rows in priority:
            frame = rows.assign(sess_attended=rows.sess_present + rows.sess_aea)
            inside = frame[frame[cohort.column] == cohort.label]
            self.la[cohort.key] = _sums(inside)
            mine = frame[frame.school_urn.isin(urns)]
            for u, g in mine.groupby("school_urn"):
                self.totals[(int(u), cohort.key)] = _sums(g)
                self.members[(int(u), cohort.key)] = _sums(g[g[cohort.column] == cohort.label])
            split.append((cohort, mine))
        self.flags: dict[tuple[int, str], tuple[str, str, float | None]] = {}
        if split:
            # Each cohort within each school: its members' parts against every other part of the school's rows.
            tested = disproportionality_within(split[0][1], "school_urn", [], cohorts=split)
            for u, g, f, text, rr in zip(
                tested.get("school_urn", []), tested.get("group", []), tested.get("pa_flag", []),
                tested.get("summary", []), tested.get("pa_risk_ratio", []), strict=True,
            ):  # fmt: skip
                self.flags[(int(u), str(g))] = (str(f), str(text), float_or_none(rr))

    def figures(self, urn: int, cohort: Cohort) -> CohortFigures:
        pupils, attended, possible, pa, sa = self.members.get((urn, cohort.key), (0, 0, 0, 0, 0))
        total = self.totals.get((urn, cohort.key), (0, 0, 0, 0, 0))
        others = [t - c for t, c in zip(total, (pupils, attended, possible, pa, sa), strict=True)]
        la_pupils, la_attended, la_possible, la_pa, _ = self.la[cohort.key]
        if not pupils:
            flag, text, rr = "", f"No pupils in this school are in the cohort {cohort.label.lower()}.", None
        else:
            flag, text, rr = self.flags.get((urn, cohort.label), ("", "", None))
        row = CohortFigures(
            cohort=cohort.label,
            pupils=pupils,
            attendance_percent=pct(attended, possible),
            persistently_absent=pa,
            persistent_absence_percent=pct(pa, pupils),
            severely_absent=sa,
            severe_absence_percent=pct(sa, pupils),
            others_attendance_percent=pct(others[1], others[2]),
            others_persistent_absence_percent=pct(others[3], others[0]),
            la_pupils=la_pupils,
            la_attendance_percent=pct(la_attended, la_possible),
            la_persistent_absence_percent=pct(la_pa, la_pupils),
            risk_ratio=rr,
            flag=flag,
            summary=text,
        )
        return self._suppressed(row, cohort)

    def _suppressed(self, row: CohortFigures, cohort: Cohort) -> CohortFigures:
        """For a cohort only LA staff may see membership of: no figure on fewer pupils than the threshold."""
        if not cohort.sensitive:
            return row
        small = 0 < row.pupils < self.threshold  # type: ignore[operator]
        la_small = 0 < row.la_pupils < self.threshold  # type: ignore[operator]
        x = SUPPRESSED
        if small:
            row = replace(
                row,
                pupils=x, attendance_percent=x, persistently_absent=x, persistent_absence_percent=x,
                severely_absent=x, severe_absence_percent=x, others_attendance_percent=x,
                others_persistent_absence_percent=x, risk_ratio=None, flag="",
                summary=f"Fewer than {self.threshold} pupils: only LA staff may see this cohort's figures.",
            )  # fmt: skip
        if la_small:
            row = replace(row, la_pupils=x, la_attendance_percent=x, la_persistent_absence_percent=x)
        return row
