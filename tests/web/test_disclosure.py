"""Nothing a scrutiny member, or whoever receives an export marked for sharing outside the team, can see
gives a suppressed count back.

The attacker here reads every page, export and API answer of a small LA (:func:`build_trust_register`:
an LA with one special school, a looked-after child severely absent, tiny schools) for this year and
last, and writes down every figure: the population it describes (the LA, a phase, a school, a group of
pupils in either), what it counts (pupils, persistent or severe absentees, pupils in a band, sessions)
and whether it is shown or ``x``. Then it tries what a curious scrutiny member would:

* a count shown in one place and hidden in another, or a count under the threshold shown at all;
* a rate beside the count it is built on (3.3% of 90 pupils is 3 pupils);
* adding up and taking away: every total and its parts (a phase and its schools, a group and its
  bands, the looked-after children and the rest within a band, persistent absence and its bands)
  are worked through, and among a total and its parts none or at least two may be hidden that the
  attacker cannot tell otherwise (zeros are told from zeros shown: every part of a zero is zero, and
  a total of zeros is zero; a part whose other parts are zeros is its total). A hidden zero of a group
  big enough to show (hidden only to keep another company) may be worked out: it says nothing of a
  few pupils, and DfE tables show zeros;
* every figure of a group whose pupils are hidden (its absence rate, its trend) stays hidden.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.analysis.disproportionality import CHARACTERISTICS as GROUP_COLUMNS
from attendwise.core.codes import ABSENCE_REASONS
from attendwise.core.cohorts import NOT_IN_COHORT, load_cohorts
from attendwise.measures.absence import GROUPINGS, enrolment_absence
from attendwise.measures.bands import assign_bands
from attendwise.reports.groups import CHARACTERISTIC_NAMES
from attendwise.web.services.cohorts import _LABELS, CHARACTERISTICS
from tests.web.conftest import ASH, CHERRY, DAMSON, GROVE, City

pytestmark = pytest.mark.django_db

THIS, LAST = "2024/25", "2023/24"
THRESHOLD = 5

#: A population: (column, value as text) pairs, the LA for none.
Population = frozenset[tuple[str, str]]
#: A figure: (period, population, what it counts).
Key = tuple[str, Population, str]

#: Columns of the DfE measures that count pupils (the rest count sessions or are rates).
PUPIL_COUNTS = {"enrolments": "enrolments", "enrolments_pa_10_exact": "pa_10", "enrolments_pa_50_exact": "pa_50"}
#: Rates: column -> (numerator, denominator).
RATES = {
    "enrolments_pa_10_exact_percent": ("pa_10", "enrolments"),
    "enrolments_pa_50_exact_percent": ("pa_50", "enrolments"),
    "sess_overall_percent": ("sess_overall", "sess_possible"),
    "sess_authorised_percent": ("sess_authorised", "sess_possible"),
    "sess_unauthorised_percent": ("sess_unauthorised", "sess_possible"),
    "sess_overall_percent_pa_10_exact": ("sess_overall_pa_10_exact", "sess_possible_pa_10_exact"),
    **{f"{r}_rate": (r, "sess_possible") for r in ABSENCE_REASONS},
    **{f"{r}_distribution": (r, "sess_overall") for r in ABSENCE_REASONS},
}
#: The page's labels of the columns of a measures table.
LABELS = {
    "Enrolments": "enrolments",
    "Persistently absent": "pa_10",
    "Severely absent": "pa_50",
    "Persistent absence %": ("pa_10", "enrolments"),
    "Severe absence %": ("pa_50", "enrolments"),
    "Overall absence %": ("sess_overall", "sess_possible"),
    "Authorised %": ("sess_authorised", "sess_possible"),
    "Unauthorised %": ("sess_unauthorised", "sess_possible"),
}
#: The LA's priority cohorts (the shipped ones: the trust LA holds members of both).
COHORTS = load_cohorts()
COLUMN_OF_LABEL = {label: column for column, label in _LABELS.items()} | {c.label: c.column for c in COHORTS}
REASON_OF_LABEL = {label: column for column, label in ABSENCE_REASONS.items()}


def pupils_counted(measure: str) -> bool:
    return measure in ("enrolments", "pa_10", "pa_50") or measure.startswith(("band:", "enrol_"))


@dataclass
class Seen:
    """Every figure one audience can see."""

    shown: dict[Key, set[float]] = field(default_factory=lambda: defaultdict(set))
    hidden: set[Key] = field(default_factory=set)
    #: (numerator, denominator, percentage shown, decimals shown or None for the raw figure)
    rates: list[tuple[Key, Key, float, int | None]] = field(default_factory=list)
    where: dict[Key, set[str]] = field(default_factory=lambda: defaultdict(set))

    def count(self, key: Key, text: object, where: str) -> None:
        text = "" if text is None else str(text).strip().replace(",", "")
        if text in ("", "nan", "None"):
            return
        self.where[key].add(where)
        if text == "x":
            self.hidden.add(key)
        else:
            self.shown[key].add(float(text))

    def rate(self, num: Key, den: Key, text: object, decimals: int | None, where: str) -> None:
        text = "" if text is None else str(text).strip()
        if text in ("", "nan", "None"):
            return
        self.where[num].add(where)
        if text == "x":
            self.hidden.add((num[0], num[1], "rate:" + num[2] + "/" + den[2]))
            return
        self.shown[(num[0], num[1], "rate:" + num[2] + "/" + den[2])].add(float(text.rstrip("%")))
        self.rates.append((num, den, float(text.rstrip("%")), decimals))

    def figure(self, key: Key, text: object, where: str) -> None:
        """A figure of a population that is neither a count nor used in a sum (an absence rate by month)."""
        text = "" if text is None else str(text).strip()
        if text in ("", "nan", "None"):
            return
        self.where[key].add(where)
        if text == "x":
            self.hidden.add(key)
        else:
            self.shown[key].add(float(text.rstrip("%")))


class LA:
    """What the attacker knows of the LA's structure (schools' phases and names; minor ethnic groups'
    major ones) and the truth, to know which published figures add up."""

    def __init__(self, store, periods: dict[str, object]) -> None:
        from attendwise.web.services.figures import band_scheme

        scheme = band_scheme()
        self.bands = [b.key for b in scheme.bands]
        self.band_of_name = {b.name: b.key for b in scheme.bands}
        self.rows = {
            label: assign_bands(enrolment_absence(store, p), scheme).to_pandas() for label, p in periods.items()
        }
        # Split by a priority cohort, a member's enrolment is two rows (inside their dates and the rest):
        # the truth of a population within a cohort's groups is counted from these.
        self.split_rows = {
            (label, c.column): assign_bands(enrolment_absence(store, p, cohort=c), scheme).to_pandas()
            for label, p in periods.items()
            for c in COHORTS
        }
        schools = store.duckdb_connection().execute("SELECT urn, name, phase FROM schools").fetchall()
        from attendwise.core.characteristics import PHASES

        self.phase_of = {str(u): PHASES[p] for u, _, p in schools}
        self.urn_of_name = {n: str(u) for u, n, _ in schools}
        both = pd.concat(self.rows.values())
        self.major_of = dict(zip(both.ethnicity_minor, both.ethnicity_major, strict=True))
        self.la_name = store.duckdb_connection().execute("SELECT DISTINCT la_name FROM schools").fetchall()[0][0]
        # Which bands persistent and severe absence are made of, read from the rows.
        self.atoms: dict[str, frozenset[str]] = {"enrolments": frozenset(self.bands)}
        for flag in ("pa_10", "pa_50"):
            by_band = both.groupby("band")[flag].agg(["min", "max"])
            if (by_band["min"] == by_band["max"]).all():
                self.atoms[flag] = frozenset(b for b in by_band.index if by_band.at[b, "max"] == 1)
        self.atoms |= {f"band:{b}": frozenset([b]) for b in self.bands}
        self._truth: dict[Key, float] = {}
        self._subsets: dict[tuple[str, Population], pd.DataFrame] = {}

    def canon(self, pairs: Iterable[tuple[str, str]]) -> Population | None:
        """The population the pairs describe, written one way (None if there is nobody in it by definition)."""
        pop = dict(pairs)
        pop.pop("old_la_code", None)
        pop.pop("school_name", None)
        if "school_urn" in pop:
            phase = self.phase_of[pop["school_urn"]]
            if pop.pop("education_phase", phase) != phase:
                return None
        if "ethnicity_minor" in pop:
            major = self.major_of.get(pop["ethnicity_minor"])
            if major is not None and pop.pop("ethnicity_major", major) != major:
                return None
        return frozenset(pop.items())

    def _subset(self, period: str, pop: Population) -> pd.DataFrame:
        if (period, pop) not in self._subsets:
            # A cohort's group is taken last, so a population within one is filtered from its split rows.
            pairs = sorted(pop, key=lambda p: (p[0].startswith("cohort_"), p))
            if not pop or (len(pairs) == 1 and pairs[0][0].startswith("cohort_")):
                rows = self.split_rows[(period, pairs[0][0])] if pop else self.rows[period]
                rows = rows.assign(**{c: rows[c].astype(str) for c in GROUP_TEXT if c in rows})
                self._subsets[(period, pop)] = rows[rows[pairs[0][0]] == pairs[0][1]] if pop else rows
            else:
                (col, value), *rest = pairs
                rows = self._subset(period, frozenset(rest))
                self._subsets[(period, pop)] = rows[rows[col] == value]
        return self._subsets[(period, pop)]

    def truth(self, key: Key) -> float:
        if key not in self._truth:
            period, pop, measure = key
            rows = self._subset(period, pop)
            if measure == "enrolments":
                value = len(rows)
            elif measure in ("pa_10", "pa_50"):
                value = rows[measure].sum()
            elif measure.startswith("band:"):
                value = (rows.band == measure[5:]).sum()
            elif measure.startswith("enrol_"):
                sessions = "sess_" + measure.removeprefix("enrol_")
                value = (rows[sessions] > 0).sum()
            elif measure.endswith("_pa_10_exact"):
                value = rows[measure.removesuffix("_pa_10_exact")][rows.pa_10 == 1].sum()
            else:
                value = rows[measure].sum()
            self._truth[key] = float(value)
        return self._truth[key]


#: The columns a population is described by.
GROUP_TEXT = list(dict.fromkeys(c for cols in GROUPINGS.values() for c in cols))


def tables(page: BeautifulSoup) -> Iterator[tuple[str, list[str], list[list[tuple[str, str | None]]]]]:
    """Each table of a page: its caption, its column headers and its rows of (text, link)."""
    for table in page.select("table.govuk-table"):
        caption = table.caption.get_text(" ", strip=True) if table.caption else ""
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        rows = []
        for tr in table.select("tbody tr"):
            cells = tr.select("th, td")
            if len(cells) != len(headers):  # "Nothing to show"
                continue
            rows.append([(c.get_text(" ", strip=True), (c.select_one("a") or {}).get("href")) for c in cells])
        yield caption, headers, rows


def read_measures(seen: Seen, la: LA, period: str, pop: Population | None, record: dict[str, object], where: str):
    """A row of DfE measure columns (a CSV or API row) for the population."""
    if pop is None:
        return
    for column, value in record.items():
        if column in PUPIL_COUNTS:
            seen.count((period, pop, PUPIL_COUNTS[column]), value, where)
        elif column in RATES:
            num, den = RATES[column]
            seen.rate((period, pop, num), (period, pop, den), value, None, where)
        elif column == "sess_attendance_percent":
            seen.figure((period, pop, "rate:attendance"), value, where)
        elif column.startswith("enrol_") or column.startswith("sess_"):
            seen.count((period, pop, column), value, where)


def read_labelled(seen: Seen, la: LA, period: str, pop: Population, record: dict[str, str], where: str) -> None:
    """A row of a page's measures table (columns by their labels)."""
    for label, value in record.items():
        what = LABELS.get(label)
        if isinstance(what, str):
            seen.count((period, pop, what), value, where)
        elif what is not None:
            seen.rate((period, pop, what[0]), (period, pop, what[1]), value, 1, where)
        elif label in la.band_of_name:
            seen.count((period, pop, f"band:{la.band_of_name[label]}"), value, where)


