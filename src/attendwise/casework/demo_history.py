"""A casework history for the demo city, consistent with its marks: who gets a case, when, and what happens.

For each pupil the demo's registers give attendance by half term this year. A pupil whose attendance falls
to 90% or below in a half term (stage 2 or 3 of the stage model) may get a case, opened three weeks into
that half term, when the drop shows: a share of those who fall to stage 3 and a smaller share of those at
stage 2 (:data:`STAGE_3_SHARE`, :data:`STAGE_2_SHARE`, so a caseload is a caseload and not every absentee). Then, each a
command as a person would record it (so every rule holds), with dates inside the registers:

* the school phones the family the next day and writes the next week (contact);
* a meeting in school after ten days; at stage 3 a home visit by the LA officer after two weeks;
* at stage 2 or 3 an Early Help Assessment is offered; most families accept (:data:`EHA_ACCEPTED`), and
  then a Team Around the Family forms and the criteria met are recorded; some decline;
* some stage 3 pupils go on a part-time timetable for six weeks, reviewed after three;
* when a later half term's attendance is in another stage, the stage moves (as suggested, with its figures);
* when the latest half term is back to 95% or more, the case closes: attendance improved.

Every choice is drawn from a generator seeded by the pupil's enrolment id, so the same city always gets
the same history.

**Planted effects, for the intervention-impact issue.** :data:`EFFECTS` says how much of a pupil's absence
each kind of intervention removes once it has had time to work: from the start of the first half term after
the one the case opened in, each absent session is turned into attendance with the chance the case's
interventions (those done by then) give together (``1 - product(1 - effect)``): letters stating the child's
absence plainly, meetings in school and home visits help a little, an accepted Early Help Assessment a
little more, and phone calls, part-time timetables and the rest nothing at all. :func:`planted_effects`
gives the marks to change, as a correction of the registers; the web app's demo imports them and then
builds the histories again from the corrected marks. The history stays consistent with the marks it is
built from: the opening and everything planned at it depend only on the half terms up to the one the case
opened in (``worst`` is that half term's stage), which the effects never touch, and the later stage moves
and the closing are read from the corrected half terms, where the effects show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from attendwise.casework import commands as c
from attendwise.casework.case import Case, CasePupil, CaseRuleError, apply
from attendwise.casework.events import CaseEvent, EventKind, OpeningReason
from attendwise.casework.settings import CaseworkConfig
from attendwise.casework.stages import AttendanceFigures, StageModel, suggest_stage

__all__ = [
    "EFFECTS",
    "EHA_ACCEPTED",
    "STAGE_2_SHARE",
    "STAGE_3_SHARE",
    "HalfTerm",
    "PupilHalves",
    "Session",
    "effect_from",
    "histories",
    "history_for",
    "planted_effects",
]

#: The share of pupils falling to stage 2 (but no lower) who get a case, and of those falling to stage 3: a
#: caseload the size of a team's (about 4% of the city's pupils), not every absentee.
STAGE_2_SHARE = 0.1
STAGE_3_SHARE = 0.4
#: The share of families offered an Early Help Assessment who accept it.
EHA_ACCEPTED = 0.7
#: The share of stage 3 cases with a part-time timetable.
TIMETABLE_SHARE = 0.15

#: The share of a pupil's absent sessions each intervention turns into attendance, once it has had time to work
#: (from the first half term after the case opened). Types not named have no effect. Planted for the
#: intervention-impact issue to find: letters stating absence plainly, meetings and home visits help a little,
#: an accepted Early Help Assessment (key ``eha_accepted``) a little more; calls and timetables not at all.
EFFECTS: dict[str, float] = {
    "letter": 0.08,
    "meeting_in_school": 0.06,
    "home_visit": 0.10,
    "eha_accepted": 0.12,
    "phone_call": 0.0,
    "part_time_timetable": 0.0,
}
#: The codes of absence an effect may turn into attendance (``/``): unauthorised absence and illness.
EFFECT_CODES = frozenset({"O", "G", "N", "U", "I"})

_TEAM = [
    ("School", "Attendance champion"),
    ("Family hub", "Family worker"),
    ("School nursing", "School nurse"),
    ("CAMHS", "Mental health practitioner"),
    ("Early help", "Early Help Assessment coordinator"),
]
_FIRST_NAMES = ["Sam", "Priya", "Tom", "Aisha", "Jo", "Marek", "Grace", "Dev", "Ruth", "Kwame", "Lena", "Owen"]
_SURNAMES = ["Okafor", "Patel", "Hughes", "Khan", "Morris", "Nowak", "Bell", "Shah", "Evans", "Mensah", "Price"]


@dataclass(frozen=True)
class HalfTerm:
    label: str
    start: dt.date
    end: dt.date
    attended: int
    possible: int

    @property
    def figures(self) -> AttendanceFigures:
        return AttendanceFigures(self.label, self.attended, self.possible)


@dataclass(frozen=True)
class PupilHalves:
    """A pupil and their attendance by half term this year, in order."""

    pupil: CasePupil
    halves: tuple[HalfTerm, ...]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _weekday(day: dt.date) -> dt.date:
    """The day, or the Monday after it if it falls at a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"


