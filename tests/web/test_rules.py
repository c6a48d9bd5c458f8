"""The authorisation matrix: every role against every page, export and API response."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from attendwise.core.identifiers import ENROLMENT_ID_MAX, RECORD_ID_MAX
from attendwise.web.converters import CONVERTERS
from attendwise.web.middleware import API_ERRORS
from attendwise.web.models import Action, AuditEvent, Outcome
from tests.cities import A, B, C
from tests.strategies import other_spellings

TERM = "2024-25-autumn"
ALL = ["la_admin", "officer", "officer_a", "school_a", "school_b", "virtual_school", "scrutiny"]


def statuses(**by_role: int) -> list[int]:
    """Expected status per role in ALL's order; unnamed roles get the ``default``."""
    default = by_role.pop("default", 200)
    return [by_role.get(role, default) for role in ALL]


#: Every address that changes a case (POST only), with the item its address names, if any.
CASE_CHANGES = {
    "case_stage": [],
    "case_people": [],
    "case_review": [],
    "case_intervention": [],
    "case_intervention_review": ["letter"],
    "case_eha_offer": [],
    "case_eha_answer": [],
    "case_criteria": [],
    "case_referral": [],
    "case_referral_outcome": [],
    "case_taf": [],
    "case_taf_left": ["member"],
    "case_note": [],
    "case_close": [],
    "case_letter": [],
    "case_tsm_action": [],
}

#: Every address that changes a penalty notice request (POST only): (who may record evidence or decide).
LEGAL_CHANGES = ["legal_support", "legal_letter", "legal_social_worker", "legal_issue"]
#: Every address that changes a penalty notice (POST only): LA staff only.
NOTICE_CHANGES = ["legal_notice_payment", "legal_notice_withdraw", "legal_notice_unpaid"]

