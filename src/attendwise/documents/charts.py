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

__all__ = ["GOVUK_COLOURS", "bar_chart", "line_chart"]

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


def _config(chart: alt.TopLevelMixin) -> dict[str, Any]:
    chart = (
        chart.configure(font=_FONT)
        .configure_axis(labelFontSize=14, titleFontSize=14)
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
) -> dict[str, Any]:
    """Lines of ``y`` over the ordered categories ``x``, one per ``series``."""
    data = _clean(frame[[x, y, series]], y)
    names = list(dict.fromkeys(data[series]))
    chart = (
        alt.Chart(data, width=width, height=260)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X(f"{x}:N", sort=list(x_order), title=x_title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{y}:Q", title=y_title),
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
            x=alt.X(f"{value}:Q", title=value_title),
            color=colour,
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=",.1f")],
        )
    )
    return _config(chart)