def history_for(
    pupil: PupilHalves,
    model: StageModel,
    config: CaseworkConfig,
    *,
    last_day: dt.date,
    officer: str,
    school_user: str,
) -> list[CaseEvent]:
    """The events of the pupil's demo case, or none if the pupil gets no case.

    Args:
        pupil: the pupil and their half terms this year.
        model, config: the stage model and casework configuration.
        last_day: the registers' last day: nothing happens after it.
        officer: the LA officer's user name (who visits, offers early help, moves stages).
        school_user: the user name the school's contacts are recorded by.
    """
    rng = random.Random(pupil.pupil.enrolment_id)
    halves = [h for h in pupil.halves if h.possible > 0]
    dropped = next((i for i, h in enumerate(halves) if model.stage_for(h.attended, h.possible).number >= 2), None)
    if dropped is None:
        return []
    # Only the half term the case opens in: the plan never depends on marks its own effects may change.
    worst = model.stage_for(halves[dropped].attended, halves[dropped].possible).number
    if rng.random() >= (STAGE_3_SHARE if worst >= 3 else STAGE_2_SHARE):
        return []
    half = halves[dropped]
    opened = _weekday(min(half.start + dt.timedelta(days=21), half.end))
    if opened > last_day:
        return []
    stage = model.stage_for(half.attended, half.possible)
    suggestion = suggest_stage(model, None, half.figures)
    reason = rng.choice(
        [
            OpeningReason.EARLY_WARNING,
            OpeningReason.BAND_CHANGE,
            OpeningReason.BAND_CHANGE,
            OpeningReason.SCHOOL_REQUEST,
        ]
    )
    first = c.open_case(
        pupil.pupil,
        model,
        config,
        reason=reason,
        stage=stage.key,
        who=officer if stage.number >= 3 else school_user,
        at=_at(opened, 9),
        why=f"Attendance {half.figures.describe(model.edges)}",
        suggestion=suggestion,
        la_officer=officer,
    )
    plan = _Plan()
    _plan_contacts(plan, opened, config, rng, worst, officer, school_user)
    if worst >= 2:
        _plan_early_help(plan, opened, config, rng, officer)
    if worst >= 3 and rng.random() < TIMETABLE_SHARE:
        _plan_timetable(plan, opened, config, school_user)
    _plan_stage_moves(plan, halves[dropped + 1 :], model, config, officer)
    _plan_closing(plan, half, halves[-1], model, config, officer)
    return _replay(first, plan, last_day)


class _Plan:
    """What happens on a demo case, as (day, hour, change), to be replayed in the order of the days."""

    def __init__(self) -> None:
        self.steps: list[tuple[dt.date, int, Callable[[Case, dt.datetime], CaseEvent]]] = []

    def then(self, day: dt.date, change: Callable[[Case, dt.datetime], CaseEvent], hour: int = 11) -> None:
        self.steps.append((_weekday(day), hour, change))


