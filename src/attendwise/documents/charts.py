"""Chart specifications (Vega-Lite, written with Altair) drawn from the measures.

Every chart here is paired with a table of the same numbers (:class:`~attendwise.documents.tables.Chart`).
Specs carry their data inline; the browser draws them with the vendored Vega (``static/vendor``).
Suppressed figures (``x``) are left out of a chart, never drawn as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from attendwise.documents.marks import SUPPRESSED

__all__ = ["GOVUK_COLOURS", "bar_chart", "forest_plot", "grouped_bar_chart", "line_chart"]

#: GOV.UK Design System palette, by the colour names band schemes use.
GOVUK_COLOURS = {
    "blue": "#1d70b8",
    "green": "#00703c",
    "yellow": "#ffdd00",
    "orange": "#f47738",
    "red": "#d4351c",
    "purple": "#4c2c92",
    "pink": "#d53880",
    "turquoise": "#28a197",
    "grey": "#505a5f",
    "black": "#0b0c0c",
}
_SERIES = ["#1d70b8", "#f47738", "#505a5f", "#4c2c92", "#00703c", "#d4351c"]
_FONT = "arial, sans-serif"


def _clean(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    out = frame.copy()
    out[value] = pd.to_numeric(out[value].where(out[value] != SUPPRESSED), errors="coerce")
    return out.dropna(subset=[value])


def _value_scale(values: pd.Series, **kw: Any) -> alt.Scale:
    """A value axis from zero; with nothing above zero, zero to one (a domain of one point prints 0.000000)."""
    top = pd.to_numeric(values, errors="coerce").max()
    if pd.isna(top) or top <= 0:
        return alt.Scale(domain=[0, 1], **kw)
    return alt.Scale(zero=True, nice=True, **kw)


def _config(chart: alt.TopLevelMixin) -> dict[str, Any]:
    chart = (
        chart.configure(font=_FONT)
        .configure_axis(labelFontSize=14, titleFontSize=14, labelOverlap=True, labelSeparation=8)
        .configure_axisQuantitative(format="~r", tickMinStep=0.1)
        .configure_legend(labelFontSize=14, titleFontSize=14, orient="bottom")
        .configure_view(stroke=None)
    )
    return chart.to_dict(validate=False)


def line_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    x_order: Sequence[str],
    y_title: str,
    x_title: str = "",
    width: int = 600,
    dates: bool = False,
) -> dict[str, Any]:
    """Lines of ``y`` over the ordered categories ``x``, one per ``series``; with ``dates``, ``x`` is a date
    on a time axis labelled by month, so weekly points never print their dates over each other."""
    data = _clean(frame[[x, y, series]], y)
    names = list(dict.fromkeys(data[series]))
    if dates:
        data = data.assign(**{x: [d.isoformat() if hasattr(d, "isoformat") else str(d) for d in data[x]]})
        x_axis = alt.X(
            f"{x}:T",
            title=x_title,
            axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount={"interval": "month", "step": 1}),
        )
    else:
        x_axis = alt.X(f"{x}:N", sort=list(x_order), title=x_title, axis=alt.Axis(labelAngle=0))
    chart = (
        alt.Chart(data, width=width, height=260)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=x_axis,
            y=alt.Y(f"{y}:Q", title=y_title, scale=_value_scale(data[y])),
            color=alt.Color(f"{series}:N", title=None, scale=alt.Scale(domain=names, range=_SERIES[: len(names)])),
            tooltip=[alt.Tooltip(f"{series}:N"), alt.Tooltip(f"{x}:N"), alt.Tooltip(f"{y}:Q", format=".1f")],
        )
    )
    return _config(chart)


def bar_chart(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    value_title: str,
    colours: Sequence[str] | None = None,
    width: int = 560,
) -> dict[str, Any]:
    """Horizontal bars of ``value`` per ``category``, in the frame's order, optionally coloured per bar."""
    data = _clean(frame[[category, value]], value)
    order = list(dict.fromkeys(frame[category]))
    if colours is not None:
        scale = alt.Scale(domain=order, range=[GOVUK_COLOURS.get(c, c) for c in colours])
        colour = alt.Color(f"{category}:N", scale=scale, legend=None)
    else:
        colour = alt.value(GOVUK_COLOURS["blue"])
    chart = (
        alt.Chart(data, width=width, height=alt.Step(28))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X(f"{value}:Q", title=value_title, scale=_value_scale(data[value])),
            color=colour,
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=",.1f")],
        )
    )
    return _config(chart)


def grouped_bar_chart(
    frame: pd.DataFrame,
    *,
    category: str,
    values: Sequence[tuple[str, str]],
    value_title: str,
    width: int = 560,
) -> dict[str, Any]:
    """Horizontal bars per ``category`` (in the frame's order), one bar for each of ``values`` (column, label)
    side by side, coloured by value with a legend: schools by persistent and severe absence."""
    order = list(dict.fromkeys(frame[category]))
    labels = [label for _, label in values]
    long = frame[[category, *(c for c, _ in values)]].melt(id_vars=[category], var_name="measure", value_name="value")
    long["measure"] = long.measure.map(dict(values))
    data = _clean(long, "value")
    chart = (
        alt.Chart(data, width=width, height=alt.Step(12))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("measure:N", sort=labels),
            x=alt.X("value:Q", title=value_title, scale=_value_scale(data["value"])),
            color=alt.Color(
                "measure:N", title=None, scale=alt.Scale(domain=labels, range=_SERIES[: len(labels)]), sort=labels
            ),
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip("measure:N"), alt.Tooltip("value:Q", format=".1f")],
        )
    )
    return _config(chart)


def forest_plot(
    frame: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    low: str,
    high: str,
    x_title: str,
    reference: float = 1.0,
    width: int = 560,
) -> dict[str, Any]:
    """A forest plot: for each row (in the frame's order) its ``estimate`` as a point and its interval from
    ``low`` to ``high`` as a line, on a log scale, with a rule at ``reference`` (a risk ratio of 1: no
    difference)."""
    data = frame[[label, estimate, low, high]].copy()
    for c in (estimate, low, high):
        data[c] = pd.to_numeric(data[c].where(data[c] != SUPPRESSED), errors="coerce")
    data = data.dropna()
    order = list(dict.fromkeys(data[label]))
    top = max(float(data[high].max()) if len(data) else 2.0, reference * 2)
    bottom = min(float(data[low].min()) if len(data) else 0.5, reference / 2)
    scale = alt.Scale(type="log", domain=[bottom, top], nice=False)
    y = alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    base = alt.Chart(data, width=width, height=alt.Step(28))
    intervals = base.mark_rule(strokeWidth=3, color=GOVUK_COLOURS["grey"]).encode(
        y=y, x=alt.X(f"{low}:Q", title=x_title, scale=scale, axis=alt.Axis(format="~r")), x2=f"{high}:Q"
    )
    points = base.mark_point(filled=True, size=90, shape="diamond", color=GOVUK_COLOURS["blue"]).encode(
        y=y,
        x=alt.X(f"{estimate}:Q", scale=scale),
        tooltip=[
            alt.Tooltip(f"{label}:N"),
            alt.Tooltip(f"{estimate}:Q", format=".2f"),
            alt.Tooltip(f"{low}:Q", format=".2f"),
            alt.Tooltip(f"{high}:Q", format=".2f"),
        ],
    )
    no_difference = (
        alt.Chart(pd.DataFrame({"x": [reference]}))
        .mark_rule(strokeDash=[4, 4], color=GOVUK_COLOURS["black"])
        .encode(x=alt.X("x:Q", scale=scale))
    )
    return _config(alt.layer(intervals, points, no_difference))
