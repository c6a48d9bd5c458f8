"""The LA's own priority cohorts in a TSM pack: the cohorts its [packs] names, members counted for the sessions
inside their dates, and a cohort only LA staff may see membership of never shown on fewer than five pupils."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attendwise.core.cohorts import load_cohorts
from attendwise.documents.marks import SUPPRESSED
from attendwise.ingest import import_folder
from attendwise.reports.tsm import COHORTS, pack_sections, tsm_pack
from attendwise.store import Store
from tests.registers import Register

START = dt.date(2024, 9, 2)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One school of 12 pupils over four weeks: six in EBSA from the third week (absent from then), two known
    to the youth justice service throughout."""
    reg = Register()
    reg.school(100001)
    for i in range(12):
        upn = reg.pupil()
        reg.sessions(upn, "/" * 20 + ("O" * 20 if i < 6 else "/" * 20), START)
        if i < 6:
            reg.cohort(upn, "ebsa", "2024-09-16", source="EBSA panel")
        if i in (6, 7):
            reg.cohort(upn, "youth_justice", "2024-09-01")
    folder = reg.write(tmp_path_factory.mktemp("reg"))
    store = Store(tmp_path_factory.mktemp("store") / "s.duckdb")
    import_folder(store, folder)
    yield store
    store.close()


def test_a_pack_shows_the_las_cohorts_after_the_dfe_ones(store: Store) -> None:
    pack = tsm_pack(store, 100001, "2024/25-autumn", priority_cohorts=load_cohorts())
    names = [c.cohort for c in pack.cohorts]
    assert names == [*COHORTS, "Emotionally based school avoidance", "Youth justice involvement"]
    ebsa = pack.cohorts[len(COHORTS)]
    # Their sessions from 16 September only: all missed. The other six pupils, and the first two weeks, attend.
    assert (ebsa.pupils, ebsa.attendance_percent, ebsa.severely_absent) == (6, 0.0, 6)
    assert ebsa.others_attendance_percent == pytest.approx(100.0)
    assert ebsa.la_pupils == 6
    section = next(s for s in pack_sections(pack) if s.key == "cohorts")
    assert "Emotionally based school avoidance" in [row[0] for row in section.tables[0].rows]


def test_a_sensitive_cohort_of_few_pupils_shows_only_x(store: Store) -> None:
    pack = tsm_pack(store, 100001, "2024/25-autumn", priority_cohorts=load_cohorts())
    youth = pack.cohorts[-1]
    assert youth.cohort == "Youth justice involvement"
    for figure in (youth.pupils, youth.attendance_percent, youth.others_attendance_percent, youth.la_pupils):
        assert figure is SUPPRESSED
    assert "only LA staff may see" in youth.summary and youth.flag == ""


def test_the_la_chooses_which_cohorts_a_pack_shows(store: Store, tmp_path: Path) -> None:
    ours = tmp_path / "ours.toml"
    ours.write_text(
        '[[cohort]]\nkey = "ebsa"\nlabel = "EBSA"\n[[cohort]]\nkey = "youth_justice"\nlabel = "YJ"\n'
        'visibility = "la_only"\n[packs]\ncohorts = []\nprimary = ["ebsa"]\n',
        encoding="utf-8",
    )
    pack = tsm_pack(store, 100001, "2024/25-autumn", priority_cohorts=load_cohorts(ours))
    assert [c.cohort for c in pack.cohorts][len(COHORTS) :] == ["EBSA"]
    plain = tsm_pack(store, 100001, "2024/25-autumn")
    assert [c.cohort for c in plain.cohorts] == list(COHORTS)


def test_the_workbook_and_the_printed_pack_show_the_x(store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from attendwise.reports.tsm import render_html, write_xlsx

    pack = tsm_pack(store, 100001, "2024/25-autumn", priority_cohorts=load_cohorts())
    path = write_xlsx(pack, tmp_path / "pack.xlsx")
    sheet = next(ws for ws in load_workbook(path).worksheets if any("Youth justice" in str(c.value) for c in ws["A"]))
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Youth justice involvement")
    assert row[1] == "x"
    assert "Youth justice involvement" in render_html(pack)
