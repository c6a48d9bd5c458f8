"""The demo city's register entries, consistent with its marks: who left, who was excluded, who was on C2.

Pure and seeded (the same store gives the same entries): :func:`plan` takes what the register store says
(leavers, runs of E marks, days marked C2) and returns what a year of an LA's registers would hold:

* **removals from roll** for pupils who left: to another of the LA's schools (named, so nothing opens); at the
  end of the year, Year 11 (compulsory school age ended) or to a school in a named LA; during the year, out
  of the LA's schools, some to home education (one secondary school, the one with most such leavers, at
  several times the rate of the rest, for the off-rolling watch to find), some moved away with no known
  destination (each a CME referral, most closed since with an outcome), the rest to a named LA;
* **CME referrals** from other routes (another LA, the police, health) for children on no roll here, some
  with whereabouts unknown and two with an EHC plan awaiting a place, with interim provision;
* **suspensions** for the runs of E marks, all but a few (an E run with no record) and a few recorded a day
  late (a record without E, and an E without a record), for the reconciliation to find;
* **panel referrals** for one in eight severely absent pupils, most decided, some reviewed;
* **part-time timetables** for pupils marked C2, reviewed three weeks in and planned for six, ending with the
  last C2 mark; a few with no timetable at all (C2 marks without one), several past their review.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["DemoPlan", "Leaver", "Run", "plan"]

_EHE_REASONS = (
    "philosophical",
    "lifestyle",
    "mental_health",
    "dissatisfaction_general",
    "dissatisfaction_bullying",
    "dissatisfaction_send",
    "no_preferred_school",
    "school_suggestion",
    "no_reason_given",
    "other",
)
_EXCLUSION_REASONS = (
    "persistent_disruptive",
    "physical_pupils",
    "physical_adult",
    "verbal_adult",
    "verbal_pupil",
    "damage",
    "drug_alcohol",
    "bullying",
)
_OTHER_LAS = ("Birmingham", "Warwickshire", "Leicester", "Solihull", "Northamptonshire")


@dataclass(frozen=True)
class Leaver:
    enrolment_id: int
    upn: str
    urn: int
    phase: str
    left_on: dt.date
    #: The LA school the pupil joined next, if any.
    next_urn: int | None


@dataclass(frozen=True)
class Run:
    """School days in a row a pupil was marked E (or C2), by enrolment."""

    enrolment_id: int
    upn: str
    urn: int
    days: tuple[dt.date, ...]
    #: The sessions marked, ``(day, AM or PM)``.
    sessions: tuple[tuple[dt.date, str], ...] = ()


@dataclass
class DemoPlan:
    removals: list[dict[str, object]] = field(default_factory=list)
    referrals: list[dict[str, object]] = field(default_factory=list)
    suspensions: list[dict[str, object]] = field(default_factory=list)
    timetables: list[dict[str, object]] = field(default_factory=list)
    panels: list[dict[str, object]] = field(default_factory=list)


def _removals(out: DemoPlan, leavers: Sequence[Leaver], rng: random.Random, last_day: dt.date) -> None:
    away = [lv for lv in leavers if lv.next_urn is None and lv.left_on < last_day and lv.left_on.month != 7]
    secondary = Counter(lv.urn for lv in away if lv.phase == "secondary")
    planted = secondary.most_common(1)[0][0] if secondary else None
    for lv in sorted(leavers, key=lambda x: x.enrolment_id):
        base = {"enrolment_id": lv.enrolment_id, "upn": lv.upn, "urn": lv.urn, "removal_date": lv.left_on}
        if lv.next_urn is not None:
            if rng.random() < 0.25:
                out.removals.append({**base, "ground": "another_school", "destination_urn": lv.next_urn})
            continue
        if lv.left_on.month == 7 and lv.left_on.day >= 14:  # left at the end of the year: Year 11, or to a school
            if lv.phase == "secondary":
                out.removals.append({**base, "ground": "compulsory_age_ended"})
            else:
                out.removals.append({**base, "ground": "moved_away", "destination_la": rng.choice(_OTHER_LAS)})
            continue
        draw = rng.random()
        if draw < (0.6 if lv.urn == planted else 0.1):
            reason = "school_suggestion" if lv.urn == planted and rng.random() < 0.4 else rng.choice(_EHE_REASONS)
            out.removals.append({**base, "ground": "home_education", "ehe_reason": reason})
        elif draw < 0.4:
            closed = rng.random() < 0.7
            outcome = rng.choice(("left_area_ctf_sent", "placed_at_school", "left_country")) if closed else ""
            out.removals.append(
                {
                    **base,
                    "ground": "moved_away",
                    "cme_outcome": outcome,
                    "cme_closed_on": lv.left_on + dt.timedelta(days=rng.randint(7, 40)) if closed else None,
                }
            )
        else:
            out.removals.append({**base, "ground": "moved_away", "destination_la": rng.choice(_OTHER_LAS)})


def _referrals(out: DemoPlan, rng: random.Random, last_day: dt.date) -> None:
    for i in range(12):
        referred = last_day - dt.timedelta(days=rng.randint(5, 120))
        reason = (
            "whereabouts_unknown",
            "moved_to_another_la",
            "awaiting_place",
            "ehc_plan_awaiting_place",
            "failed_to_take_up_place",
            "no_return_after_summer",
        )[i % 6]
        out.referrals.append(
            {
                "child_name": f"Referred child {i + 1}",
                "referred_on": referred,
                "source": ("other_la", "police", "health", "admissions", "social_care", "public")[i % 6],
                "reason": reason,
                "whereabouts_unknown_since": referred if reason == "whereabouts_unknown" else None,
                "ehc_plan": reason == "ehc_plan_awaiting_place",
                "interim_provision": "Home tuition, 10 hours a week, by the SEND team"
                if reason == "ehc_plan_awaiting_place"
                else "",
            }
        )


def _suspensions(out: DemoPlan, runs: Sequence[Run], rng: random.Random) -> None:
    for i, run in enumerate(runs):
        if i % 40 == 5:
            continue  # an E run with no record: the school has not notified it
        # A few recorded as starting a day late: an E without a record on the first day, a record without E after.
        days = run.days[1:] if i % 50 == 7 and len(run.days) > 1 else run.days
        reasons = sorted(set(rng.sample(_EXCLUSION_REASONS, k=rng.choice((1, 1, 2)))))
        lunchtime = len(run.sessions) == 1 and run.sessions[0][1] == "PM"
        length = 1 if lunchtime else (len(run.sessions) / 2 if run.sessions else len(run.days))
        out.suspensions.append(
            {
                "enrolment_id": run.enrolment_id,
                "upn": run.upn,
                "urn": run.urn,
                "kind": "lunchtime" if lunchtime else "suspension",
                "start": days[0],
                "length": length,
                "reasons": reasons,
                "notice_on": run.days[0],
            }
        )


def _timetables(out: DemoPlan, c2: Sequence[Run], last_day: dt.date) -> None:
    for i, run in enumerate(c2):
        if i % 8 == 3:
            continue  # C2 marks with no timetable recorded
        start, last = run.days[0], run.days[-1]
        ended = last if (last_day - last).days > 14 else None
        out.timetables.append(
            {
                "enrolment_id": run.enrolment_id,
                "upn": run.upn,
                "urn": run.urn,
                "start": start,
                "planned_end": start + dt.timedelta(weeks=6),
                "review_date": start + dt.timedelta(weeks=3),
                "reason": (
                    "Medical: a phased return",
                    "Reintegration after a long absence",
                    "Anxiety: a planned return with the mental health team",
                )[i % 3],
                "agreed_by": "Parent and head of year",
                "ended_on": ended,
            }
        )


def _panels(out: DemoPlan, severe: Sequence[tuple[int, str, int]], rng: random.Random, last_day: dt.date) -> None:
    """A referral for one in eight severely absent pupils: most decided (Coventry's 2024/25: 87 further school
    action to 51 the LA's own service), the latest awaiting the panel."""
    for i, (eid, upn, urn) in enumerate(severe[::8]):
        referred = last_day - dt.timedelta(days=7 + (i * 11) % 120)
        decided = referred + dt.timedelta(days=14) < last_day
        decision = ("further_school_action" if i % 8 < 5 else "la_provision") if decided else ""
        out.panels.append(
            {
                "enrolment_id": eid,
                "upn": upn,
                "urn": urn,
                "referred_on": referred,
                "school_actions": "Home visits, an attendance contract offered, an early help assessment",
                "panel_date": referred + dt.timedelta(days=14) if decided else None,
                "decision": decision,
                "provision": {
                    "la_provision": "The LA's tuition service, 15 hours a week",
                    "further_school_action": "A reduced timetable with a return plan",
                }.get(decision, ""),
                "review_date": referred + dt.timedelta(days=56) if decided else None,
                "outcome": "Attending full time" if decided and rng.random() < 0.3 else "",
            }
        )


def plan(
    leavers: Sequence[Leaver],
    e_runs: Sequence[Run],
    c2_runs: Sequence[Run],
    *,
    last_day: dt.date,
    severe: Sequence[tuple[int, str, int]] = (),
    seed: int = 14,
) -> DemoPlan:
    """The demo city's register entries, from its leavers, E runs and C2 runs, as at ``last_day``."""
    rng = random.Random(seed)
    out = DemoPlan()
    _removals(out, leavers, rng, last_day)
    _referrals(out, rng, last_day)
    _suspensions(out, e_runs, rng)
    _timetables(out, c2_runs, last_day)
    _panels(out, severe, rng, last_day)
    return out