def read_headlines(seen: Seen, page: BeautifulSoup, period: str, pop: Population, where: str) -> None:
    for item in page.select(".aw-headline__item"):
        value = item.select_one(".aw-headline__value").get_text(strip=True)
        label = item.select_one(".aw-headline__label").get_text(strip=True)
        measure = "pa_10" if label.startswith("Persistent") else "pa_50" if label.startswith("Severe") else None
        if label.startswith("Enrolments"):
            seen.count((period, pop, "enrolments"), value, where)
        elif label.startswith("Overall"):
            seen.rate((period, pop, "sess_overall"), (period, pop, "sess_possible"), value, 1, where)
        elif measure:
            seen.rate((period, pop, measure), (period, pop, "enrolments"), value, 1, where)
        for compare in item.select(".aw-headline__compare"):
            text = compare.get_text(strip=True)
            found = re.search(r"(?:than|as) (\d{4}/\d{2}) \(([\d.]+)%\)", text)
            if found and found.group(1) == LAST and measure:
                seen.rate((LAST, pop, measure), (LAST, pop, "enrolments"), found.group(2), 1, where)
            elif found and found.group(1) == LAST:
                seen.rate((LAST, pop, "sess_overall"), (LAST, pop, "sess_possible"), found.group(2), 1, where)