def _plan_contacts(
    plan: _Plan,
    opened: dt.date,
    config: CaseworkConfig,
    rng: random.Random,
    worst: int,
    officer: str,
    school_user: str,
) -> None:
    """The school's call, letter and meeting, and for the worst attendance the LA officer's home visit."""
    then = plan.then
    then(
        opened + dt.timedelta(days=1),
        lambda k, at: c.log_intervention(
            k,
            config,
            type="phone_call",
            date=at.date(),
            who=school_user,
            at=at,
            notes="Spoke to a parent about the absences",
            next_step="A letter with the figures",
        ),
    )
    then(
        opened + dt.timedelta(days=7),
        lambda k, at: c.log_intervention(
            k,
            config,
            type="letter",
            date=at.date(),
            who=school_user,
            at=at,
            notes="Attendance concern letter",
        ),
    )
    then(
        opened + dt.timedelta(days=10),
        lambda k, at: c.log_intervention(
            k,
            config,
            type="meeting_in_school",
            date=at.date(),
            who=school_user,
            at=at,
            outcome=rng.choice(
                ["Parent agreed a morning routine", "Barriers discussed: anxiety about school", "Parent did not attend"]
            ),
            next_step="Review in four weeks",
        ),
    )
    if worst >= 3:
        then(
            opened + dt.timedelta(days=14),
            lambda k, at: c.log_intervention(
                k,
                config,
                type="home_visit",
                date=at.date(),
                who=officer,
                at=at,
                by="LA attendance officer",
                outcome=rng.choice(
                    ["Family at home; agreed support", "No answer; card left", "Met the child and a parent"]
                ),
            ),
        )


def _plan_early_help(plan: _Plan, opened: dt.date, config: CaseworkConfig, rng: random.Random, officer: str) -> None:
    """An Early Help Assessment offered and answered; if accepted, a Team Around the Family and the criteria met."""
    then = plan.then
    offered = opened + dt.timedelta(days=12)
    then(
        offered,
        lambda k, at: c.offer_eha(k, date=at.date(), offered_by="Early help coordinator", who=officer, at=at),
    )
    accepted = rng.random() < EHA_ACCEPTED
    then(
        offered + dt.timedelta(days=7),
        lambda k, at: c.answer_eha(
            k,
            answer="accepted" if accepted else "declined",
            date=at.date(),
            who=officer,
            at=at,
            why="" if accepted else "The family does not want an assessment now",
        ),
    )
    if accepted:
        for agency, role in rng.sample(_TEAM, rng.randint(2, 3)):
            name = _person(rng)
            then(
                offered + dt.timedelta(days=9),
                lambda k, at, agency=agency, role=role, name=name: c.add_taf_member(
                    k,
                    agency=agency,
                    person=name,
                    role=role,
                    start=at.date(),
                    who=officer,
                    at=at,
                ),
            )
        met = rng.sample([x.key for x in config.criteria], rng.randint(1, 4))
        then(
            offered + dt.timedelta(days=10),
            lambda k, at: c.record_criteria(k, config, criteria=met, date=at.date(), who=officer, at=at),
        )


def _plan_timetable(plan: _Plan, opened: dt.date, config: CaseworkConfig, school_user: str) -> None:
    """A part-time timetable, with its end and review dates."""
    then = plan.then
    start = opened + dt.timedelta(days=21)
    then(
        start,
        lambda k, at: c.log_intervention(
            k,
            config,
            type="part_time_timetable",
            date=at.date(),
            who=school_user,
            at=at,
            notes="Mornings only, building up",
            end_date=at.date() + dt.timedelta(weeks=6),
            review_date=at.date() + dt.timedelta(weeks=3),
        ),
    )


def _plan_stage_moves(
    plan: _Plan, later_halves: Sequence[HalfTerm], model: StageModel, config: CaseworkConfig, officer: str
) -> None:
    """A stage move two weeks into each later half term, where the pupil's attendance there suggests one."""
    then = plan.then
    for later in later_halves:
        moved_on = _weekday(min(later.start + dt.timedelta(days=14), later.end))

        def move(k: Case, at: dt.datetime, later: HalfTerm = later) -> CaseEvent:
            s = suggest_stage(model, k.stage, later.figures)
            if not s.moves:
                raise CaseRuleError("no move")
            return c.change_stage(
                k,
                model,
                config,
                stage=s.suggested.key,
                who=officer,
                at=at,
                why=f"Attendance {later.figures.describe(model.edges)}",
                suggestion=s,
            )

        then(moved_on, move, hour=15)


