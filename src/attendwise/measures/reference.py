"""Published reference figures: national, regional, LA and statistical-neighbour comparators.

attendwise ships England's headline absence figures for 2022/23 and 2023/24 (DfE census) and 2024/25
(DfE daily data); see ``data/README.md``. An LA loads more from the DfE's own CSV files, in either
layout the DfE publishes:

* the census "absence rates by geographic level" files (``sess_overall_percent``,
  ``enrolments_pa_10_exact_percent``, ..., with ``school_type`` or ``education_phase``);
* the daily "pupil attendance in schools" files (``overall_absence_perc``, ``pa_perc``, ...).

Rows marked ``c``, ``x``, ``z`` or ``low`` (suppressed or not applicable) are kept as missing values,
not zeros. The DfE's statistical neighbour groups come from its ``sn_*.xlsx`` workbook.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.errors import AttendwiseError
from attendwise.measures.absence import absence_measures, enrolment_absence
from attendwise.store import Store

__all__ = [
    "REFERENCE_MEASURES",
    "ReferenceDataError",
    "compare_with_reference",
    "load_reference_file",
    "load_statistical_neighbours",
    "national_figures",
    "read_dfe_file",
]

REFERENCE_MEASURES = [
    "sess_overall_percent",
    "sess_authorised_percent",
    "sess_unauthorised_percent",
    "enrolments_pa_10_exact_percent",
    "enrolments_pa_50_exact_percent",
]
_PHASES = {
    "total": "Total",
    "primary": "State-funded primary",
    "secondary": "State-funded secondary",
    "special": "Special",
    "state-funded primary": "State-funded primary",
    "state-funded secondary": "State-funded secondary",
    "state-funded mainstream primary": "State-funded primary",
    "state-funded mainstream secondary": "State-funded secondary",
}
_DAILY = {
    "overall_absence_perc": "sess_overall_percent",
    "authorised_absence_perc": "sess_authorised_percent",
    "unauthorised_absence_perc": "sess_unauthorised_percent",
    "pa_perc": "enrolments_pa_10_exact_percent",
    "possible_sessions": "sess_possible",
    "overall_absence": "sess_overall",
}
_SUPPRESSED = ["c", "x", "z", "low", ".", "..", ":", "u"]
TERM_IDENTIFIERS = {"autumn": "Autumn term", "spring": "Spring term", "summer": "Summer term"}


class ReferenceDataError(AttendwiseError):
    """A reference file that cannot be read as a DfE layout."""


def national_figures(time_period: int | None = None) -> pd.DataFrame:
    """Shipped national figures by phase for ``time_period`` (e.g. 202425).

    If that year is not shipped, the latest earlier year is given (or the earliest, for a year
    before them all); the frame's ``time_period`` column says which.
    """
    with resources.files("attendwise.data").joinpath("national.csv").open(encoding="utf-8") as fh:
        frame = pd.read_csv(fh)
    years = sorted(frame.time_period.unique())
    if time_period is None:
        chosen = years[-1]
    else:
        earlier = [y for y in years if y <= time_period]
        chosen = earlier[-1] if earlier else years[0]
    return frame[frame.time_period == chosen].reset_index(drop=True)


def read_dfe_file(path: Path | str) -> pd.DataFrame:
    """Read a DfE absence or attendance CSV into attendwise's reference layout."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, na_values=_SUPPRESSED, keep_default_na=True, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ReferenceDataError(f"{path.name}: cannot be read as CSV ({exc})") from None
    raw.columns = [c.strip().lower() for c in raw.columns]
    raw = raw.rename(columns=_DAILY)
    phase_col = next((c for c in ("education_phase", "school_type") if c in raw), None)
    needed = {"time_period", "geographic_level", "sess_overall_percent"}
    if phase_col is None or not needed <= set(raw.columns):
        missing = sorted(needed - set(raw.columns)) or ["education_phase or school_type"]
        raise ReferenceDataError(f"{path.name}: not a DfE absence file (missing {', '.join(missing)})")
    out = pd.DataFrame(
        {
            "time_period": pd.to_numeric(raw.time_period, errors="coerce"),
            "time_identifier": raw.get("time_identifier", pd.Series("Academic year", index=raw.index)).fillna(
                "Academic year"
            ),
            "geographic_level": raw.geographic_level,
            "old_la_code": raw.get("old_la_code", pd.Series(dtype=str)).str.replace(r"\.0$", "", regex=True),
            "la_name": raw.get("la_name"),
            "region_name": raw.get("region_name"),
            "education_phase": raw[phase_col].str.strip().str.lower().map(_PHASES).fillna(raw[phase_col]),
        }
    )
    for col in ["enrolments", "sess_possible", "sess_overall", *REFERENCE_MEASURES]:
        out[col] = pd.to_numeric(raw[col], errors="coerce") if col in raw else float("nan")
    out["source"] = path.name
    return out.dropna(subset=["time_period"]).astype({"time_period": "int64"})