def read_page(seen: Seen, la: LA, html: bytes, period: str, where: str, *, school: str | None = None) -> None:
    """Every figure of an LA overview, schools, school or cohorts page."""
    page = BeautifulSoup(html, "html.parser")
    base = la.canon([("school_urn", school)] if school else [])
    assert base is not None
    if page.select(".aw-headline__item"):
        read_headlines(seen, page, period, base, where)
    for caption, headers, rows in tables(page):
        for row in rows:
            text = dict(zip(headers, [t for t, _ in row], strict=False))
            links = dict(zip(headers, [h for _, h in row], strict=False))
            if caption.startswith("Headline absence"):
                if text["Area"].startswith("England"):
                    continue
                pop = la.canon([] if text["Phase"] == "Total" else [("education_phase", text["Phase"])])
                read_labelled(seen, la, period, pop, text, where)
            elif caption.startswith("Overall absence by month"):
                for header, value in text.items():
                    if header == "Month":
                        continue
                    name, year = header.removesuffix(": overall absence %").rsplit(" ", 1)
                    if name in ("Local authority", la.la_name):
                        who = la.canon([])
                    else:
                        who = la.canon([("school_urn", la.urn_of_name[name])])
                    seen.figure((year, who, f"month:{text['Month']}"), value, where)
            elif caption.startswith("Pupils in each attendance band,"):
                band = la.band_of_name[text["Band"]]
                seen.count((period, base, f"band:{band}"), text["Pupils"], where)
                seen.rate((period, base, f"band:{band}"), (period, base, "enrolments"), text["%"], 1, where)
            elif caption.startswith("Groups over-represented"):
                key = next(k for k, v in CHARACTERISTIC_NAMES.items() if v == text["Characteristic"])
                value = text["Group"].removeprefix("Year ") if key == "year" else text["Group"]
                column = GROUP_COLUMNS[key]
                pop = la.canon([*base, (column, value)])
                seen.count((period, pop, "enrolments"), text["Pupils"], where)
                seen.rate((period, pop, "pa_10"), (period, pop, "enrolments"), text["Persistently absent %"], 1, where)
            elif caption.startswith(("Schools with the highest", "Schools,")):
                urn = text.get("URN") or links["School"].rstrip("/").rsplit("/", 1)[1]
                read_labelled(seen, la, period, la.canon([("school_urn", urn)]), text, where)
            elif caption.startswith("The LA's priority cohorts"):
                read_priority_cohort(seen, period, text, where)
            elif caption.startswith("Most common reasons"):
                reason = REASON_OF_LABEL[text["Reason"]]
                seen.count((period, base, reason), text["Sessions"], where)
                seen.rate(
                    (period, base, reason), (period, base, "sess_possible"), text["% of possible sessions"], 2, where
                )
                seen.rate((period, base, reason), (period, base, "sess_overall"), text["% of all absence"], 1, where)
            elif " beside the LA and England" in caption:
                area = text["Area"]
                if area.startswith("England"):
                    continue
                if area in la.urn_of_name:
                    pop = la.canon([("school_urn", la.urn_of_name[area])])
                else:
                    phase = next(p for p in set(la.phase_of.values()) if area.endswith(f" {p.lower()} schools"))
                    pop = la.canon([("education_phase", phase)])
                read_labelled(seen, la, period, pop, text, where)
            elif caption.startswith("By "):
                column = COLUMN_OF_LABEL[headers[0]]
                pop = la.canon([*base, (column, text[headers[0]])])
                read_labelled(seen, la, period, pop, text, where)
            elif "nearest to it in free school meals share" in caption or caption.endswith(
                ("to compare it with", "its free school meals share beside it")
            ):
                urn = la.urn_of_name[text["School"].removesuffix(" (this school)")]
                pop = la.canon([("school_urn", urn)])
                read_labelled(seen, la, period, pop, text, where)
                fsm = la.canon([("school_urn", urn), ("fsm", "FSM eligible")])
                seen.rate((period, fsm, "enrolments"), (period, pop, "enrolments"), text["FSM eligible %"], 1, where)
            elif caption.startswith(("Absence by ", "Pupils in each attendance band by ")):
                groups = [h for h in headers if h in COLUMN_OF_LABEL]
                pop = la.canon([*base, *((COLUMN_OF_LABEL[h], text[h]) for h in groups)])
                if pop is not None:
                    read_labelled(seen, la, period, pop, text, where)
            else:
                raise AssertionError(f"a table the attacker cannot read: {caption}")


