"""Published reference figures to compare an LA against (national, for now).

Shipped: England's headline absence figures for 2022/23 and 2023/24 (DfE census) and 2024/25 (DfE
daily data), in the DfE's column names; see ``reference/README.md`` for sources.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["national_figures"]


def national_figures(time_period: int | None = None) -> pd.DataFrame:
    """National figures by phase for ``time_period`` (e.g. 202425).

    If that year is not shipped, the latest earlier year is given (or the earliest, for a year
    before them all); the frame's ``time_period`` column says which.
    """
    with resources.files("attendwise.reference").joinpath("national.csv").open(encoding="utf-8") as fh:
        frame = pd.read_csv(fh)
    years = sorted(frame.time_period.unique())
    if time_period is None:
        chosen = years[-1]
    else:
        earlier = [y for y in years if y <= time_period]
        chosen = earlier[-1] if earlier else years[0]
    return frame[frame.time_period == chosen].reset_index(drop=True)
