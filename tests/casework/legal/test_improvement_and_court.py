"""Notices to Improve and contracts evaluated at the end of their period from the marks; ESO before prosecution;
the bundle; parenting orders on conviction only; the s437(1) notice's period (E12)."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.casework.legal import court
from attendwise.casework.legal import improvement as imp
from attendwise.casework.legal.decisions import LegalRuleError
from attendwise.casework.legal.notices import NoticeStatus, PenaltyNotice, Session
from attendwise.casework.legal.settings import LegalSettings
from tests.casework.legal.calendar_2025 import CALENDAR

D = dt.date
S = LegalSettings()
CHILD = "W999100024001"


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


def marks(start: dt.date, end: dt.date, absent_every: int, code: str = "O") -> list[Session]:
    """A mark for every session of the calendar between the days; every ``absent_every``-th absent."""
    out, n = [], 0
    for day in CALENDAR.school_days_between(start, end):
        for session in ("AM", "PM"):
            n += 1
            out.append(Session(day, session, code if absent_every and n % absent_every == 0 else "/"))
    return out


def test_nti_evaluated_at_the_end_of_its_period() -> None:
    nti, decision = imp.issue_nti(
        ref="NTI1",
        parent_id="P1",
        upn=CHILD,
        issued_on=D(2026, 2, 4),
        support_offered="Weekly mentor",
        calendar=CALENDAR,
        s=S,
        who="officer",
        at=at(D(2026, 2, 4)),
    )
    assert (nti.start, nti.end) == (D(2026, 2, 5), D(2026, 3, 11)) and "20 school days" in decision.reason
    register = marks(D(2026, 1, 5), D(2026, 3, 27), absent_every=8)  # 87.5% attendance
    with pytest.raises(LegalRuleError, match="runs to Wed 11 March 2026"):
        imp.evaluate_nti(nti, register, today=D(2026, 3, 11), who="officer", at=at(D(2026, 3, 11)))
    done, ev, decision = imp.evaluate_nti(nti, register, today=D(2026, 3, 12), who="officer", at=at(D(2026, 3, 12)))
    assert (ev.possible, ev.attended, ev.unauthorised) == (40, 35, 5) and not ev.met
    assert "attended 35 of 40 sessions (87.5%" in decision.reason and done.outcome.startswith("not improved")
    good = marks(D(2026, 1, 5), D(2026, 3, 27), absent_every=20)
    assert imp.evaluate_nti(nti, good, today=D(2026, 3, 12), who="o", at=at(D(2026, 3, 12)))[1].met


def test_the_target_edge_is_integer_arithmetic() -> None:
    register = [Session(D(2026, 3, 2), "AM", "/")] * 9 + [Session(D(2026, 3, 2), "PM", "O")]
    ev = imp.evaluate(
        register, D(2026, 3, 1), D(2026, 3, 6), target_percent=90, max_unauthorised=None, today=D(2026, 3, 9)
    )
    assert ev.percent == 90 and ev.met


def test_contract_reviewed_from_the_marks() -> None:
    contract, _ = imp.make_contract(
        ref="AC1",
        upn=CHILD,
        parent_ids=["P1", "Q1"],
        meeting_on=D(2026, 3, 9),
        parties=["school", "LA officer"],
        requirements="Attend every day",
        support="Breakfast club place",
        calendar=CALENDAR,
        s=S,
        who="officer",
        at=at(D(2026, 3, 9)),
    )
    assert contract.review_on == D(2026, 4, 20)
    register = marks(D(2026, 3, 9), D(2026, 4, 24), absent_every=4)
    with pytest.raises(LegalRuleError, match="review on Mon 20 April 2026"):
        imp.evaluate_contract(contract, register, today=D(2026, 4, 20), who="o", at=at(D(2026, 4, 20)))
    done, ev, _ = imp.evaluate_contract(contract, register, today=D(2026, 4, 21), who="o", at=at(D(2026, 4, 21)))
    assert (
        not ev.met
        and (ev.possible, ev.attended) == (40, 30)
        and done.outcome == "not improved: next steps towards prosecution"
    )
    with pytest.raises(LegalRuleError, match="at least one parent"):
        imp.make_contract(
            ref="AC2",
            upn=CHILD,
            parent_ids=[],
            meeting_on=D(2026, 3, 9),
            parties=[],
            requirements="x",
            support="y",
            calendar=CALENDAR,
            s=S,
            who="o",
            at=at(D(2026, 3, 9)),
        )


def _prosecution(notices=()) -> court.Prosecution:
    eso, decision = court.consider_eso(
        upn=CHILD,
        considered_on=D(2026, 5, 1),
        decision_maker="Head of service",
        apply=False,
        reasons="Support refused; an order would add nothing",
        who="officer",
        at=at(D(2026, 5, 1)),
    )
    assert "s447" in decision.rule
    p, _ = court.open_prosecution(
        ref="PR1",
        upn=CHILD,
        parent_ids=["P1"],
        offence="s444(1)",
        evidence_start=D(2026, 3, 9),
        evidence_end=D(2026, 4, 24),
        eso=eso,
        notices=notices,
        who="officer",
        at=at(D(2026, 5, 4)),
    )
    return p


def test_prosecution_needs_the_eso_consideration_and_a_full_bundle() -> None:
    with pytest.raises(LegalRuleError, match="education supervision order consideration first") as refused:
        court.open_prosecution(
            ref="PR1",
            upn=CHILD,
            parent_ids=["P1"],
            offence="s444(1A)",
            evidence_start=D(2026, 3, 9),
            evidence_end=D(2026, 4, 24),
            eso=None,
            notices=[],
            who="officer",
            at=at(D(2026, 5, 4)),
        )
    assert "s447" in refused.value.decision.rule
    p = _prosecution()
    with pytest.raises(LegalRuleError, match="the bundle lacks: Certificate"):
        court.file_prosecution(p, S, filed_on=D(2026, 5, 10), who="o", at=at(D(2026, 5, 10)))
    for key in ("certificate", "s9_statement", "exhibits", "letters", "interview"):
        p, _ = court.record_bundle_item(
            p, key=key, signatory="Head teacher", dated=D(2026, 5, 8), who="o", at=at(D(2026, 5, 8))
        )
    with pytest.raises(LegalRuleError, match="has not been filed"):
        court.record_hearing(p, on=D(2026, 6, 1), court="Brindlecombe Magistrates", who="o", at=at(D(2026, 5, 9)))
    p, decision = court.file_prosecution(p, S, filed_on=D(2026, 5, 10), who="o", at=at(D(2026, 5, 10)))
    assert decision.figures["deadline"] == "2026-09-09"
    with pytest.raises(LegalRuleError, match="follows a conviction"):
        court.make_parenting_order(
            p, S, parent_id="P1", made_on=D(2026, 6, 1), months=12, programme_months=3, who="o", at=at(D(2026, 6, 1))
        )
    p, _ = court.record_hearing(p, on=D(2026, 6, 1), court="Brindlecombe Magistrates", who="o", at=at(D(2026, 6, 1)))
    p, _ = court.record_outcome(p, S, outcome="guilty plea", who="o", at=at(D(2026, 6, 1)))
    with pytest.raises(LegalRuleError, match="at most 12 months"):
        court.make_parenting_order(
            p, S, parent_id="P1", made_on=D(2026, 6, 1), months=13, programme_months=3, who="o", at=at(D(2026, 6, 1))
        )
    p, _ = court.make_parenting_order(
        p, S, parent_id="P1", made_on=D(2026, 6, 1), months=12, programme_months=3, who="o", at=at(D(2026, 6, 1))
    )
    assert len(p.parenting_orders) == 1 and [d.action for d in p.decisions][-1] == "record a parenting order"


def test_the_evidence_period_cannot_overlap_a_paid_notice() -> None:
    paid = PenaltyNotice(
        "N1",
        "P1",
        CHILD,
        D(2026, 4, 1),
        1,
        "LA",
        160,
        D(2026, 5, 1),
        sessions=(Session(D(2026, 3, 10), "AM", "O"),),
        status=NoticeStatus.PAID_LOWER,
    )
    with pytest.raises(LegalRuleError, match="paid notice"):
        _prosecution([paid])


def test_e12_sao_notice_period() -> None:
    notice, _ = court.serve_sao_notice(
        upn=CHILD, served_on=D(2026, 3, 2), period_ends=None, on_roll=False, s=S, who="o", at=at(D(2026, 3, 2))
    )
    assert notice.period_ends == D(2026, 3, 16)
    with pytest.raises(LegalRuleError, match="no earlier than Mon 16 March 2026"):
        court.serve_sao_notice(
            upn=CHILD,
            served_on=D(2026, 3, 2),
            period_ends=D(2026, 3, 15),
            on_roll=False,
            s=S,
            who="o",
            at=at(D(2026, 3, 2)),
        )
    with pytest.raises(LegalRuleError, match="on a school roll"):
        court.serve_sao_notice(
            upn=CHILD, served_on=D(2026, 3, 2), period_ends=None, on_roll=True, s=S, who="o", at=at(D(2026, 3, 2))
        )