def read_priority_cohort(seen: Seen, period: str, text: dict[str, str], where: str) -> None:
    """A row of the LA overview's priority cohorts: a cohort's members LA-wide, and everyone else's rates."""
    column = COLUMN_OF_LABEL[text["Priority cohort"]]
    for group, prefix in ((text["Priority cohort"], ""), (NOT_IN_COHORT, "Everyone else: ")):
        pop: Population = frozenset([(column, group)])
        if not prefix:
            seen.count((period, pop, "enrolments"), text["Pupils"], where)
        overall = text[prefix + "Overall absence %"]
        seen.rate((period, pop, "sess_overall"), (period, pop, "sess_possible"), overall, 1, where)
        for measure, label in (("pa_10", "Persistent absence %"), ("pa_50", "Severe absence %")):
            seen.rate((period, pop, measure), (period, pop, "enrolments"), text[prefix + label], 1, where)


def is_group(column: str) -> bool:
    return column not in PUPIL_COUNTS and column not in RATES and not column.startswith(("enrol_", "sess_"))


def read_csv(seen: Seen, la: LA, text: str, where: str, *, school: str | None = None) -> None:
    for record in csv.DictReader(io.StringIO(text)):
        period = record.pop("time_identifier")
        groups = [(c, v) for c, v in record.items() if is_group(c)]
        pop = la.canon([*groups, *([("school_urn", school)] if school else [])])
        read_measures(seen, la, period, pop, record, where)


