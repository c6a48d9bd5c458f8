"""Band schemes: presets, validation of LA-written schemes, and agreement with the PA/SA definitions."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attendwise.core.calendar import parse_period
from attendwise.ingest import import_folder
from attendwise.measures.absence import enrolment_absence
from attendwise.measures.bands import PRESETS, SchemeError, band_counts, load_scheme
from attendwise.store import Store
from tests.registers import Register

FIVE = load_scheme("five-categories")
THREE = load_scheme("three-stages")
sessions = st.integers(1, 400).flatmap(lambda possible: st.tuples(st.integers(0, possible), st.just(possible)))


@given(sessions)
def test_every_rate_has_exactly_one_band(s: tuple[int, int]) -> None:
    """Property: any attendance falls in exactly one band of each preset."""
    attended, possible = s
    rate = Fraction(100 * attended, possible)
    for scheme in (FIVE, THREE):
        assert sum(b.contains(rate) for b in scheme.bands) == 1


@given(sessions)
def test_bands_agree_with_persistent_and_severe_absence(s: tuple[int, int]) -> None:
    """Property: persistent/at-risk-of-severe/severe bands hold exactly the PA enrolments; severe exactly SA."""
    attended, possible = s
    absent = possible - attended
    pa, sa = 10 * absent >= possible, 2 * absent >= possible
    five = FIVE.band_for(attended, possible).key
    assert (five in {"persistent", "at_risk_sa", "severe"}) == pa
    assert (five == "severe") == sa
    three = THREE.band_for(attended, possible).key
    assert (three != "prevention") == pa
    assert (three == "targeted_support") == sa


@pytest.mark.parametrize(
    ("attended", "key"),
    [
        (380, "expected"),
        (361, "expected"),
        (360, "at_risk_pa"),
        (343, "at_risk_pa"),
        (342, "persistent"),
        (304, "persistent"),
        (303, "at_risk_sa"),
        (191, "at_risk_sa"),
        (190, "severe"),
        (0, "severe"),
    ],
)
def test_five_category_edges_on_380_sessions(attended: int, key: str) -> None:
    """95% is 361/380, 90% is 342/380, 80% is 304/380, 50% is 190/380: each edge lands as the scheme says."""
    assert FIVE.band_for(attended, 380).key == key


def write_scheme(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scheme.toml"
    path.write_text('name = "Test"\n' + body)
    return path


class TestLAWrittenSchemes:
    def test_east_sussex_style_tiers(self, tmp_path: Path) -> None:
        """An LA's own three tiers (100-93, 92-80, 79 and below) load and partition 0-100."""
        scheme = load_scheme(
            write_scheme(
                tmp_path,
                """
[[band]]
key = "tier1"
name = "Tier 1"
above = 92
[[band]]
key = "tier2"
name = "Tier 2"
at_least = 80
at_most = 92
[[band]]
key = "tier3"
name = "Tier 3"
below = 80
""",
            )
        )
        assert [b.key for b in scheme.bands] == ["tier1", "tier2", "tier3"]

    def test_gap_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(SchemeError, match="'low' and 'high' leave a gap at 90%-90%"):
            load_scheme(
                write_scheme(
                    tmp_path,
                    """
[[band]]
key = "low"
name = "Low"
below = 90
[[band]]
key = "high"
name = "High"
above = 90
""",
                )
            )

    def test_overlap_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(SchemeError, match="overlap"):
            load_scheme(
                write_scheme(
                    tmp_path,
                    """
[[band]]
key = "low"
name = "Low"
at_most = 90
[[band]]
key = "high"
name = "High"
at_least = 90
""",
                )
            )

    def test_both_ends_given_twice_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(SchemeError, match="give at_least or above, not both"):
            load_scheme(write_scheme(tmp_path, '[[band]]\nkey = "a"\nname = "A"\nat_least = 0\nabove = 0\n'))

    def test_unknown_preset(self) -> None:
        with pytest.raises(SchemeError, match="neither a preset"):
            load_scheme("four-seasons")


def test_band_counts_per_school_list_every_band(store: Store, write) -> None:
    """Counts per school include empty bands, and percentages within a school add to 100."""
    reg = Register()
    reg.school(100001)
    reg.school(100002)
    for urn, codes in ((100001, "/" * 20), (100001, "I" * 3 + "/" * 17), (100002, "I" * 6 + "/" * 14)):
        reg.sessions(reg.pupil(urn=urn), codes, urn=urn)
    import_folder(store, write(reg))
    frame = band_counts(enrolment_absence(store, parse_period("2024/25")), FIVE, ["school_urn"]).to_pandas()
    assert len(frame) == 10
    got = {(r.school_urn, r.band): r.enrolments for r in frame.itertuples() if r.enrolments}
    assert got == {(100001, "expected"): 1, (100001, "persistent"): 1, (100002, "at_risk_sa"): 1}
    assert frame.groupby("school_urn").percent.sum().round(9).tolist() == [100.0, 100.0]


def test_presets_are_listed() -> None:
    assert set(PRESETS) == {"five-categories", "three-stages"}