# (url name, args (labels resolve to enrolment ids, "case:label" to a case for that pupil), expected status per role)
MATRIX = [
    ("la_overview", [], statuses(school_a=403, school_b=403)),
    ("la_schools_csv", [], statuses(school_a=403, school_b=403)),
    ("api_la_measures", [], statuses(school_a=403, school_b=403)),
    ("schools", [], statuses(virtual_school=403)),
    ("school", [A], statuses(school_b=404, virtual_school=403)),
    ("school", [B], statuses(officer_a=404, school_a=404, virtual_school=403)),
    ("school", [999999], statuses(default=404, virtual_school=403)),
    ("api_school_measures", [B], statuses(officer_a=404, school_a=404, virtual_school=403)),
    ("school_pupils_csv", [A], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("school_pupils_csv", [C], statuses(officer_a=404, school_a=404, school_b=404, virtual_school=404, scrutiny=403)),
    ("cohorts", [], statuses()),
    ("cohorts_csv", [], statuses()),
    # a_severe: school A, looked after
    ("pupil", ["a_severe"], statuses(school_b=404, scrutiny=403)),
    ("pupil_marks_csv", ["a_severe"], statuses(school_b=404, scrutiny=403)),
    ("api_pupil", ["a_severe"], statuses(school_b=404, scrutiny=403)),
    # a_pa: school A, no social worker
    ("pupil", ["a_pa"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    # c_cin: school C, child in need
    ("pupil", ["c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("api_pupil", ["c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("pupil", [99999], statuses(default=404, scrutiny=403)),
    # every list of pupils, and the search in every page's header: the user's own pupils only
    ("pupils", [], statuses(scrutiny=403)),
    ("virtual_school", [], statuses(default=403, la_admin=200, officer=200, virtual_school=200)),
    # Targeting Support Meetings: LA staff and the school itself; packs name pupils, so never scrutiny
    ("tsm_term", [], statuses(default=403, la_admin=200, officer=200, officer_a=200)),
    ("tsm_latest", [A], statuses(default=302, school_b=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack", [A, TERM], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack", [B, TERM], statuses(officer_a=404, school_a=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack", [A, "2024-26-autumn"], statuses(default=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack_xlsx", [A, TERM], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack_html", [B, TERM], statuses(officer_a=404, school_a=404, virtual_school=403, scrutiny=403)),
    # changes are POST only (tests below check who may make them)
    ("tsm_meeting", [A, TERM], statuses(default=405)),
    ("tsm_discuss", [A, TERM], statuses(default=405)),
    ("tsm_action", [A, TERM], statuses(default=405)),
    ("tsm_action_done", [A, TERM, 1], statuses(default=405)),
    ("uploads", [], statuses(virtual_school=403, scrutiny=403)),
    ("audit", [], statuses(default=403, la_admin=200)),
    ("audit_csv", [], statuses(default=403, la_admin=200)),
    # Casework: cases name pupils, so scrutiny sees counts only; the Virtual School reads its children's cases.
    # "case:a_pa" is a case opened for a_pa (school A, no social worker), "case:a_severe" for a child looked
    # after at A, "case:c_cin" for a child in need at C; "letter" an intervention holding a document.
    ("caseload", [], statuses(scrutiny=403)),
    ("case_counts", [], statuses(school_a=403, school_b=403, virtual_school=403)),
    ("case", ["case:a_pa"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("case", ["case:a_severe"], statuses(school_b=404, scrutiny=403)),
    ("case", ["case:c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("case", [999999], statuses(default=404, scrutiny=403)),
    ("case_document", ["case:a_pa", "letter"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("case_document", ["case:c_cin", "letter"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("case_document", ["case:a_pa", 999], statuses(default=404, scrutiny=403)),
    ("case_open", ["a_pa"], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("case_open", ["c_cin"], statuses(officer_a=404, school_a=404, school_b=404, virtual_school=403, scrutiny=403)),
    ("case_open", [99999], statuses(default=404, virtual_school=403, scrutiny=403)),
    ("school_cases", [A], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("school_cases", [B], statuses(officer_a=404, school_a=404, virtual_school=403, scrutiny=403)),
    ("school_cases", [999999], statuses(default=404, virtual_school=403, scrutiny=403)),
    # the family view: siblings in the user's scope only (a_pa's sister is at B)
    ("pupil_family", ["a_pa"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("pupil_family", ["c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("pupil_family", [99999], statuses(default=404, scrutiny=403)),
    ("family_link", ["a_pa"], statuses(default=405)),
    # the LA's letter templates: LA administrators only
    ("letter_templates", [], statuses(default=403, la_admin=200)),
    # changes to a case are POST only (test_who_may_change_a_case checks who may make them)
    *((name, ["case:a_pa", *extra], statuses(default=405)) for name, extra in CASE_CHANGES.items()),
    # The legal pathway: requests name pupils and parents, so scrutiny sees counts only; the Virtual School reads
    # the requests for its children. "request:a_pa" is a request for a_pa's notice.
    ("legal_queue", [], statuses(scrutiny=403)),
    ("legal_counts", [], statuses(school_a=403, school_b=403, virtual_school=403)),
    ("legal_request", ["request:a_pa"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("legal_request", ["request:a_severe"], statuses(school_b=404, scrutiny=403)),
    ("legal_request", ["request:c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("legal_request", [999999], statuses(default=404, scrutiny=403)),
    ("legal_certificate", ["request:a_severe"], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    (
        "legal_certificate",
        ["request:c_cin"],
        statuses(officer_a=404, school_a=404, school_b=404, virtual_school=403, scrutiny=403),
    ),
    ("legal_request_new", ["a_pa"], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    (
        "legal_request_new",
        ["c_cin"],
        statuses(officer_a=404, school_a=404, school_b=404, virtual_school=403, scrutiny=403),
    ),
    ("legal_request_new", [99999], statuses(default=404, virtual_school=403, scrutiny=403)),
    *((name, ["request:a_pa"], statuses(default=405)) for name in LEGAL_CHANGES),
    ("legal_notice", ["notice:a_pa"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("legal_notice", ["notice:a_severe"], statuses(school_b=404, scrutiny=403)),
    ("legal_notice", ["notice:c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("legal_notice", [999999], statuses(default=404, scrutiny=403)),
    *((name, ["notice:a_pa"], statuses(default=405)) for name in NOTICE_CHANGES),
    # Registers: the pages name children (LA staff; the Virtual School and schools, their own children, narrowed);
    # scrutiny counts only; a school notifies removals from its own roll and sees its own notifications.
    ("registers", [], statuses(scrutiny=403)),
    *(
        ("register", [key], statuses(scrutiny=403))
        for key in ("cme", "ehe", "exclusions", "timetables", "removals", "panels")
    ),
    ("register", ["nonsense"], statuses(default=404)),
    ("cme_referral_new", [], statuses(school_a=403, school_b=403, virtual_school=403, scrutiny=403)),
    ("register_counts", [], statuses(school_a=403, school_b=403, virtual_school=403)),
    ("school_removals", [A], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("school_removals", [B], statuses(officer_a=404, school_a=404, virtual_school=403, scrutiny=403)),
    ("school_removals", [999999], statuses(default=404, virtual_school=403, scrutiny=403)),
    ("removal_notify", [A], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("removal_notify", [C], statuses(officer_a=404, school_a=404, school_b=404, virtual_school=403, scrutiny=403)),
    ("removal_import", [A], statuses(default=405)),
    ("exclusion_import", [A], statuses(default=405)),
    ("pupil_registers", ["a_pa"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("pupil_registers", ["a_severe"], statuses(school_b=404, scrutiny=403)),
    ("pupil_registers", ["c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("pupil_registers", [99999], statuses(default=404, scrutiny=403)),
    # an entry's page (tests/web/test_registers.py has the whole matrix for entries that exist)
    ("register_entry", ["cme", 999999], statuses(default=404, scrutiny=403)),
    ("register_entry", ["ehe", 999999], statuses(default=404, scrutiny=403)),
    ("register_entry_change", ["cme", 999999, "enquiry"], statuses(default=405)),
]

CASES = [
    pytest.param(name, args, role, expected, id=f"{name}{args}-{role}")
    for name, args, expected_list in MATRIX
    for role, expected in zip(ALL, expected_list, strict=True)
]


def resolve(city, args: list) -> list:
    """Address arguments: labels are enrolment ids; ``case:label`` opens a case for the pupil, and ``letter``
    and ``member`` add a letter (with its document) and a Team Around the Family member to it."""
    from tests.web.cases import add_letter, add_member, open_case
    from tests.web.legal import make_notice, make_request

    out: list = []
    case = None
    for a in args:
        if isinstance(a, str) and a.startswith("notice:"):
            out.append(make_notice(city, a.removeprefix("notice:")).pk)
        elif isinstance(a, str) and a.startswith("request:"):
            out.append(make_request(city, a.removeprefix("request:")).pk)
        elif isinstance(a, str) and a.startswith("case:"):
            case = open_case(city, a.removeprefix("case:"))
            out.append(case.pk)
        elif a == "letter":
            out.append(add_letter(case))
        elif a == "member":
            out.append(add_member(case))
        else:
            out.append(city.enrolments.get(a, a) if isinstance(a, str) else a)
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "role", "expected"), CASES)
def test_matrix(client_as, city, name: str, args: list, role: str, expected: int) -> None:
    """Each role gets exactly the pages, exports and API answers its job needs; 404 hides other schools' pupils."""
    resolved = resolve(city, args)
    response = client_as(role).get(reverse(name, args=resolved))
    assert response.status_code == expected
    if name.startswith("api_"):
        assert response["Content-Type"] == "application/json"
        assert expected == 200 or response.json()["status"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("name", sorted(CASE_CHANGES))
@pytest.mark.parametrize(
    ("pupil", "refused"),
    [
        # a_pa: school A, no social worker; a_severe: looked after at A (the Virtual School reads the case only)
        ("a_pa", {"school_b": 404, "virtual_school": 404, "scrutiny": 403}),
        ("a_severe", {"school_b": 404, "virtual_school": 403, "scrutiny": 403}),
    ],
)
def test_who_may_change_a_case(client_as, city, name: str, role: str, pupil: str, refused: dict) -> None:
    """LA staff with the school and the school itself may record on a case (an empty form is then 400: it got
    past the rules); another school gets 404, the Virtual School 403 on a case it reads, scrutiny 403; and a
    refused change changes nothing."""
    args = resolve(city, [f"case:{pupil}", *CASE_CHANGES[name]])
    from attendwise.web.casework.models import CaseEventRecord

    before = CaseEventRecord.objects.count()
    response = client_as(role).post(reverse(name, args=args), {})
    assert response.status_code == refused.get(role, 400)
    assert CaseEventRecord.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("name", LEGAL_CHANGES)
@pytest.mark.parametrize(
    ("pupil", "refused"),
    [
        ("a_pa", {"school_b": 404, "virtual_school": 404, "scrutiny": 403}),
        ("a_severe", {"school_b": 404, "virtual_school": 403, "scrutiny": 403}),
    ],
)
def test_who_may_change_a_notice_request(client_as, city, name: str, role: str, pupil: str, refused: dict) -> None:
    """The school and LA staff with the school record evidence on a request; only LA staff record the social
    worker's agreement and issue notices (the school is 403); an empty form is then 400 (it got past the rules);
    another school 404; the Virtual School reads; scrutiny 403; and a refused change changes nothing."""
    from attendwise.web.legal.models import DecisionRecord
    from tests.web.legal import make_request

    row = make_request(city, pupil)
    before = DecisionRecord.objects.count()
    deciding = name in {"legal_social_worker", "legal_issue"}
    expected = refused.get(role, 403 if deciding and role in {"school_a"} else 400)
    response = client_as(role).post(reverse(name, args=[row.pk]), {})
    assert response.status_code == expected
    assert DecisionRecord.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("name", NOTICE_CHANGES)
@pytest.mark.parametrize(
    ("pupil", "refused"),
    [
        ("a_pa", {"school_a": 403, "school_b": 404, "virtual_school": 404, "scrutiny": 403}),
        ("a_severe", {"school_a": 403, "school_b": 404, "virtual_school": 403, "scrutiny": 403}),
    ],
)
def test_who_may_change_a_notice(client_as, city, name: str, role: str, pupil: str, refused: dict) -> None:
    """Only LA staff with the school record a payment, a withdrawal or the decision on an unpaid notice (an empty
    form is then 400); the school reads it (403), another school 404, the Virtual School reads its children's."""
    from attendwise.web.legal.models import DecisionRecord
    from tests.web.legal import make_notice

    notice = make_notice(city, pupil)
    before = DecisionRecord.objects.count()
    response = client_as(role).post(reverse(name, args=[notice.pk]), {})
    assert response.status_code == refused.get(role, 400)
    assert DecisionRecord.objects.count() == before


# -- every way of writing an identifier in an address ---------------------------------------------------
# Each address with an identifier, with identifiers of things school A's user may see (labels are
# enrolments, "action" an action agreed at A's meeting); each is spelled every other way in turn.
SPELLED = {
    "school": [A],
    "school_pupils_csv": [A],
    "api_school_measures": [A],
    "pupil": ["a_severe"],
    "pupil_marks_csv": ["a_severe"],
    "api_pupil": ["a_severe"],
    "tsm_latest": [A],
    "tsm_pack": [A, TERM],
    "tsm_pack_xlsx": [A, TERM],
    "tsm_pack_html": [A, TERM],
    "tsm_meeting": [A, TERM],
    "tsm_discuss": [A, TERM],
    "tsm_action": [A, TERM],
    "tsm_action_done": [A, TERM, "action"],
    "case": ["case"],
    "case_document": ["case", "letter"],
    "case_open": ["a_pa"],
    "school_cases": [A],
    "pupil_family": ["a_pa"],
    "family_link": ["a_pa"],
    **{name: ["case", *extra] for name, extra in CASE_CHANGES.items()},
    "legal_request": ["request"],
    "legal_certificate": ["request"],
    "legal_request_new": ["a_pa"],
    **{name: ["request"] for name in LEGAL_CHANGES},
    "legal_notice": ["notice"],
    **{name: ["notice"] for name in NOTICE_CHANGES},
    "school_removals": [A],
    "removal_notify": [A],
    "removal_import": [A],
    "exclusion_import": [A],
    "pupil_registers": ["a_pa"],
    "register_entry": ["cme", 1],
    "register_entry_change": ["cme", 1, "enquiry"],
}
POST_ONLY = {
    "tsm_meeting",
    "tsm_discuss",
    "tsm_action",
    "tsm_action_done",
    "family_link",
    *CASE_CHANGES,
    *LEGAL_CHANGES,
    *NOTICE_CHANGES,
    "removal_import",
    "exclusion_import",
    "register_entry_change",
}
#: An identifier of each kind that names nothing: every other spelling must be answered like it.
NOTHING = {"urn": 999999, "enrolment_id": 99999, "record_id": 999999999, "term": "2024-26-autumn"}
#: The kind of identifier each address argument is (a term's slug too: ``2024-25-autumn``).
KIND = {
    "urn": "urn",
    "enrolment_id": "enrolment_id",
    "action_id": "record_id",
    "case_id": "record_id",
    "entry_id": "record_id",
    "ref": "record_id",
    "request_id": "record_id",
    "notice_id": "record_id",
    "term": "term",
}
TOO_LARGE = {"urn": "10000000", "enrolment_id": str(ENROLMENT_ID_MAX + 1), "record_id": str(RECORD_ID_MAX + 1)}
#: Addresses of pupil data, where every refused attempt is in the audit log.
AUDITED = {
    "school_pupils_csv",
    "pupil",
    "pupil_marks_csv",
    "api_pupil",
    "tsm_latest",
    "tsm_pack",
    "tsm_pack_xlsx",
    "case",
    "case_document",
    "case_open",
    "school_cases",
    "pupil_family",
    "family_link",
    *CASE_CHANGES,
    "legal_request",
    "legal_certificate",
    "legal_request_new",
    *LEGAL_CHANGES,
    "legal_notice",
    *NOTICE_CHANGES,
    "school_removals",
    "removal_notify",
    "removal_import",
    "exclusion_import",
    "pupil_registers",
    "register_entry",
    "register_entry_change",
}


def _route(name: str) -> str:
    from attendwise.web.urls import addresses

    return next(str(p.pattern) for p in addresses if getattr(p, "name", None) == name)


def spellings(kind: str, value: str) -> list[str]:
    """Signs, leading zeros, decimals, exponents, whitespace, non-ASCII digits, far too large: never the identifier."""
    if kind == "term":
        return term_spellings(value)
    return [*other_spellings(int(value)), TOO_LARGE[kind], "9" * 20, "9" * 400, "0", "-0", "x", "١٠٠٠٠١"]


def term_spellings(slug: str) -> list[str]:
    """A term's slug (``2024-25-autumn``) in capitals, with its years' digits fullwidth or Arabic-Indic, a sign, a
    zero, whitespace, the whole years, underscores, or far too long: never the term."""
    year, short, name = slug.split("-")
    digits = str.maketrans("0123456789", "０１２３４５６７８９")
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    return [
        slug.upper(),
        f"{year}-{short}-{name.title()}",
        f"{year.translate(digits)}-{short.translate(digits)}-{name}",
        f"{year.translate(arabic)}-{short.translate(arabic)}-{name}",
        f"+{slug}",
        f"0{slug}",
        f"{year}-0{short}-{name}",
        f"{year}-{int(year) + 1}-{name}",
        f" {slug}",
        f"{slug} ",
        f"{slug}\n",
        slug.replace("-", "_"),
        slug.replace("-", "\u2010"),  # a hyphen that is not the ASCII one
        f"{slug}-1",
        f"{year}-{short}",
        slug + "x" * 400,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("name", sorted(SPELLED))
def test_an_identifier_spelled_any_other_way_names_nothing(client_as, city, django_user_model, name, role) -> None:
    """Every other spelling of an identifier in every address, for every role, is answered exactly as an
    identifier of nothing: 404, or 403 where the role never sees that kind of page; never 500, never data,
    and audited the same way."""
    from attendwise.web.models import AgreedAction, TargetingMeeting

    c = client_as(role)
    c.raise_request_exception = False
    action = AgreedAction.objects.create(
        meeting=TargetingMeeting.objects.create(urn=A, term="2024/25-autumn"),
        description="Call home",
        owner=django_user_model.objects.get(username=role),
        owner_name=role,
        due_date="2024-12-01",
    )
    route = _route(name)
    slots = re.findall(r"<\w+:(\w+)>", route)
    made = {}
    if "case" in SPELLED[name]:
        from tests.web.cases import add_letter, add_member, open_case

        case = open_case(city, "a_pa")
        made = {"case": case.pk, "letter": add_letter(case), "member": add_member(case)}
    if "request" in SPELLED[name]:
        from tests.web.legal import make_request

        made = {"request": make_request(city, "a_pa").pk}
    if "notice" in SPELLED[name]:
        from tests.web.legal import make_notice

        made = {"notice": make_notice(city, "a_pa").pk}
    values = {
        kwarg: str(action.pk if arg == "action" else made.get(arg, city.enrolments.get(arg, arg)))
        for kwarg, arg in zip(slots, SPELLED[name], strict=True)
    }

    def ask(**texts: str) -> tuple[int, list[tuple[str, str]], bytes]:
        AuditEvent.objects.all().delete()
        address = "/" + re.sub(r"<\w+:(\w+)>", lambda m: quote({**values, **texts}[m[1]], safe=""), route)
        response = (c.post if name in POST_ONLY else c.get)(address)
        return response.status_code, list(AuditEvent.objects.values_list("action", "outcome")), response.content

    for kwarg in slots:
        if kwarg not in KIND:
            continue
        kind = KIND[kwarg]
        status, audited, _ = ask(**{kwarg: str(NOTHING[kind])})
        assert status in {403, 404}
        if name in AUDITED and kind != "term":  # a term that is not one names no pupil data: only the same answer
            assert [outcome for _, outcome in audited] == [Outcome.FORBIDDEN if status == 403 else Outcome.NOT_FOUND]
        for text in spellings(kind, values[kwarg]):
            answer = ask(**{kwarg: text})
            assert answer[:2] == (status, audited), (text, answer[:2])
            if name.startswith("api_"):
                assert json.loads(answer[2])["status"] == status
            assert b"Testchild" not in answer[2] and b"Alder" not in answer[2], text


def test_every_address_with_an_identifier_is_spelled_every_way() -> None:
    """A new address with an identifier cannot land without its row in SPELLED."""
    from attendwise.web.urls import addresses

    kinds = re.compile(r"<(" + "|".join(CONVERTERS) + "):")
    assert {p.name for p in addresses if kinds.search(str(getattr(p, "pattern", "")))} == set(SPELLED)


#: Addresses anyone may ask for, signed in or not.
PUBLIC = {"home", "healthz", "login", "logout", "accessibility", "privacy", "contact"}


def _signed_out_cases() -> list[tuple[str, str]]:
    """Every named address but the public ones, with an identifier of nothing in each argument."""
    from attendwise.web.urls import addresses

    argument = re.compile(r"<(\w+):(\w+)>")
    value = {"urn": str(NOTHING["urn"]), "enrolment_id": str(NOTHING["enrolment_id"])}
    value |= {"record_id": str(NOTHING["record_id"]), "str": TERM}
    cases = []
    for p in addresses:
        name = getattr(p, "name", None)
        if name and name not in PUBLIC:
            cases.append((name, "/" + argument.sub(lambda m: value[m[1]], str(p.pattern))))
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "address"), _signed_out_cases())
def test_signed_out_users_are_sent_to_sign_in(client, city, name: str, address: str) -> None:
    """Nothing but the public pages answers a visitor who is not signed in: pages send them to sign in,
    and the API (whose callers are programs, which cannot fill in a form) answers 401 in JSON."""
    for method in (client.get, client.post):
        response = method(address)
        if name.startswith("api_"):
            assert response.status_code == 401, (method, address)
            assert response.json() == {"error": API_ERRORS[401], "status": 401}
            assert response["WWW-Authenticate"].startswith("Session")
        else:
            assert response.status_code == 302, (method, address, response.status_code)
            assert response["Location"].startswith(reverse("login")), address
        assert b"Testchild" not in response.content and b"Alder" not in response.content


@pytest.mark.django_db
def test_a_user_with_no_role_sees_nothing(client, django_user_model) -> None:
    user = django_user_model.objects.create_user("nobody", password="correct-horse-battery-9")
    client.force_login(user)
    assert client.get(reverse("la_overview")).status_code == 403
    assert client.get(reverse("cohorts")).status_code == 403
    assert client.get(reverse("school", args=[A])).status_code == 403


@pytest.mark.django_db
class TestAuditOfAttempts:
    def test_another_schools_pupil_is_404_and_logged(self, client_as, city) -> None:
        """A school user asking for another school's pupil gets 404, and the attempt is in the audit log."""
        enrolment = city.enrolments["a_severe"]
        response = client_as("school_b").get(reverse("pupil", args=[enrolment]))
        assert response.status_code == 404
        event = AuditEvent.objects.get()
        assert (event.username, event.action, event.outcome, event.enrolment_id) == (
            "school_b",
            Action.VIEW_PUPIL,
            Outcome.NOT_FOUND,
            enrolment,
        )
        assert city.pupils["a_severe"].encode() not in response.content

    def test_another_schools_page_is_404_and_logged(self, client_as) -> None:
        """A school user opening another school's page (which would list its pupils) is refused and recorded."""
        assert client_as("school_b").get(reverse("school", args=[A])).status_code == 404
        event = AuditEvent.objects.get()
        assert (event.username, event.action, event.outcome, event.school_urn) == (
            "school_b",
            Action.VIEW_PUPIL_LIST,
            Outcome.NOT_FOUND,
            A,
        )

    def test_scrutiny_asking_for_a_pupil_is_403_and_logged(self, client_as, city) -> None:
        client_as("scrutiny").get(reverse("api_pupil", args=[city.enrolments["a_pa"]]))
        event = AuditEvent.objects.get()
        assert (event.action, event.outcome) == (Action.API_PUPIL, Outcome.FORBIDDEN)

    def test_views_and_exports_are_logged_with_who_and_what(self, client_as, city) -> None:
        """Opening a record, downloading its marks and seeing a school's list each leave one row."""
        c = client_as("officer")
        enrolment = city.enrolments["a_pa"]
        c.get(reverse("pupil", args=[enrolment]))
        c.get(reverse("pupil_marks_csv", args=[enrolment]))
        c.get(reverse("school", args=[A]))
        c.get(reverse("school_pupils_csv", args=[A]))
        rows = list(AuditEvent.objects.order_by("id").values_list("action", "outcome", "upn", "school_urn", "pupils"))
        assert rows == [
            (Action.VIEW_PUPIL, Outcome.SHOWN, city.pupils["a_pa"], A, None),
            (Action.EXPORT_PUPIL, Outcome.SHOWN, city.pupils["a_pa"], A, None),
            (Action.VIEW_PUPIL_LIST, Outcome.SHOWN, "", A, 2),
            (Action.EXPORT_PUPIL_LIST, Outcome.SHOWN, "", A, 2),
        ]
        assert all(e.username == "officer" and e.at for e in AuditEvent.objects.all())

    def test_aggregate_pages_are_not_logged_as_pupil_views(self, client_as) -> None:
        c = client_as("scrutiny")
        c.get(reverse("school", args=[A]))
        c.get(reverse("la_overview"))
        assert not AuditEvent.objects.exists()


@pytest.mark.django_db
class TestScopedData:
    def test_school_user_sees_only_their_pupils(self, client_as, city) -> None:
        """School A's page lists A's absent pupils by name; B's user sees no names from A."""
        page = client_as("school_a").get(reverse("school", args=[A])).content.decode()
        assert "A Severe Testchild" in page and "A Pa Testchild" in page
        cohort = client_as("school_b").get(reverse("cohorts")).content.decode()
        assert "Testchild" not in cohort

    def test_scrutiny_never_sees_a_pupil_name(self, client_as) -> None:
        c = client_as("scrutiny")
        for name, args in [("la_overview", []), ("school", [A]), ("cohorts", []), ("schools", [])]:
            page = c.get(reverse(name, args=args)).content.decode()
            assert "Testchild" not in page, name

    def test_virtual_school_cohort_is_its_children_only(self, client_as) -> None:
        """The Virtual School's cohort figures count the looked-after child and the child in need: two."""
        data = client_as("virtual_school").get(reverse("api_la_measures")).json()
        assert data["rows"][0]["enrolments"] == 2

    def test_assigned_officer_api_counts_only_their_schools(self, client_as) -> None:
        everything = client_as("officer").get(reverse("api_la_measures")).json()["rows"][0]["enrolments"]
        client_as.client.logout()
        assigned = client_as("officer_a").get(reverse("api_la_measures")).json()["rows"][0]["enrolments"]
        assert (everything, assigned) == (15, 7)


@pytest.mark.django_db
def test_the_case_store_is_the_database_asked_for() -> None:
    """`make test` runs the web suite a second time on PostgreSQL: make sure that run really is on PostgreSQL."""
    import os

    from django.db import connection

    asked = os.environ.get("ATTENDWISE_TEST_DATABASE_URL", "sqlite://")
    expected = "postgresql" if asked.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_the_matrix_covers_every_page() -> None:
    """A new page, export or API answer cannot land without its row in the matrix above."""
    from attendwise.web.urls import urlpatterns

    named = {p.name for p in urlpatterns if getattr(p, "name", None)}
    open_to_all = PUBLIC  # home redirects by role; the rest hold no data
    assert named - open_to_all - {name for name, _, _ in MATRIX} == set()


@pytest.mark.parametrize("value", ["42", "042", 0, -1, True, 2**31, 4.0])
def test_addresses_are_built_only_from_identifiers(value: object) -> None:
    """reverse() writes an identifier's one spelling, and refuses anything else."""
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("pupil", args=[value])
    assert reverse("pupil", args=[42]) == "/pupils/42/"
