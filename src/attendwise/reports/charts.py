"""The pages' charts of what people look at rather than read: schools ranked by persistent and severe absence,
reasons for absence, and the groups' risk ratios as a forest plot. Each is a
:class:`~attendwise.documents.tables.Chart` of the table beside it, with its text alternative in words.
"""

from __future__ import annotations

import pandas as pd

from attendwise.documents.charts import bar_chart, forest_plot, grouped_bar_chart
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.tables import Chart, Table

__all__ = ["groups_forest", "reasons_chart", "schools_chart"]


def _number(value: object) -> float | None:
    if value is None or value == SUPPRESSED:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(out) else out


def schools_chart(shown: pd.DataFrame, table: Table) -> Chart:
    """The ranked schools' persistent and severe absence, side by side, highest first."""
    spec = (
        grouped_bar_chart(
            shown.assign(
                enrolments_pa_10_exact_percent=[_number(v) for v in shown.enrolments_pa_10_exact_percent],
                enrolments_pa_50_exact_percent=[_number(v) for v in shown.enrolments_pa_50_exact_percent],
            ),
            category="school_name",
            values=[
                ("enrolments_pa_10_exact_percent", "Persistent absence %"),
                ("enrolments_pa_50_exact_percent", "Severe absence %"),
            ],
            value_title="% of pupils",
        )
        if len(shown)
        else None
    )
    words = ""
    if len(shown):
        first = shown.iloc[0]
        sa, pa = _number(first.enrolments_pa_50_exact_percent), _number(first.enrolments_pa_10_exact_percent)
        words = f"{len(shown)} schools, highest severe absence first. Highest: {first.school_name}" + (
            f", {sa:.1f}% severely and {pa:.1f}% persistently absent." if sa is not None and pa is not None else "."
        )
    return Chart("schools-ranked", "Schools ranked by severe and persistent absence", spec, table, words)


def reasons_chart(table: Table) -> Chart:
    """The most common reasons for absence, as bars of sessions, authorised and unauthorised."""
    frame = pd.DataFrame(table.records())
    if frame.empty:
        return Chart("reasons-chart", "Reasons for absence", None, table)
    frame["label"] = frame.reason + " (" + frame.kind.str.lower() + ")"
    frame["sessions"] = [_number(v) for v in frame.sessions]
    shown = frame.dropna(subset=["sessions"]).sort_values("sessions", ascending=False)
    spec = bar_chart(shown, category="label", value="sessions", value_title="Sessions missed") if len(shown) else None
    words = ""
    if len(shown):
        top = shown.iloc[0]
        words = f"The most sessions were missed for {top.label}: {top.sessions:,.0f}."
    return Chart("reasons-chart", "Reasons for absence", spec, table, words)


def groups_forest(over: pd.DataFrame, table: Table, *, fig_id: str = "groups-forest") -> Chart:
    """How many times as likely each flagged group is to be persistently absent as other pupils, with the
    95% interval: a forest plot (a ratio of 1 is no difference)."""
    frame = over.copy()
    if len(frame):
        frame["label"] = frame.group.astype(str) + " (" + frame.characteristic_name.astype(str) + ")"
        for c in ("pa_risk_ratio", "pa_rr_low", "pa_rr_high"):
            frame[c] = [_number(v) for v in frame[c]]
        hidden = frame.get("pa_interval", pd.Series(dtype=object)) == SUPPRESSED
        frame = frame[~hidden].dropna(subset=["pa_risk_ratio", "pa_rr_low", "pa_rr_high"])
    spec = (
        forest_plot(
            frame,
            label="label",
            estimate="pa_risk_ratio",
            low="pa_rr_low",
            high="pa_rr_high",
            x_title="Times as likely to be persistently absent as other pupils (log scale)",
        )
        if len(frame)
        else None
    )
    words = ""
    if len(frame):
        top = frame.iloc[0]
        words = (
            f"{len(frame)} groups, each a point with its 95% interval; 1 means no difference. Highest: "
            f"{top.label}, {top.pa_risk_ratio:.2f} times as likely ({top.pa_rr_low:.2f} to {top.pa_rr_high:.2f})."
        )
    return Chart(fig_id, "How much more likely each group is to be persistently absent", spec, table, words)