def read_api(seen: Seen, la: LA, answer: dict, where: str, *, school: str | None = None) -> None:
    for record in answer["rows"]:
        groups = [(c, str(v)) for c, v in record.items() if is_group(c)]
        pop = la.canon([*groups, *([("school_urn", school)] if school else [])])
        read_measures(seen, la, answer["period"], pop, record, where)


# --- What the attacker works out -------------------------------------------------------------------


def derive(seen: Seen) -> dict[Key, float]:
    """Every count the attacker knows: shown, or given back by a rate beside what it is built on."""
    known = {k: next(iter(v)) for k, v in seen.shown.items() if not k[2].startswith("rate:")}
    for _ in range(3):
        for num, den, percent, decimals in seen.rates:
            if num in known or den not in known:
                continue
            exact = percent * known[den] / 100
            if decimals is None or known[den] * 0.5 * 10**-decimals / 100 < 0.5:
                known[num] = round(exact)
    return known


def relations(seen: Seen, la: LA, keys: set[Key]) -> Iterator[tuple[Key, list[Key]]]:
    """Every total among the published figures with its published parts, where they add up."""
    by_measure: dict[tuple[str, str], set[Population]] = defaultdict(set)
    for period, pop, measure in keys:
        if not measure.startswith(("rate:", "month:")):
            by_measure[(period, measure)].add(pop)
    # Down: a population split by one more characteristic (a phase into its schools, a group into years).
    for (period, measure), pops in by_measure.items():
        splits: dict[tuple[Population, str], list[Population]] = defaultdict(list)
        for pop in pops:
            for column, value in pop:
                rest = [p for p in pop if p[0] != column]
                parents = [la.canon(rest)]
                if column == "school_urn":
                    parents.append(la.canon([*rest, ("education_phase", la.phase_of[value])]))
                if column == "ethnicity_minor":
                    parents.append(la.canon([*rest, ("ethnicity_major", la.major_of[value])]))
                for parent in parents:
                    if parent is not None:
                        splits[(parent, column)].append(pop)
        for (parent, _), parts in splits.items():
            total = (period, parent, measure)
            if parent in pops and la.truth(total) == sum(la.truth((period, p, measure)) for p in parts):
                yield total, [(period, p, measure) for p in parts]
    # Across: the bands of a population, persistent and severe absence as bands; sessions by reason.
    measures_of: dict[tuple[str, Population], set[str]] = defaultdict(set)
    for period, pop, measure in keys:
        measures_of[(period, pop)].add(measure)
    for (period, pop), measures in measures_of.items():
        atoms = {m: la.atoms[m] for m in measures if m in la.atoms}
        for total, whole in atoms.items():
            for parts in covers(whole, {m: a for m, a in atoms.items() if m != total and a < whole}):
                yield (period, pop, total), [(period, pop, m) for m in parts]
        for total, prefix in (("sess_authorised", "sess_auth_"), ("sess_unauthorised", "sess_unauth_")):
            parts = [m for m in measures if m.startswith(prefix) and m in ABSENCE_REASONS]
            adds_up = total in measures and parts
            if adds_up and la.truth((period, pop, total)) == sum(la.truth((period, pop, m)) for m in parts):
                yield (period, pop, total), [(period, pop, m) for m in parts]


