"""Tables, charts and documents as HTML (:mod:`attendwise.documents.html`): the GOV.UK markup the web pages and
the printed pack share, hand-checked, with every text escaped."""

from __future__ import annotations

import doctest
import json

from bs4 import BeautifulSoup

from attendwise.documents import html
from attendwise.documents.html import chart_html, document_html, section_html, table_html
from attendwise.documents.marks import NOT_APPLICABLE, SUPPRESSED
from attendwise.documents.tables import Cell, Chart, Column, Kind, Section, Table

TABLE = Table(
    "Schools",
    (Column("school", "School"), Column("pupils", "Pupils", Kind.COUNT), Column("pa", "PA %", Kind.PERCENT)),
    (
        (Cell("Oak & Ash", href="/school/1?a=1&b=2"), 1200, 12.46),
        ("Elm", Cell(3, tag="red"), SUPPRESSED),
        ("<script>", 0, NOT_APPLICABLE),
    ),
)


def test_the_module_examples() -> None:
    assert doctest.testmod(html).failed == 0


def test_a_small_table_is_the_expected_govuk_table() -> None:
    assert table_html(TABLE) == "\n".join(
        [
            '<div class="aw-table-scroll">',
            '<table class="govuk-table">',
            '  <caption class="govuk-table__caption govuk-table__caption--s">Schools</caption>',
            '  <thead class="govuk-table__head">',
            '    <tr class="govuk-table__row">',
            '      <th scope="col" class="govuk-table__header">School</th>'
            '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Pupils</th>'
            '<th scope="col" class="govuk-table__header govuk-table__header--numeric">PA %</th>',
            "    </tr>",
            "  </thead>",
            '  <tbody class="govuk-table__body">',
            '    <tr class="govuk-table__row">',
            '      <th scope="row" class="govuk-table__header">'
            '<a class="govuk-link" href="/school/1?a=1&amp;b=2">Oak &amp; Ash</a></th>'
            '<td class="govuk-table__cell govuk-table__cell--numeric">1,200</td>'
            '<td class="govuk-table__cell govuk-table__cell--numeric">12.5</td>',
            "    </tr>",
            '    <tr class="govuk-table__row">',
            '      <th scope="row" class="govuk-table__header">Elm</th>'
            '<td class="govuk-table__cell govuk-table__cell--numeric">'
            '<strong class="govuk-tag govuk-tag--red">3</strong></td>'
            '<td class="govuk-table__cell govuk-table__cell--numeric">'
            '<span class="aw-suppressed" title="Suppressed: too few pupils to show">x</span></td>',
            "    </tr>",
            '    <tr class="govuk-table__row">',
            '      <th scope="row" class="govuk-table__header">&lt;script&gt;</th>'
            '<td class="govuk-table__cell govuk-table__cell--numeric">0</td>'
            '<td class="govuk-table__cell govuk-table__cell--numeric">'
            '<span class="aw-mark" title="Not applicable">z</span></td>',
            "    </tr>",
            "  </tbody>",
            "</table>",
            "</div>",
        ]
    )


def test_an_empty_table_says_so_across_its_columns() -> None:
    soup = BeautifulSoup(table_html(Table("None", TABLE.columns, empty="No schools.")), "html.parser")
    td = soup.select_one("tbody td")
    assert td.get_text() == "No schools." and td["colspan"] == "3"


def test_without_row_headers_every_cell_is_a_td() -> None:
    table = Table("T", TABLE.columns, TABLE.rows[1:2], row_headers=False)
    soup = BeautifulSoup(table_html(table), "html.parser")
    assert not soup.select("tbody th") and len(soup.select("tbody td")) == 3


def test_a_chart_is_a_figure_with_its_spec_and_its_table() -> None:
    chart = Chart("trend", "Absence </script> by month", {"title": "a</script><b>&"}, TABLE, "Each month.")
    soup = BeautifulSoup(chart_html(chart), "html.parser")
    assert soup.figure["aria-labelledby"] == "trend-title"
    assert soup.select_one("h2#trend-title").get_text() == "Absence </script> by month"
    assert soup.select_one("div.aw-chart")["data-chart"] == "trend-spec"
    script = soup.select_one("script#trend-spec")
    assert "</" not in script.string and json.loads(script.string) == {"title": "a</script><b>&"}
    assert soup.select_one("table.govuk-table caption").get_text() == "Schools"
    assert "aw-chart" not in chart_html(Chart("empty", "E", None, TABLE))


def test_a_printed_document_of_sections() -> None:
    sections = [
        Section("one", "Schools", ("What the table shows.",), (TABLE,)),
        Section("two", "Nothing", (), (Table("Nothing", TABLE.columns, empty="None yet."),), new_page=True),
    ]
    page = document_html("Pack", sections, heading="A pack", masthead="From us", lead="As at today.", notes=["N"])
    soup = BeautifulSoup(page, "html.parser")
    assert soup.title.string == "Pack" and soup.h1.get_text() == "A pack"
    assert soup.select_one("header.masthead").get_text() == "From us"
    assert [s["id"] for s in soup.select("section")] == ["one", "two"]
    assert "new-page" in soup.select_one("section#two")["class"]
    assert soup.select_one("section#one p.intro").get_text() == "What the table shows."
    assert soup.select_one("section#one table caption") is None  # the heading says it
    assert soup.select_one("section#two p.empty").get_text() == "None yet."
    assert not soup.find_all("script") and not soup.find_all("link") and "@media print" in soup.style.string


def test_a_section_keeps_a_caption_that_says_more_than_its_heading() -> None:
    soup = BeautifulSoup(section_html(Section("s", "Heading", tables=(TABLE,))), "html.parser")
    assert soup.select_one("caption").get_text() == "Schools"
