"""The comparison figures and attendance categories (:mod:`attendwise.reports.tsm.figures`)."""

from __future__ import annotations

import pytest

from attendwise.reports.tsm import TSMPack


class TestOverall:
    # Oakfield, pupils aged 5-15 with possible sessions (16: the reception child and the pupil with only
    # Y7 marks are not counted): 1,416 possible sessions, 678 attended; 14 persistently absent, 8 severely.
    def test_school_la_and_similar_schools(self, pack: TSMPack) -> None:
        """The school's own figures, the LA's (all three schools) and Elm Primary's (the only other primary)."""
        school, la, similar, england = pack.overall.year_to_date
        assert (school.kind, school.area, school.enrolments) == ("school", "Oakfield Primary", 16)
        assert school.attendance_percent == pytest.approx(100 * 678 / 1416)
        assert (school.persistently_absent, school.severely_absent) == (14, 8)
        assert school.persistent_absence_percent == pytest.approx(100 * 14 / 16)
        assert (la.kind, la.enrolments) == ("la", 19)
        assert la.attendance_percent == pytest.approx(100 * (678 + 150 + 90) / (1416 + 200 + 100))
        assert (similar.kind, similar.enrolments, similar.attendance_percent) == ("similar", 2, pytest.approx(75.0))
        assert "1 other schools of the same phase" in similar.basis
        assert england.kind == "national" and england.area == "England (State-funded primary)"
        assert england.overall_absence_percent == pytest.approx(5.247) and "DfE" in england.basis

    def test_term_figures_and_last_year(self, pack: TSMPack) -> None:
        """This term is the autumn census term to date; there is no last year in the store to compare with."""
        assert pack.overall.this_term[0].attendance_percent == pytest.approx(100 * 678 / 1416)
        school, la = pack.overall.against_last_year
        assert school.compared_with == "2023/24 to 15 Nov" and school.last_year is None
        assert school.this_year.attendance_percent == pytest.approx(100 * 678 / 1416)
        assert la.attendance_change_points is None


class TestCategories:
    def test_five_categories_year_to_date(self, pack: TSMPack) -> None:
        """Regular; 91%; 85% and 90%; 60-73%; and the 8 at 50% or less (the leaver included, as counted)."""
        counts = {b.key: b.pupils for b in pack.categories.year_to_date}
        assert counts == {"expected": 1, "at_risk_pa": 1, "persistent": 2, "at_risk_sa": 4, "severe": 8}
        assert sum(b.percent for b in pack.categories.year_to_date) == pytest.approx(100)
        assert pack.categories.scheme == "Five attendance categories"