def load_reference_file(store: Store, path: Path | str) -> int:
    """Load a DfE file into the store's reference figures, replacing rows from a file of the same name."""
    frame = read_dfe_file(path)
    store.replace_reference_figures(Path(path).name, frame, _STORED_COLUMNS)
    return len(frame)


#: The columns of a file's figures as the store keeps them, in the table's order.
_STORED_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "old_la_code",
    "la_name",
    "region_name",
    "education_phase",
    "enrolments",
    "sess_possible",
    "sess_overall",
    "sess_overall_percent",
    "sess_authorised_percent",
    "sess_unauthorised_percent",
    "enrolments_pa_10_exact_percent",
    "enrolments_pa_50_exact_percent",
    "source",
)


def load_statistical_neighbours(store: Store, path: Path | str) -> int:
    """Load the DfE's statistical neighbour groups (``sn_*.xlsx``, sheet "LA SN Groups")."""
    path = Path(path)
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=str)
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(f"{path.name}: cannot be read as a workbook ({exc})") from None
    header_row = next((i for i, row in sheet.iterrows() if str(row.iloc[0]).strip().lower() == "la num"), None)
    if header_row is None:
        raise ReferenceDataError(f"{path.name}: no 'LA num' header row (is this the DfE statistical neighbours file?)")
    header = [str(h).strip() for h in sheet.iloc[header_row]]
    rows = []
    for _, row in sheet.iloc[header_row + 1 :].iterrows():
        la = str(row.iloc[0]).strip()
        if not la.isdigit():
            continue
        for rank in range(1, 11):
            idx = header.index(f"SN{rank}")
            neighbour = str(row.iloc[idx]).strip()
            if neighbour.isdigit():
                rows.append((la, neighbour, rank, str(row.iloc[idx + 1]).strip()))
    store.replace_statistical_neighbours(rows)
    return len(rows)


def _identifier(period: Period) -> str | None:
    if period.census and period.start == period.academic_year.start:
        return "Academic year"
    for term, label in TERM_IDENTIFIERS.items():
        if period.census and (period.start, period.end) == period.academic_year.term(term):
            return label
    return None


def _totals(ref: pd.DataFrame) -> pd.DataFrame:
    """The 'Total' row of every area, pooled from its phases where the file gives none.

    Rates are pooled from sessions (exact); persistent and severe absence rates are weighted by
    enrolments (the DfE's daily files give enrolments as daily averages, so this is close, not exact).
    """
    keys = ["geographic_level", "old_la_code", "la_name", "region_name", "source"]
    ref = ref.assign(**{k: ref[k].fillna("") for k in keys})
    given = ref[ref.education_phase == "Total"]
    phases = ref[ref.education_phase != "Total"].merge(given[keys], on=keys, how="left", indicator=True)
    phases = phases[phases["_merge"] == "left_only"].drop(columns="_merge")
    pooled = []
    for key, g in phases.groupby(keys):
        g = g.dropna(subset=["sess_possible", "sess_overall_percent"])
        if g.empty:
            continue
        w = g.sess_possible
        row = dict(zip(keys, key, strict=True)) | {
            "education_phase": "Total",
            "sess_possible": w.sum(),
            "enrolments": g.enrolments.sum(),
        }
        for m in ("sess_overall_percent", "sess_authorised_percent", "sess_unauthorised_percent"):
            row[m] = (g[m] * w).sum() / w.sum()
        for m in ("enrolments_pa_10_exact_percent", "enrolments_pa_50_exact_percent"):
            ok = g[m].notna() & g.enrolments.notna()
            row[m] = (
                (g.loc[ok, m] * g.loc[ok, "enrolments"]).sum() / g.loc[ok, "enrolments"].sum() if ok.any() else None
            )
        row["sess_overall"] = row["sess_overall_percent"] * row["sess_possible"] / 100
        pooled.append(row)
    out = pd.concat([given, pd.DataFrame(pooled)], ignore_index=True) if pooled else given
    return out.replace({"old_la_code": {"": None}})


