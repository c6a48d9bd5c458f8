"""Every CSV address and the TSM workbook write names from schools and the case store as text, never as formulas.

The test LA of ``conftest.py`` is imported again with every school and pupil named as an attack on a
spreadsheet (``=HYPERLINK(...)``, ``+1+1``, ``-2+3``, ``@SUM(A1)``, tab or carriage return then ``=``), and the
case store's meetings, agenda and actions carry the same texts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from attendwise.ingest import import_folder
from attendwise.measures.pupils import enrolments_of
from attendwise.store import Store
from attendwise.web.models import AgreedAction, DiscussedPupil, TargetingMeeting
from tests.cities import A, B, C, build_register
from tests.documents.test_exports import ATTACKS, DANGEROUS, lines, quoted, unsafe_csv_cells
from tests.web.conftest import City

pytestmark = pytest.mark.django_db
SCHOOLS = {A: ATTACKS[0], B: "+1+1", C: "@SUM(A1)"}
TERM, SLUG = "2024/25-autumn", "2024-25-autumn"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    """The test LA with every school's and pupil's name an attack (this module's tests read it, not conftest's)."""
    folder = tmp_path_factory.mktemp("formula-city")
    reg, people = build_register()
    for school in reg.schools:
        school["name"] = SCHOOLS[int(school["urn"])]  # type: ignore[call-overload]
    for i, pupil in enumerate(reg.pupils):
        pupil["forename"], pupil["surname"] = ATTACKS[i % len(ATTACKS)], ATTACKS[(i + 3) % len(ATTACKS)]
    path = folder / "city.duckdb"
    with Store(path) as store:
        import_folder(store, reg.write(folder / "registers"))
        enrolments = {label: enrolments_of(store, upn)[0].enrolment_id for label, (upn, _) in people.items()}
    return City(path, {k: v[0] for k, v in people.items()}, enrolments)


def csv_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert unsafe_csv_cells(text) == []
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("suppress", ["", "?suppress=1"])
def test_the_schools_csv(client_as, suppress: str) -> None:
    rows = csv_rows(client_as("officer").get(reverse("la_schools_csv") + suppress))
    assert {r["school_name"] for r in rows} == {quoted(n) for n in SCHOOLS.values()}


@pytest.mark.parametrize("urn", [A, C])  # B has no persistently absent pupil
def test_a_schools_pupils_csv(client_as, urn: int) -> None:
    rows = csv_rows(client_as("officer").get(reverse("school_pupils_csv", args=[urn])))
    assert rows and all(r["pupil"][0] == "'" and r["pupil"][1:].startswith(DANGEROUS) for r in rows)


@pytest.mark.parametrize("query", ["", "?by=sex&then=fsm", "?by=year&school=100001", "?by=fsm&suppress=1"])
def test_the_cohorts_csv(client_as, query: str) -> None:
    assert csv_rows(client_as("officer").get(reverse("cohorts_csv") + query))


@pytest.mark.parametrize("label", ["a_severe", "c_cin"])
def test_a_pupils_marks_csv(client_as, city: City, label: str) -> None:
    assert csv_rows(client_as("officer").get(reverse("pupil_marks_csv", args=[city.enrolments[label]])))


def test_the_tsm_workbook(client_as, city: City) -> None:
    """The previous meeting's actions (and this meeting's record) named as attacks: the pack holds them as text."""
    officer = client_as("officer")
    previous = TargetingMeeting.objects.create(urn=A, term="2023/24-summer", held_on=dt.date(2024, 9, 9))
    labels = ("a_severe", "a_pa", "a_good0", "a_good1", "a_good2", "a_good3")
    upns = [city.pupils[k] for k in labels]
    for upn, attack in zip(upns, ATTACKS, strict=True):
        AgreedAction.objects.create(
            meeting=previous, upn=upn, description=attack, owner_name=attack, due_date=dt.date(2024, 9, 20)
        )
    meeting = TargetingMeeting.objects.create(urn=A, term=TERM, attendees="\n".join(ATTACKS), notes=ATTACKS[0])
    for label, attack in zip(labels[:2], ATTACKS, strict=False):
        DiscussedPupil.objects.create(
            meeting=meeting,
            enrolment_id=city.enrolments[label],
            upn=city.pupils[label],
            reason=attack,
            lead_practitioner=attack,
        )

    response = officer.get(reverse("tsm_pack_xlsx", args=[A, SLUG]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for ws in book for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(DANGEROUS)] == []
    actions = {r[0]: r for r in book["Previous actions"].iter_rows(min_row=4, values_only=True)}
    for upn, attack in zip(upns, ATTACKS, strict=True):
        assert actions[upn][2] == actions[upn][3] == lines(quoted(attack))
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=4, values_only=True)}
    assert summary["School"] == quoted(f"{SCHOOLS[A]} (URN {A})")