def covers(whole: frozenset[str], pieces: dict[str, frozenset[str]]) -> Iterator[list[str]]:
    """Every way of making ``whole`` out of disjoint ``pieces``."""
    if not whole:
        yield []
        return
    first = min(whole)
    for name, atoms in sorted(pieces.items()):
        if first in atoms and atoms <= whole:
            rest = {n: a for n, a in pieces.items() if not a & atoms}
            for more in covers(whole - atoms, rest):
                yield [name, *more]


def leaks(seen: Seen, la: LA) -> list[str]:
    """Every way the attacker finds of working a suppressed figure out."""
    found: list[str] = []
    direct = derive(seen)
    known = dict(direct)
    published = set(seen.shown) | seen.hidden
    counts = {k for k in published if not k[2].startswith(("rate:", "month:"))}
    # Zeros: every part of a total known to be zero is zero, and a total of zeros is zero (a zero
    # shown says as much of every group inside it, and DfE tables show zeros). The same pupils: a part whose other
    # parts are all known zeros is its total (hidden or not, it says nothing the total does not).
    rels = list(relations(seen, la, counts))
    for _ in range(5):
        for total, parts in rels:
            if known.get(total) == 0:
                known.update(dict.fromkeys(parts, 0.0))
            if all(known.get(p) == 0 for p in parts):
                known[total] = 0.0
            open_ = [p for p in parts if known.get(p) != 0]
            if len(open_) == 1 and (total in known) != (open_[0] in known):
                value = known.get(total, known.get(open_[0]))
                known[total] = known[open_[0]] = value  # type: ignore[assignment]

    def big_enough(key: Key) -> bool:
        """A group big enough to show (hidden only to keep another company): its zeros say nothing of
        a few pupils, and DfE tables show zeros."""
        return la.truth((key[0], key[1], "enrolments")) >= THRESHOLD

    def where(key: Key) -> str:
        return ", ".join(sorted(seen.where.get(key, {"?"}))[:2])

    def name(key: Key) -> str:
        period, pop, measure = key
        return f"{measure} of {dict(sorted(pop)) or 'the LA'} in {period}"

    for key in seen.hidden & set(direct):
        if not key[2].startswith(("rate:", "month:")):
            found.append(f"{name(key)} is hidden ({where(key)}) but shown or given back by a rate: {direct[key]:g}")
    for key, value in known.items():
        if pupils_counted(key[2]) and 0 < value < THRESHOLD:
            found.append(f"{name(key)} = {value:g} can be seen or worked out ({where(key)})")
    for total, parts in rels:
        unknown = [k for k in (total, *parts) if k not in known]
        if len(unknown) == 1 and not (la.truth(unknown[0]) == 0 and big_enough(unknown[0])):
            k = unknown[0]
            found.append(
                f"{name(k)} ({where(k)}) is {la.truth(k):g}: {name(total)} less its other parts "
                f"({', '.join(dict(sorted(p[1])).__repr__() + ' ' + p[2] for p in parts if p != k)[:300]})"
            )
    # Every figure of a group whose pupils are hidden stays hidden.
    for period, pop, measure in seen.shown:
        whole = (period, pop, "enrolments")
        if measure != "enrolments" and whole in seen.hidden and whole not in known:
            found.append(f"{name((period, pop, measure))} is shown though the group's pupils are hidden")
    return sorted(set(found))


# --- Reading everything ---------------------------------------------------------------------------


def get(client, url: str) -> object:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response


def groupings(schools: list[str]) -> Iterator[tuple[str, str, str | None]]:
    """(by, then, school) for the cohort page: every characteristic, for the LA and each school; and
    every characteristic beside looked after and beside phase for the LA, beside looked after for each
    school (the pairs behind the issue; every pair of every school is more than a test can wait for)."""
    keys = list(CHARACTERISTICS)
    for school in (None, *schools):
        for by in keys:
            yield by, "", school
        for then in keys:
            if then != "cla":
                yield "cla", then, school
    for then in keys:
        if then not in ("cla", "phase"):
            yield "phase", then, None


def cohort_groupings(schools: list[str]) -> Iterator[tuple[str, str, str | None]]:
    """(by, then, school) for the cohort page by each priority cohort: alone, for the LA and each school;
    beside looked after for each school, and beside a few characteristics for the LA. With them, the
    tables without the cohort they add up to (for last year, which :func:`groupings` does not read), as
    a scrutiny member could open them too."""
    besides = ("phase", "year", "sex", "fsm")
    for cohort in COHORTS:
        for school in (None, *schools):
            yield cohort.grouping, "", school
            yield cohort.grouping, "cla", school
        for then in besides:
            yield cohort.grouping, then, None
    for school in (None, *schools):
        yield "cla", "", school
    for by in besides:
        yield by, "", None


