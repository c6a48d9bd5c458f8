"""The penalty notice lifecycle against the worked examples: the three-year count (E4, E5), payment deadlines
(E6), the LA's checks, two parents, withdrawal, non-payment, and other LAs' notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from attendwise.casework.legal import notices as pn
from attendwise.casework.legal.decisions import LegalRuleError
from attendwise.casework.legal.other_authorities import read_notices_csv
from attendwise.casework.legal.settings import LegalSettings, LegalSettingsError, load_legal_settings

D = dt.date
UTC = dt.UTC
CHILD, SIBLING = "W999100024001", "K999100024002"
P = pn.Parent("P1", "Pat Parent", "1 High Street, Brindlecombe")
Q = pn.Parent("Q1", "Quinn Parent", "1 High Street, Brindlecombe")
ROLLING, ANCHORED = LegalSettings(), LegalSettings(three_years="anchored")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def sessions(start: dt.date | None = None, n: int = 10, code: str = "O") -> list[pn.Session]:
    start = start or D(2025, 11, 3)
    days = [start + dt.timedelta(days=i) for i in range(7) if (start + dt.timedelta(days=i)).weekday() < 5]
    return [pn.Session(d, s, code) for d in days for s in ("AM", "PM")][:n]


def notice(ref: str, issued: dt.date, parent: str = "P1", upn: str = CHILD, **kw) -> pn.PenaltyNotice:
    return pn.PenaltyNotice(ref, parent, upn, issued, 1, "LA 999", 160, issued + dt.timedelta(days=30), **kw)


def request(**kw) -> pn.NoticeRequest:
    given = {"support_offered": "Early help assessment offered", "letter_sent_on": D(2025, 11, 20)} | kw
    made, decision = pn.request_notice(
        ref="R1",
        upn=CHILD,
        school_urn=100001,
        sessions=sessions(),
        parents=[P, Q],
        who="school_a",
        at=at(D(2025, 11, 24)),
        **given,
    )
    assert decision.allowed and decision.who == "school_a"
    return made


def issue(req: pn.NoticeRequest, on: dt.date, existing=(), s=ROLLING, parents=None):
    return pn.issue_notices(
        req,
        s,
        notices=existing,
        issued_on=on,
        issuer="LA 999",
        who="officer",
        at=at(on),
        refs=["N1", "N2"],
        parents=parents,
    )


class TestThreeYears:
    def test_e4_second_is_flat_and_third_refused(self) -> None:
        first = notice("A", D(2024, 10, 1), status=pn.NoticeStatus.PAID_LOWER)
        assert pn.notice_sequence([first], "P1", CHILD, D(2027, 6, 1), ROLLING)[0] == 2
        second = notice("B", D(2027, 6, 1))
        sequence, counted = pn.notice_sequence([first, second], "P1", CHILD, D(2027, 9, 13), ROLLING)
        assert sequence == 3 and [n.ref for n in counted] == ["A", "B"]
        # withdrawn, B would not count: the 13 Sep notice is then a second
        withdrawn = replace(second, status=pn.NoticeStatus.WITHDRAWN)
        assert pn.notice_sequence([first, withdrawn], "P1", CHILD, D(2027, 9, 13), ROLLING)[0] == 2
        # the co-parent's first, and P's first for a sibling
        assert pn.notice_sequence([first, second], "Q1", CHILD, D(2027, 9, 13), ROLLING)[0] == 1
        assert pn.notice_sequence([first, second], "P1", SIBLING, D(2027, 9, 13), ROLLING)[0] == 1

    def test_e4_third_request_refused_with_reason_and_alternatives(self) -> None:
        earlier = [notice("A", D(2024, 10, 1)), notice("B", D(2027, 6, 1))]
        req = request()
        with pytest.raises(LegalRuleError) as refused:
            issue(req, D(2027, 9, 13), earlier, parents=["P1"])
        decision = refused.value.decision
        assert decision is not None and not decision.allowed
        assert "third notice" in decision.reason and decision.alternatives == pn.ALTERNATIVES
        assert "rolling reading" in decision.rule and decision.who == "officer"

    def test_e5_rolling_against_anchored(self) -> None:
        a, b = notice("A", D(2024, 10, 1)), notice("B", D(2027, 6, 1))
        assert pn.notice_sequence([a, b], "P1", CHILD, D(2027, 10, 4), ROLLING)[0] == 2
        assert pn.notice_sequence([a, b], "P1", CHILD, D(2027, 10, 4), ANCHORED)[0] == 1
        c = notice("C", D(2027, 10, 4))
        assert pn.notice_sequence([a, b, c], "P1", CHILD, D(2027, 11, 8), ROLLING)[0] == 3
        assert pn.notice_sequence([a, b, c], "P1", CHILD, D(2027, 11, 8), ANCHORED)[0] == 2

    def test_within_three_years_ends_the_day_before(self) -> None:
        a = notice("A", D(2024, 10, 1))
        assert pn.notice_sequence([a], "P1", CHILD, D(2027, 9, 30), ROLLING)[0] == 2
        assert pn.notice_sequence([a], "P1", CHILD, D(2027, 10, 1), ROLLING)[0] == 1
        leap = notice("L", D(2028, 2, 29))
        assert pn.notice_sequence([leap], "P1", CHILD, D(2031, 2, 28), ROLLING)[0] == 2
        assert pn.notice_sequence([leap], "P1", CHILD, D(2031, 3, 1), ROLLING)[0] == 1

    def test_notices_before_the_counting_date_do_not_count(self) -> None:
        old = notice("O", D(2024, 8, 18))
        assert pn.notice_sequence([old], "P1", CHILD, D(2025, 1, 6), ROLLING)[0] == 1


class TestRequestAndIssue:
    def test_two_parents_two_notices_with_the_e6_deadlines(self) -> None:
        req = request()
        done, made, decisions = pn.issue_notices(
            req,
            ROLLING,
            notices=[],
            issued_on=D(2026, 4, 2),
            posted_on=D(2026, 4, 2),
            issuer="LA 999",
            who="officer",
            at=at(D(2026, 4, 2)),
            refs=["N1", "N2"],
        )
        assert done.status == "issued" and [n.parent_id for n in made] == ["P1", "Q1"]
        first = made[0]
        assert (first.received_on, first.lower_by, first.higher_by) == (D(2026, 4, 8), D(2026, 4, 29), D(2026, 5, 6))
        assert (first.lower_amount, first.higher_amount, first.sequence) == (80, 160, 1)
        assert all(d.allowed and "first notice" in d.reason for d in decisions)
        day_one = LegalSettings(day_of_receipt_is_day_one=True)
        _, other, _ = pn.issue_notices(
            req,
            day_one,
            notices=[],
            issued_on=D(2026, 4, 2),
            issuer="LA",
            who="o",
            at=at(D(2026, 4, 2)),
            refs=["X", "Y"],
        )
        assert other[0].lower_by == D(2026, 4, 28)

    def test_a_second_notice_is_the_flat_higher_amount(self) -> None:
        _, made, _ = issue(request(), D(2026, 1, 5), [notice("A", D(2025, 1, 6))], parents=["P1"])
        assert (made[0].sequence, made[0].lower_amount, made[0].higher_amount) == (2, None, 160)

    def test_protection_plan_without_the_social_workers_agreement_is_refused(self) -> None:
        req = request(protection_plan=True)
        checks = {c.key: c for c in pn.request_checks(req, ROLLING, today=D(2025, 12, 1))}
        assert not checks["social_worker"].passed and "not recorded" in checks["social_worker"].detail
        with pytest.raises(LegalRuleError, match="social worker") as refused:
            issue(req, D(2025, 12, 1))
        assert refused.value.decision.figures["failed"] == ["social_worker"]
        agreed, decision = pn.record_social_worker_agreement(
            req, name="Sam Social", agreed_on=D(2025, 11, 28), who="officer", at=at(D(2025, 12, 1))
        )
        assert decision.allowed
        assert issue(agreed, D(2025, 12, 1))[0].status == "issued"

    def test_a_failed_support_check_then_support_recorded(self) -> None:
        req = request(support_offered="")
        checks = {c.key: c for c in pn.request_checks(req, ROLLING, today=D(2025, 12, 1))}
        assert not checks["support"].passed
        with pytest.raises(LegalRuleError, match="Support"):
            issue(req, D(2025, 12, 1))
        supported, _ = pn.record_support(req, offered="Attendance mentor weekly", who="officer", at=at(D(2025, 12, 1)))
        assert issue(supported, D(2025, 12, 1))[0].status == "issued"

    def test_leave_of_absence_needs_its_evidence_not_support(self) -> None:
        made, _ = pn.request_notice(
            ref="R",
            upn=CHILD,
            school_urn=1,
            sessions=sessions(code="G"),
            parents=[P],
            who="s",
            at=at(D(2025, 11, 24)),
            letter_sent_on=D(2025, 11, 20),
        )
        assert made.route == pn.Route.LEAVE and made.main_reason == "unauthorised family holiday"
        checks = {c.key: c for c in pn.request_checks(made, ROLLING, today=D(2025, 12, 1))}
        assert checks["support"].passed and not checks["holiday_evidence"].passed

    def test_sessions_an_earlier_notice_used_are_refused(self) -> None:
        _, made, _ = issue(request(), D(2025, 12, 1), parents=["P1"])
        locked = pn.locked_sessions(made)
        checks = {c.key: c for c in pn.request_checks(request(), ROLLING, today=D(2025, 12, 8), locked=locked)}
        assert not checks["sessions_unused"].passed

    def test_a_parent_without_parental_responsibility_fails_the_check(self) -> None:
        req = replace(request(), parents=(P, pn.Parent("S1", "Step Parent", "2 Road", parental_responsibility=False)))
        checks = {c.key: c for c in pn.request_checks(req, ROLLING, today=D(2025, 12, 1))}
        assert not checks["parents"].passed and "Step Parent" in checks["parents"].detail


class TestPaymentAndAfter:
    @pytest.fixture
    def issued(self) -> pn.PenaltyNotice:
        return issue(request(), D(2026, 4, 2), parents=["P1"])[1][0]

    def test_amount_due_on_each_day(self, issued: pn.PenaltyNotice) -> None:
        assert pn.amount_due(issued, D(2026, 4, 29)) == 80
        assert pn.amount_due(issued, D(2026, 4, 30)) == 160
        assert pn.amount_due(issued, D(2026, 5, 7)) is None

    def test_payment_at_the_wrong_amount_is_refused(self, issued: pn.PenaltyNotice) -> None:
        with pytest.raises(LegalRuleError, match="£160 was due"):
            pn.record_payment(issued, paid_on=D(2026, 5, 1), amount=80, who="o", at=at(D(2026, 5, 1)))
        paid, decision = pn.record_payment(issued, paid_on=D(2026, 4, 20), amount=80, who="o", at=at(D(2026, 4, 21)))
        assert paid.status == pn.NoticeStatus.PAID_LOWER and decision.allowed
        with pytest.raises(LegalRuleError, match="cannot be withdrawn"):
            pn.withdraw(paid, ROLLING, ground="contains material errors", who="o", at=at(D(2026, 4, 22)))

    def test_unpaid_forces_a_decision(self, issued: pn.PenaltyNotice) -> None:
        assert not pn.decision_due(issued, D(2026, 5, 6)) and pn.decision_due(issued, D(2026, 5, 7))
        with pytest.raises(LegalRuleError, match="not unpaid"):
            pn.decide_unpaid(issued, ROLLING, action="prosecute", who="o", at=at(D(2026, 5, 6)), why="x")
        with pytest.raises(LegalRuleError, match="prosecute or withdraw"):
            pn.record_payment(issued, paid_on=D(2026, 5, 7), amount=160, who="o", at=at(D(2026, 5, 7)))
        prosecuted, decision = pn.decide_unpaid(
            issued,
            ROLLING,
            action="prosecute",
            who="o",
            at=at(D(2026, 5, 7)),
            why="No reply to the reminder",
            prosecution_ref="PR1",
        )
        assert prosecuted.status == pn.NoticeStatus.PROSECUTION and prosecuted.counts and "EA1996" in decision.rule
        withdrawn, _ = pn.decide_unpaid(
            issued,
            ROLLING,
            action="withdraw",
            who="o",
            at=at(D(2026, 5, 7)),
            why="The school does not wish to prosecute",
        )
        assert withdrawn.status == pn.NoticeStatus.WITHDRAWN and not withdrawn.counts

    def test_withdrawal_needs_a_documented_ground(self, issued: pn.PenaltyNotice) -> None:
        with pytest.raises(LegalRuleError, match="is not a ground"):
            pn.withdraw(issued, ROLLING, ground="the parent asked", who="o", at=at(D(2026, 4, 10)))
        gone, _ = pn.withdraw(issued, ROLLING, ground="issued to the wrong person", who="o", at=at(D(2026, 4, 10)))
        assert pn.locked_sessions([gone]) == []


class TestOtherAuthorities:
    def test_imported_notices_count(self) -> None:
        text = "reference,contact_id,upn,issued_on,issuing_authority,status,reason\n"
        text += f"X1,P1,{CHILD},2025-02-03,Neighbouring LA,paid,\nX2,P1,{CHILD},2025-06-02,Neighbouring LA,unpaid,\n"
        imported = read_notices_csv(text)
        assert [n.issuer for n in imported] == ["Neighbouring LA"] * 2
        assert pn.notice_sequence(imported, "P1", CHILD, D(2025, 9, 8), ROLLING)[0] == 3

    def test_bad_lines_name_the_file_line_and_field(self) -> None:
        text = "reference,contact_id,upn,issued_on,issuing_authority,status,reason\n"
        text += f"X1,,{CHILD},2025-02-30,LA,paid,\nX2,P1,BADUPN,2025-06-02,LA,lost,\n"
        with pytest.raises(LegalRuleError) as refused:
            read_notices_csv(text, "theirs.csv")
        message = str(refused.value)
        for part in ("theirs.csv: line 2: contact_id", "line 2: issued_on", "line 3: upn", "line 3: status"):
            assert part in message


def test_settings_from_toml(tmp_path) -> None:
    path = tmp_path / "la.toml"
    path.write_text('[legal]\nthree_years = "anchored"\nnti_period = {count = 6, unit = "school_weeks"}\n')
    s = load_legal_settings(path)
    assert s.three_years == "anchored" and s.nti_period.describe() == "6 school weeks"
    path.write_text("[legal]\nlower_amout = 60\n")
    with pytest.raises(LegalSettingsError, match=r"la\.toml: there is no legal pathway setting 'lower_amout'"):
        load_legal_settings(path)
    path.write_text('[legal]\nthree_years = "sliding"\n')
    with pytest.raises(LegalSettingsError, match=r"la\.toml: three_years"):
        load_legal_settings(path)


def test_every_setting_is_documented() -> None:
    from pathlib import Path

    from attendwise.casework.legal.settings import SETTINGS

    docs = (Path(__file__).parents[3] / "docs" / "legal.md").read_text(encoding="utf-8")
    assert [s.name for s in SETTINGS if f"| `{s.name}` |" not in docs] == []


def test_the_annual_return_counts_by_reason_and_outcome() -> None:
    from attendwise.casework.legal.returns import RETURN_COLUMNS, annual_return, notice_records
    from attendwise.core.calendar import AcademicYear

    ours = [
        notice("A", D(2024, 9, 10), reason="unauthorised family holiday", status=pn.NoticeStatus.PAID_LOWER),
        notice("B", D(2024, 11, 4), reason="arriving late", status=pn.NoticeStatus.PAID_HIGHER),
        notice("C", D(2025, 3, 3), reason="other unauthorised circumstances", status=pn.NoticeStatus.WITHDRAWN),
        notice("D", D(2025, 7, 31), reason="", status=pn.NoticeStatus.PROSECUTION),
        notice("E", D(2025, 8, 1), reason="arriving late"),  # the next year
    ]
    theirs = replace(notice("X", D(2024, 10, 1)), imported=True)
    row = annual_return(AcademicYear.parse("2024/25"), "999", notices=[*ours, theirs]).iloc[0]
    assert list(row.index) == RETURN_COLUMNS and row.time_period == 202425
    assert (row.notices_issued, row.notices_holiday, row.notices_late, row.notices_other) == (4, 1, 1, 1)
    assert (row.notices_reason_not_chosen, row.paid_within_21_days, row.paid_within_28_days) == (1, 1, 1)
    assert (row.withdrawn, row.unpaid_prosecuted) == (1, 1)
    records = notice_records([*ours, theirs])
    assert records.reference.tolist() == ["A", "X", "B", "C", "D", "E"]
    assert records.status.tolist()[3] == "withdrawn"


def test_records_read_back_as_they_were() -> None:
    from attendwise.casework.legal.records import from_json, to_json

    req = request(protection_plan=True)
    req, _ = pn.record_social_worker_agreement(
        req, name="Sam", agreed_on=D(2025, 11, 28), who="o", at=at(D(2025, 12, 1))
    )
    done, made, _ = issue(req, D(2025, 12, 1))
    import json

    assert from_json(pn.NoticeRequest, json.loads(json.dumps(to_json(done)))) == done
    assert from_json(pn.PenaltyNotice, json.loads(json.dumps(to_json(made[0])))) == made[0]


def test_the_demo_history_follows_the_rules_and_stops_at_the_last_day() -> None:
    from attendwise.casework.legal.demo_history import DemoPupil, legal_histories
    from attendwise.core.upn import check_letter

    pupils = []
    for i in range(60):
        body = f"99910002{i:04d}"
        upn = check_letter(body) + body
        parents = (P, Q) if i % 2 else (P,)
        met = D(2024, 9, 13) + dt.timedelta(weeks=i % 20)
        pupils.append(
            DemoPupil(
                i + 1, upn, 100001, met, tuple(sessions(met - dt.timedelta(days=4))), parents, child_in_need=i % 7 == 0
            )
        )
    last = D(2025, 2, 14)
    made = legal_histories(
        pupils, ROLLING, last_day=last, at=at, officer_for=lambda _: "officer", school_user_for=lambda _: "school"
    )
    assert 10 < len(made) < 40
    notices = [n for h in made for n in h.notices]
    statuses = {n.status for n in notices}
    assert pn.NoticeStatus.PAID_LOWER in statuses and len(statuses) >= 3
    for h in made:
        assert h.request.requested_at.date() <= last
        assert len(h.notices) in (0, len(h.request.parents))
        for n in h.notices:
            assert n.issued_on <= last and (n.paid_on is None or n.paid_on <= last)
            assert all(d.at.date() <= last and d.allowed for d in n.decisions)
            if n.status == pn.NoticeStatus.PAID_LOWER:
                assert n.paid_amount == 80 and n.paid_on <= n.lower_by
    assert made == legal_histories(
        pupils, ROLLING, last_day=last, at=at, officer_for=lambda _: "officer", school_user_for=lambda _: "school"
    )
