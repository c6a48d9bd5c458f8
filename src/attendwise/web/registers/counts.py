"""The registers' counts for a scrutiny report: CME open by reason, home education by year group, sex and
reason, suspension and exclusion rates per 100 pupils by phase; small numbers suppressed for scrutiny.

Suppression: a count from 1 to the threshold less one shows as ``x``; where a table shows its total and only
one of its counts is hidden, the next smallest count is hidden too, so the total cannot give it away.
Rates are hidden with the counts they are built on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping

from attendwise.core.calendar import AcademicYear
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.tables import Column, Kind, Table
from attendwise.measures.pupils import Enrolment, find_enrolments
from attendwise.registers.exclusions import rate_per_100
from attendwise.registers.marks import rolls
from attendwise.registers.settings import RegistersConfig
from attendwise.store import Store
from attendwise.web.registers import models as m

__all__ = ["count_tables", "suppressed"]


def suppressed(counts: Mapping[str, int], threshold: int | None) -> dict[str, int | object]:
    """The counts with small ones hidden (``threshold`` None: nothing hidden), and a second where one alone is."""
    if not threshold:
        return dict(counts)
    hidden = {k for k, v in counts.items() if 0 < v < threshold}
    if len(hidden) == 1:
        rest = sorted((v, k) for k, v in counts.items() if v > 0 and k not in hidden)
        if rest:
            hidden.add(rest[0][1])
    return {k: SUPPRESSED if k in hidden else v for k, v in counts.items()}


def _table(caption: str, heading: str, counts: Mapping[str, int], threshold: int | None) -> Table:
    shown = suppressed(counts, threshold)
    total = sum(counts.values())
    rows = [(k, shown[k]) for k in counts]
    rows.append(("Total", SUPPRESSED if threshold and 0 < total < threshold else total))
    return Table(caption, (Column("group", heading), Column("count", "Children", Kind.COUNT)), rows, empty="None.")


def count_tables(store: Store, config: RegistersConfig, *, today: dt.date, threshold: int | None) -> list[Table]:
    """Every count table, as at ``today`` (suppressed with ``threshold``, or not): CME by reason, EHE by year group,
    sex and reason, panel referrals by decision, exclusion rates by phase."""
    cme_open = [
        r for r in m.CmeReferral.objects.all() if r.referred_on <= today and (not r.closed_on or r.closed_on > today)
    ]
    ehe_open = [r for r in m.EheEntry.objects.all() if r.started_on <= today and (not r.ended_on or r.ended_on > today)]
    enrolments = find_enrolments(store, [r.enrolment_id for r in ehe_open if r.enrolment_id is not None])
    details = store.pupils_details([e.upn for e in enrolments.values()])

    def by(f, rows: Iterable[m.EheEntry]) -> Counter:
        return Counter(f(r, enrolments.get(r.enrolment_id)) for r in rows)

    def year(_r: m.EheEntry, e: Enrolment | None) -> str:
        return f"Year {e.nc_year}" if e is not None and e.nc_year.isdigit() else (e.nc_year if e else "Not known")

    def sex(_r: m.EheEntry, e: Enrolment | None) -> str:
        found = details.get(e.upn) if e is not None else None
        return {"F": "Female", "M": "Male"}.get(found[3], "Not known") if found else "Not known"

    tables = [
        _table(
            f"Children missing education open on {today:%d %B %Y}, by reason",
            "Reason",
            Counter(config.name_of("cme_reason", r.reason) for r in cme_open),
            threshold,
        ),
        _table(
            f"Children educated at home on {today:%d %B %Y}, by year group",
            "Year group",
            dict(sorted(by(year, ehe_open).items())),
            threshold,
        ),
        _table("Children educated at home, by sex", "Sex", dict(sorted(by(sex, ehe_open).items())), threshold),
        _table(
            "Children educated at home, by reason",
            "Reason",
            Counter(config.name_of("ehe_reason", r.reason) for r in ehe_open),
            threshold,
        ),
    ]
    # Counts over a school year are of the year the registers have marks for (the latest mark's).
    as_at = min(today, store.latest_mark() or today)
    year = AcademicYear.containing(as_at)
    panel = Counter(
        config.name_of("panel_decision", r.decision) if r.decision else "Awaiting the panel"
        for r in m.PanelReferral.objects.filter(referred_on__gte=year.start, referred_on__lte=as_at)
    )
    tables.append(
        _table(f"Extended non-attendance panel referrals in {year.label}, by decision", "Decision", panel, threshold)
    )
    return [*tables, rates_table(store, as_at, threshold)]


def _rate(count: int, pupils: int, places: int) -> float | None:
    rate = rate_per_100(count, pupils, places)
    return None if rate is None else float(rate)


def rates_table(store: Store, today: dt.date, threshold: int | None) -> Table:
    """Suspensions and permanent exclusions this school year per 100 pupils on roll, by phase."""
    year = AcademicYear.containing(today)
    phases = {s.urn: s.phase for s in store.schools()}
    roll: Counter[str] = Counter()
    for urn, n in rolls(store, min(today, year.end)).items():
        roll[phases.get(urn, "")] += n
    susp: Counter[str] = Counter()
    perm: Counter[str] = Counter()
    for r in m.ExclusionRecord.objects.filter(start__gte=year.start, start__lte=min(today, year.end)):
        (perm if r.kind == "permanent" else susp)[phases.get(r.urn, "")] += 1
    rows = []
    for phase in sorted(roll):
        hide_s = bool(threshold) and 0 < susp[phase] < threshold  # type: ignore[operator]
        hide_p = bool(threshold) and 0 < perm[phase] < threshold  # type: ignore[operator]
        rows.append(
            (
                phase.title(),
                roll[phase],
                SUPPRESSED if hide_s else susp[phase],
                SUPPRESSED if hide_s else _rate(susp[phase], roll[phase], 1),
                SUPPRESSED if hide_p else perm[phase],
                SUPPRESSED if hide_p else _rate(perm[phase], roll[phase], 2),
            )
        )
    return Table(
        f"Suspensions and permanent exclusions in {year.label} to {min(today, year.end):%d %B %Y}, per 100 pupils",
        (
            Column("phase", "Phase"),
            Column("pupils", "Pupils on roll", Kind.COUNT),
            Column("suspensions", "Suspensions", Kind.COUNT),
            Column("susp_rate", "Suspension rate", Kind.NUMBER, places=1),
            Column("perm", "Permanent exclusions", Kind.COUNT),
            Column("perm_rate", "Permanent exclusion rate", Kind.NUMBER, places=2),
        ),
        rows,
        notes=(
            "Rates are per 100 pupils on roll, rounded half up (1 decimal place for suspensions, 2 for permanent "
            "exclusions), as the DfE publishes them.",
        ),
        empty="No pupils on roll.",
    )


def dfe_return_tables(store: Store, config: RegistersConfig, *, census: dt.date, level: str = "la") -> list[Table]:
    """The DfE's termly CME and EHE collection as at a census date: counts by sex, year group and reason, each
    rounded on its own to the nearest 10 (``low`` where it rounds to 0 but is not 0), totals from the unrounded
    counts (:func:`attendwise.registers.returns.rounded`)."""
    from attendwise.documents.marks import LOW
    from attendwise.registers.returns import rounded

    cme_open = [
        r for r in m.CmeReferral.objects.all() if r.referred_on <= census and (not r.closed_on or r.closed_on > census)
    ]
    ehe_open = [
        r for r in m.EheEntry.objects.all() if r.started_on <= census and (not r.ended_on or r.ended_on > census)
    ]
    tables = []
    for name, rows, reasons in (
        ("Children missing education", cme_open, "cme_reason"),
        ("Elective home education", ehe_open, "ehe_reason"),
    ):
        enrolments = find_enrolments(store, [r.enrolment_id for r in rows if r.enrolment_id is not None])
        details = store.pupils_details([e.upn for e in enrolments.values()])
        for heading, key in (("Sex", "sex"), ("Year group", "year"), ("Primary reason", "reason")):
            counter: Counter[str] = Counter()
            for r in rows:
                e = enrolments.get(r.enrolment_id) if r.enrolment_id is not None else None
                if key == "reason":
                    counter[config.name_of(reasons, r.reason)] += 1
                elif key == "sex":
                    found = details.get(e.upn) if e is not None else None
                    counter[{"F": "Female", "M": "Male"}.get(found[3], "Not known") if found else "Not known"] += 1
                else:
                    counter[f"Year {e.nc_year}" if e is not None and e.nc_year.isdigit() else "Not known"] += 1
            shown = rounded(dict(sorted(counter.items())), total="Total", level=level)
            tables.append(
                Table(
                    f"{name} at the census date {census:%d %B %Y}, by {heading.lower()} (rounded to the nearest 10)",
                    (Column("group", heading), Column("number", "Number", Kind.COUNT)),
                    [(k, LOW if v == "low" else v) for k, v in shown],
                    notes=(
                        "Each figure rounded on its own; the total is rounded from the unrounded counts, so rows may "
                        "not add up to it. low: rounds to 0 but is not 0.",
                    ),
                )
            )
    return tables