def read_everything(client, la: LA, *, pages: bool, suppress: str) -> Seen:
    """Everything one audience gets: a scrutiny member's pages and exports (``pages``), or an officer's
    exports marked for sharing (``suppress="&suppress=1"``)."""
    seen = Seen()
    schools = sorted(la.phase_of)
    for period in (THIS, LAST):
        q = f"?period={period}{suppress}"
        if pages:
            read_page(seen, la, get(client, reverse("la_overview") + q).content, period, "LA overview")
            read_page(seen, la, get(client, reverse("schools") + q).content, period, "schools")
            for urn in schools:
                html = get(client, reverse("school", args=[int(urn)]) + q).content
                read_page(seen, la, html, period, f"school {urn}", school=urn)
        read_csv(seen, la, get(client, reverse("la_schools_csv") + q).content.decode(), "schools CSV")
        for urn in schools:
            answer = json.loads(get(client, reverse("api_school_measures", args=[int(urn)]) + q).content)
            read_api(seen, la, answer, f"API school {urn}", school=urn)
        answer = json.loads(get(client, reverse("api_la_measures") + q).content)
        read_api(seen, la, answer, "API LA")
        every = list(dict.fromkeys([*(groupings(schools) if period == THIS else []), *cohort_groupings(schools)]))
        for by, then, school in every:
            params = f"{q}&by={by}&then={then}" + (f"&school={school}" if school else "")
            label = f"cohorts {by} {then} {school or ''}"
            if pages:
                read_page(seen, la, get(client, reverse("cohorts") + params).content, period, label, school=school)
            read_csv(seen, la, get(client, reverse("cohorts_csv") + params).content.decode(), label, school=school)
            cols = ",".join(c for c in (by, then) if c)
            if then:  # the API answers what the CSV does
                continue
            if school:
                url = reverse("api_school_measures", args=[int(school)]) + f"{q}&by={cols}"
                read_api(seen, la, json.loads(get(client, url).content), "API " + label, school=school)
            else:
                url = reverse("api_la_measures") + f"{q}&by={cols}"
                read_api(seen, la, json.loads(get(client, url).content), "API " + label)
    return seen


@pytest.fixture
def trust_la(in_trust_city: City) -> LA:
    from attendwise.web.services.data import get_access
    from attendwise.web.services.periods import resolve_period

    store = get_access().store()
    return LA(store, {p: resolve_period(store, p) for p in (THIS, LAST)})


def test_the_attacker_reads_what_it_should(client_as, trust_la: LA) -> None:
    """The LA has what the attacker is after, and the attacker reads the pages right: every figure it
    takes as shown is the true one (so the attacks below are on the real figures)."""
    assert trust_la.truth((THIS, trust_la.canon([("education_phase", "Special")]), "pa_50")) == 3
    assert trust_la.truth((THIS, trust_la.canon([("cla", "Looked after")]), "pa_50")) == 1
    c = client_as("scrutiny")
    seen = Seen()
    read_page(seen, trust_la, get(c, reverse("la_overview")).content, THIS, "LA overview")
    read_page(seen, trust_la, get(c, reverse("school", args=[GROVE])).content, THIS, "school", school=str(GROVE))
    read_page(seen, trust_la, get(c, reverse("cohorts") + "?by=cla").content, THIS, "cohorts")
    # The priority cohorts: EBSA's 8 this year (two of them for one week), youth justice's 2 at Fir.
    ebsa, youth = (trust_la.canon([(c.column, c.label)]) for c in COHORTS)
    assert trust_la.truth((THIS, ebsa, "enrolments")) == 8
    assert trust_la.truth((LAST, ebsa, "enrolments")) == 5
    assert trust_la.truth((THIS, youth, "enrolments")) == 2
    for by in ("cohort:ebsa", "cohort:ebsa&then=phase", "cohort:youth_justice&then=cla"):
        read_page(seen, trust_la, get(c, reverse("cohorts") + "?by=" + by).content, THIS, "cohorts " + by)
    assert (THIS, ebsa, "enrolments") in seen.shown and (THIS, youth, "enrolments") in seen.hidden
    assert len(seen.shown) > 50
    for key, values in seen.shown.items():
        if not key[2].startswith(("rate:", "month:")):
            assert values == {trust_la.truth(key)}, key


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["scrutiny", "shared exports"])
def test_no_suppressed_count_can_be_worked_out(client_as, trust_la: LA, audience: str) -> None:
    """Everything a scrutiny member sees (pages, exports, API), or an officer's exports marked for
    sharing, for this year and last: no hidden count is shown elsewhere, given back by its rate, or the
    difference of a total and its other parts."""
    if audience == "scrutiny":
        seen = read_everything(client_as("scrutiny"), trust_la, pages=True, suppress="")
    else:
        seen = read_everything(client_as("officer"), trust_la, pages=False, suppress="&suppress=1")
    assert seen.hidden, "nothing is suppressed: the attacker read nothing"
    # The priority cohorts' tables were read: youth justice's two pupils hidden, EBSA's this year's part-year
    # members split from everyone else, by school too.
    ebsa, youth = (trust_la.canon([(c.column, c.label)]) for c in COHORTS)
    assert (THIS, youth, "enrolments") in seen.hidden and (THIS, ebsa, "enrolments") in seen.shown
    by_school = {k for k in seen.hidden if k[0] == THIS and len(k[1]) == 2 and dict(k[1]).get("cohort_ebsa")}
    assert any("school_urn" in dict(k[1]) for k in by_school)
    if audience == "scrutiny":
        assert "LA overview" in seen.where[(THIS, youth, "enrolments")]
    found = leaks(seen, trust_la)
    assert not found, f"{len(found)} ways to work out suppressed figures:\n" + "\n".join(found[:40])