def _plan_closing(
    plan: _Plan, half: HalfTerm, latest: HalfTerm, model: StageModel, config: CaseworkConfig, officer: str
) -> None:
    """The case closed at the end of the latest half term, if attendance there recovered to 95%."""
    then = plan.then
    if latest is not half and 100 * latest.attended >= 95 * latest.possible:
        then(
            latest.end - dt.timedelta(days=2),
            lambda k, at: c.close_case(
                k,
                config,
                outcome="attendance_improved",
                date=at.date(),
                who=officer,
                at=at,
                why=f"Attendance {latest.figures.describe(model.edges)}",
            ),
            hour=16,
        )


def _replay(first: CaseEvent, plan: _Plan, last_day: dt.date) -> list[CaseEvent]:
    """The opening event and every planned change the rules allow, in the order of the days, up to ``last_day``."""
    events = [first]
    case = apply(None, first)
    for day, hour, change in sorted(plan.steps, key=lambda p: (p[0], p[1])):
        if day > last_day or not case.is_open:
            continue
        try:
            event = change(case, _at(day, hour))
        except CaseRuleError:
            continue  # what the rules do not allow (a date before the case opened...) simply does not happen
        events.append(event)
        case = apply(case, event)
    return events


def histories(
    pupils: Sequence[PupilHalves],
    model: StageModel,
    config: CaseworkConfig,
    *,
    last_day: dt.date,
    officer_for: Callable[[int], str],
    school_user_for: Callable[[int], str],
) -> list[list[CaseEvent]]:
    """The demo cases of every pupil who gets one."""
    out = []
    for p in pupils:
        events = history_for(
            p,
            model,
            config,
            last_day=last_day,
            officer=officer_for(p.pupil.urn),
            school_user=school_user_for(p.pupil.urn),
        )
        if events:
            out.append(events)
    return out


@dataclass(frozen=True)
class Session:
    """One of a pupil's marks: the day, AM or PM, and its code."""

    date: dt.date
    session: str
    code: str


def effect_from(events: Sequence[CaseEvent], day: dt.date) -> float:
    """The share of absence the case's interventions done by ``day`` remove together (:data:`EFFECTS`)."""
    keep = 1.0
    for e in events:
        if e.kind not in (EventKind.INTERVENTION_LOGGED, EventKind.EHA_ANSWERED):
            continue
        if dt.date.fromisoformat(str(e.payload["date"])) > day:
            continue
        if e.kind == EventKind.INTERVENTION_LOGGED:
            keep *= 1 - EFFECTS.get(str(e.payload["type"]), 0.0)
        elif e.payload.get("answer") == "accepted":
            keep *= 1 - EFFECTS["eha_accepted"]
    return 1 - keep


def planted_effects(
    events: Sequence[CaseEvent], halves: Sequence[HalfTerm], sessions: Sequence[Session], seed: int
) -> list[Session]:
    """The marks to change for one demo case: absent sessions (:data:`EFFECT_CODES`) from the first half term
    after the one the case opened in, each turned into attendance (``/``) with the chance :func:`effect_from`
    gives on its day. Deterministic for the same ``seed`` (the pupil's enrolment id)."""
    if not events:
        return []
    opened = dt.date.fromisoformat(str(events[0].payload["opened_on"]))
    later = [h for h in halves if h.start > opened]
    if not later:
        return []
    start = later[0].start
    rng = random.Random(seed * 7919 + 17)
    out = []
    for s in sorted(sessions, key=lambda m: (m.date, m.session)):
        if s.date < start or s.code not in EFFECT_CODES:
            continue
        if rng.random() < effect_from(events, s.date):
            out.append(Session(s.date, s.session, "/"))
    return out
