"""The pack as a workbook (:mod:`attendwise.reports.tsm.workbook`)."""

from __future__ import annotations

import openpyxl
import pytest

from attendwise.reports.tsm import TSMPack, pack_sections, write_pack
from tests.reports.tsm.tsm_school import AS_AT


class TestWorkbook:
    def test_xlsx_reads_back(self, pack: TSMPack, tmp_path) -> None:
        """One sheet per section, title and frozen bold header, percentages as fractions with a % format."""
        path = write_pack(pack, tmp_path / "pack.xlsx")
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [s.sheet for s in pack_sections(pack)]
        ws = wb["Severely absent"]
        assert ws["A1"].value == "Severely absent pupils" and ws.freeze_panes == "A4"
        headers = [c.value for c in ws[3]]
        assert headers[:5] == ["UPN", "Name", "Year", "Priority groups", "Attendance"]
        assert ws["A3"].font.bold
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        assert len(rows) == len(pack.severely_absent) == 7
        last = rows[-1]
        assert last[0] == pack.severely_absent[-1].upn and last[4] == pytest.approx(0.40)
        assert ws.cell(row=4 + 6, column=5).number_format == "0.0%"
        assert "Autumn 1: 50%" in last[11] and "Illness" in last[12]
        summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=4, values_only=True)}
        assert summary["School"] == "Oakfield Primary (URN 100001)"
        assert summary["As at"].date() == AS_AT
        actions = list(wb["Previous actions"].iter_rows(min_row=4, values_only=True))
        assert actions[0][8] == "Yes" and actions[0][7] == pytest.approx(100 - 100 / 3)
        empty = wb["To discuss"]
        assert empty.max_row >= 4
        categories = list(wb["Attendance categories"].iter_rows(min_row=4, values_only=True))
        assert categories[-1][:2] == ("Severe absence (50% or less)", 8)
