"""The off-rolling watch flags a school deregistering far more than its size would lead one to expect, and
never a small school with a few."""

from __future__ import annotations

from attendwise.registers.offrolling import SchoolDeregistrations, offrolling_watch


def _city() -> list[SchoolDeregistrations]:
    rows = [
        SchoolDeregistrations(110000 + i, f"Secondary {i}", "secondary", 900 + 20 * i, 3 + i % 3) for i in range(12)
    ]
    rows += [SchoolDeregistrations(120000 + i, f"Primary {i}", "primary", 300 + 10 * i, i % 2) for i in range(30)]
    return rows


def test_a_planted_school_is_flagged_and_no_other() -> None:
    rows = [*_city(), SchoolDeregistrations(130000, "Planted Academy", "secondary", 1000, 22)]
    watch = offrolling_watch(rows, min_deregistrations=3, min_roll=30)
    flagged = [w for w in watch if w.flagged]
    assert [w.urn for w in flagged] == [130000]
    assert flagged[0].low > 1 and flagged[0].expected < 6
    assert "22 deregistrations to home education" in flagged[0].describe()


def test_a_small_school_with_a_high_rate_is_not_flagged() -> None:
    """Two deregistrations from a roll of 25 is a rate eight times the city's, but too few to be a pattern."""
    rows = [*_city(), SchoolDeregistrations(140000, "Little Primary", "primary", 25, 2)]
    small = next(w for w in offrolling_watch(rows, min_deregistrations=3, min_roll=30) if w.urn == 140000)
    assert small.risk_ratio > 4 and not small.flagged


def test_schools_are_compared_within_their_phase() -> None:
    """A secondary school at the secondary rate is not flagged for being above the primary rate."""
    watch = offrolling_watch(_city(), min_deregistrations=3, min_roll=30)
    assert not any(w.flagged for w in watch)
    assert all(0.3 < w.risk_ratio < 3 for w in watch if w.phase == "secondary")
