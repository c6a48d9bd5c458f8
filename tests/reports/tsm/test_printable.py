"""The pack as a printable HTML document (:mod:`attendwise.reports.tsm.printable`)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from attendwise.reports.tsm import TSMPack, pack_sections, write_pack


class TestPrintable:
    def test_html_is_printable_and_self_contained(self, pack: TSMPack, tmp_path) -> None:
        """Every section is a heading and a table (or says it is empty); print CSS; nothing fetched."""
        path = write_pack(pack, tmp_path / "pack.html")
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert soup.title.string == pack.title
        assert [h.get_text() for h in soup.find_all("h2")] == [s.heading for s in pack_sections(pack)]
        severe = soup.find("section", id="severe")
        assert "new-page" in severe["class"]
        assert [th.get_text() for th in severe.thead.find_all("th")][:5] == [
            "UPN",
            "Name",
            "Year",
            "Priority groups",
            "Attendance",
        ]
        rows = severe.tbody.find_all("tr")
        # The first column (the UPN) names each row, as on the pack's web page.
        assert len(rows) == 7 and rows[-1].find_all(["th", "td"])[4].get_text() == "40.0%"
        assert rows[-1].th["scope"] == "row"
        cme = soup.find("section", id="no_attendance_3_weeks").find("p", class_="intro").get_text()
        assert "21 Oct to 15 Nov 2024, 15 school days" in cme and "children missing education" in cme
        style = soup.style.string
        assert "@media print" in style and "@page" in style and "table-header-group" in style
        assert not soup.find_all("script") and not soup.find_all("link")
        assert not soup.find_all(src=True)