@pytest.mark.parametrize("period", ["", "?period=2023/24", "?period=2024/25-autumn", "?period=2023/24-autumn"])
def test_every_page_answers_a_scrutiny_member(client_as, in_trust_city: City, period: str) -> None:
    """Every page a scrutiny member may see answers on an LA with tiny schools (Cherry had 3 pupils
    last year and 6 this year, Damson the other way round), whatever is compared with a suppressed figure."""
    c = client_as("scrutiny")
    urls = [reverse("la_overview"), reverse("schools"), reverse("la_schools_csv"), reverse("api_la_measures")]
    for urn in (ASH, CHERRY, DAMSON, GROVE):
        urls += [reverse("school", args=[urn]), reverse("api_school_measures", args=[urn])]
    urls += [reverse("cohorts") + "?by=cla&then=phase", reverse("cohorts_csv") + "?by=year&school=200003"]
    for url in urls:
        full = url + (("&" if "?" in url else "?") + period[1:] if period else "")
        assert c.get(full).status_code == 200, full


def test_a_comparison_with_a_suppressed_figure_says_so(client_as, in_trust_city: City) -> None:
    """Cherry's 3 pupils last year are suppressed, so this year's rate is not compared with last year's
    (the difference would give it back); Damson's 3 this year are suppressed, so nothing is compared."""
    c = client_as("scrutiny")

    def cards(urn: int) -> dict[str, tuple[str, list[str]]]:
        page = BeautifulSoup(get(c, reverse("school", args=[urn])).content, "html.parser")
        return {
            item.select_one(".aw-headline__label").get_text(strip=True): (
                item.select_one(".aw-headline__value").get_text(strip=True),
                [x.get_text(strip=True) for x in item.select(".aw-headline__compare")],
            )
            for item in page.select(".aw-headline__item")
        }

    value, compared = cards(CHERRY)["Overall absence"]
    assert value.endswith("%")
    assert "Not compared with 2023/24 to 20 Sep: its figure is suppressed (too few pupils)" in compared
    assert not any("2023/24 (" in text for text in compared)
    value, compared = cards(DAMSON)["Overall absence"]
    assert value == "x"
    assert compared and all(text.startswith("Not compared with") for text in compared)


@pytest.mark.parametrize("role", ["officer_a", "school_a", "virtual_school"])
def test_exports_for_sharing_answer_for_every_scope(client_as, role: str) -> None:
    """An export marked for sharing is suppressed within the user's scope (one school's is that school's
    rows of the LA's tables; the Virtual School's children have tables of their own)."""
    c = client_as(role)
    response = c.get(reverse("cohorts_csv") + "?by=fsm&then=sex&suppress=1")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all(r["enrolments"] in ("x", "0") or int(r["enrolments"]) >= THRESHOLD for r in rows)
    if role != "school_a":
        answer = json.loads(c.get(reverse("api_la_measures") + "?by=cla&suppress=1").content)
        assert answer["suppressed"] and answer["suppression_threshold"] == THRESHOLD
        # Suppressed tables go three characteristics deep (the cohort page's two and a school).
        too_fine = c.get(reverse("api_la_measures") + "?by=fsm,sex,cla,cin&suppress=1")
        assert too_fine.status_code == 400 and "at most 3" in too_fine.json()["error"]