def compare_with_reference(
    store: Store, period: Period, la_code: str | None = None, la_name: str | None = None
) -> pd.DataFrame:
    """The LA's measures for a period beside national, regional and statistical-neighbour figures.

    Rows: the LA as attendwise measures it; the LA's own published figure (if loaded); its region;
    England; its statistical neighbours (pooled where sessions are published, with the lowest and
    highest neighbour); and the LA's rank among itself and its neighbours (1 = lowest absence).
    """
    if la_code is None:
        codes = sorted({code for code, _ in store.local_authorities()})
        la_code = codes[0] if len(codes) == 1 else None
    ours = absence_measures(enrolment_absence(store, period)).to_pandas().iloc[0]
    rows = [
        {
            "comparator": la_name or f"LA {la_code}",
            "basis": "attendwise, from the registers",
            **{m: ours[m] for m in REFERENCE_MEASURES},
        }
    ]
    ident = _identifier(period)
    year = period.academic_year.time_period
    ref = _totals(store.reference_figures(year, ident or ""))
    own = ref[(ref.geographic_level == "Local authority") & (ref.old_la_code == la_code)]
    if not own.empty:
        rows.append(
            {
                "comparator": f"{own.la_name.iloc[0]} (published)",
                "basis": own.source.iloc[0],
                **own[REFERENCE_MEASURES].iloc[0].to_dict(),
            }
        )
        region = ref[(ref.geographic_level == "Regional") & (ref.region_name == own.region_name.iloc[0])]
        if not region.empty:
            rows.append(
                {
                    "comparator": region.region_name.iloc[0],
                    "basis": region.source.iloc[0],
                    **region[REFERENCE_MEASURES].iloc[0].to_dict(),
                }
            )
    national = ref[ref.geographic_level == "National"]
    if not national.empty:
        rows.append(
            {
                "comparator": "England",
                "basis": national.source.iloc[0],
                **national[REFERENCE_MEASURES].iloc[0].to_dict(),
            }
        )
    elif ident == "Academic year":
        shipped = national_figures(year)
        if int(shipped.time_period.iloc[0]) == year:
            total = shipped[shipped.education_phase == "Total"].iloc[0]
            rows.append(
                {"comparator": "England", "basis": total.source, **{m: total.get(m) for m in REFERENCE_MEASURES}}
            )
    neighbours = store.statistical_neighbours(la_code) if la_code else []
    sn = ref[(ref.geographic_level == "Local authority") & ref.old_la_code.isin(neighbours)]
    if not sn.empty:
        pooled = (
            100 * sn.sess_overall.sum() / sn.sess_possible.sum()
            if sn.sess_possible.notna().all()
            else sn.sess_overall_percent.mean()
        )
        rows.append(
            {
                "comparator": f"Statistical neighbours ({len(sn)})",
                "basis": "pooled sessions" if sn.sess_possible.notna().all() else "mean of published rates",
                **sn[REFERENCE_MEASURES].mean().to_dict(),
                "sess_overall_percent": pooled,
            }
        )
        rows.append(
            {
                "comparator": "Lowest neighbour",
                "basis": sn.loc[sn.sess_overall_percent.idxmin(), "la_name"],
                **sn[REFERENCE_MEASURES].min().to_dict(),
            }
        )
        rows.append(
            {
                "comparator": "Highest neighbour",
                "basis": sn.loc[sn.sess_overall_percent.idxmax(), "la_name"],
                **sn[REFERENCE_MEASURES].max().to_dict(),
            }
        )
        rank = int((sn.sess_overall_percent < ours.sess_overall_percent).sum()) + 1
        rows.append(
            {"comparator": "Rank among itself and neighbours (1 = lowest absence)", "basis": f"{rank} of {len(sn) + 1}"}
        )
    return pd.DataFrame(rows)
