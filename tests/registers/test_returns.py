"""The DfE's CME and EHE rounding (E16): every figure rounded on its own, totals from unrounded counts."""

from __future__ import annotations

from attendwise.registers.returns import LOW, dfe_round, rounded


def test_rows_and_total_are_rounded_independently() -> None:
    """E16: year groups summing to 513 show a total of 510, not the sum of the rounded rows; 3 shows as low."""
    counts = {"Reception": 3, "Year 1": 45, "Year 2": 55, "Year 3": 65, "Year 4": 75, "Year 5": 85, "Year 6": 185}
    assert sum(counts.values()) == 513
    shown = dict(rounded(counts, total="Total"))
    assert shown["Total"] == 510
    assert shown["Reception"] == LOW
    assert [shown[k] for k in ("Year 1", "Year 2", "Year 6")] == [50, 60, 190]  # halves round up
    assert sum(v for k, v in shown.items() if k != "Total" and v != LOW) == 540


def test_national_figures_round_to_the_nearest_hundred() -> None:
    assert dfe_round(111_650, "national") == 111_700
    assert dfe_round(39_249, "national") == 39_200
    assert dfe_round(49, "national") == LOW
    assert dfe_round(0, "national") == 0
