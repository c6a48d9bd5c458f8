"""The demo city's files, in the attendwise CSV layout (``docs/csv-layout.md``): ``marks.csv`` (written
year by year with pyarrow, in chunks), ``pupils.csv`` (one row per enrolment), ``schools.csv``,
``terms.csv``, ``closures.csv`` and ``contacts.csv`` (the rows :mod:`attendwise.demo.families` makes).

With ``until`` the files are cut as they are written (no marks, admissions, leaving dates or closures
after it); the simulation is the same either way.  Imports the city (:mod:`attendwise.demo.pupils`,
:mod:`attendwise.demo.rosters`, :mod:`attendwise.demo.schools`), its calendar (:mod:`attendwise.demo.terms`)
its codes and data, and the :class:`~attendwise.demo.spec.CitySpec`; it is the one module of the package
that writes files.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from attendwise.demo.codes import CODE_LUT, CODE_STRINGS
from attendwise.demo.families import CONTACT_COLUMNS
from attendwise.demo.population import ETH_CODES, FORENAME_LIST, NEEDS, SURNAME_LIST
from attendwise.demo.pupils import City
from attendwise.demo.rosters import Records
from attendwise.demo.schools import PHASE_NAMES, Schools
from attendwise.demo.spec import CitySpec
from attendwise.demo.terms import YearCalendar, day_number

#: ``nc_year`` as written: R, 1 .. 13.
_NC_LABELS = ["R", *[str(n) for n in range(1, 14)]]

_MARKS_SCHEMA = pa.schema(
    [
        ("upn", pa.dictionary(pa.int32(), pa.string())),
        ("urn", pa.int64()),
        ("date", pa.date32()),
        ("session", pa.dictionary(pa.int8(), pa.string())),
        ("code", pa.dictionary(pa.int8(), pa.string())),
    ]
)
_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=1 << 20)


@contextmanager
def marks_file(path: Path) -> Iterator[pacsv.CSVWriter]:
    """Open ``marks.csv`` for writing year by year: written to ``marks.csv.part`` and put in place at the end."""
    part = path.with_suffix(".csv.part")
    with part.open("wb") as f:
        f.write(b"upn,urn,date,session,code\n")
        with pacsv.CSVWriter(f, _MARKS_SCHEMA, write_options=_CSV_OPTIONS) as sink:
            yield sink
    part.replace(path)


def write_marks_year(
    sink: pacsv.CSVWriter,
    city: City,
    upn_dict: pa.Array,
    cal: YearCalendar,
    rec: Records,
    am: np.ndarray,
    pm: np.ndarray,
    chunk_cells: int = 4_000_000,
    on_chunk: Callable[[float], None] | None = None,
    until: dt.date | None = None,
) -> int:
    """Write one year's marks (the ``am`` and ``pm`` reasons of ``rec`` in ``cal``) in chunks of about
    ``chunk_cells`` cells; return the number written.

    With ``until``, only the days up to it are written (the same rows, in the same order, as
    without it: the cut drops whole day columns before the marks are flattened).
    """
    nd = cal.n_days if until is None else cal.index_of(until, side="right")
    urn = city.schools.urn[rec.school]
    upn_rank = city.upn_rank
    order = np.lexsort((city.enrol["admission"][rec.enrol], upn_rank[rec.pid], urn))
    codes = np.stack([am[order, :nd], pm[order, :nd]], axis=2)  # (n, nd, 2)
    lut = CODE_LUT[cal.code_set]
    sessions = pa.array(["AM", "PM"])
    code_dict = pa.array(CODE_STRINGS)
    pid = rec.pid[order].astype(np.int32)
    urn = urn[order]
    rows_per_chunk = max(1, chunk_cells // (nd * 2))
    written = 0
    for r0 in range(0, rec.n, rows_per_chunk):
        block = codes[r0 : r0 + rows_per_chunk].reshape(-1)
        nz = np.flatnonzero(block)
        row = r0 + nz // (nd * 2)
        rem = nz % (nd * 2)
        day = rem // 2
        session = (rem % 2).astype(np.int8)
        code = lut[session, block[nz]]
        table = pa.Table.from_arrays(
            [
                pa.DictionaryArray.from_arrays(pa.array(pid[row]), upn_dict),
                pa.array(urn[row]),
                pa.array(cal.days[day], type=pa.int32()).view(pa.date32()),
                pa.DictionaryArray.from_arrays(pa.array(session), sessions),
                pa.DictionaryArray.from_arrays(pa.array(code), code_dict),
            ],
            schema=_MARKS_SCHEMA,
        )
        sink.write_table(table)
        written += nz.size
        if on_chunk:
            on_chunk(min(1.0, (r0 + rows_per_chunk) / rec.n))
    return written


def _yn(a: np.ndarray) -> np.ndarray:
    return np.where(a, "Y", "N")


def _write_small_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_pupils(path: Path, city: City, until: dt.date | None = None) -> tuple[int, int]:
    """Write ``pupils.csv``; return the enrolments and distinct pupils written.

    With ``until``, enrolments admitted after it are left out and leaving dates after it blank.
    """
    E, P = city.enrol, city.pupils
    pid = E["pid"]
    order = np.lexsort((E["admission"], city.upn_rank[pid], city.schools.urn[E["school"]]))
    leaving = E["leaving"][order]
    if until is not None:
        cut = day_number(until)
        order = order[E["admission"][order] <= cut]
        leaving = E["leaving"][order]
        leaving = np.where(leaving > cut, -1, leaving)
    pid = pid[order]
    upn = np.asarray(city.upn, dtype=object)
    fore = np.asarray(FORENAME_LIST, dtype=object)
    sur = np.asarray(SURNAME_LIST, dtype=object)
    need_codes = np.asarray(["", *NEEDS], dtype=object)
    cols = {
        "upn": upn[pid],
        "urn": city.schools.urn[E["school"][order]],
        "forename": fore[P["fore"][pid]],
        "surname": sur[P["sur"][pid]],
        "date_of_birth": pa.array(P["dob"][pid].astype(np.int32), type=pa.int32()).view(pa.date32()),
        "sex": np.where(P["sex"][pid] == 1, "M", "F"),
        "ethnicity": np.asarray(ETH_CODES, dtype=object)[P["eth"][pid]],
        "fsm": _yn(E["fsm"][order]),
        "sen": np.asarray(["N", "K", "E"])[E["sen"][order]],
        "sen_primary_need": need_codes[E["need"][order]],
        "first_language": np.asarray(["ENG", "OTH", ""])[P["lang"][pid]],
        "cla": _yn(E["cla"][order]),
        "cin": _yn(E["cin"][order]),
        "cpp": _yn(E["cpp"][order]),
        "nc_year": np.asarray(_NC_LABELS)[E["nc"][order]],
        "admission_date": pa.array(E["admission"][order].astype(np.int32), type=pa.int32()).view(pa.date32()),
        "leaving_date": pa.array(
            leaving.astype(np.int32), type=pa.int32(), mask=leaving < 0
        ).view(pa.date32()),
        "boarder": _yn(E["boarder"][order]),
    }  # fmt: skip
    table = pa.table({k: v if isinstance(v, pa.Array) else pa.array(v) for k, v in cols.items()})
    with path.open("wb") as f:
        f.write((",".join(cols) + "\n").encode())
        pacsv.write_csv(table, f, write_options=_CSV_OPTIONS)
    return int(order.size), int(np.unique(pid).size)


def write_schools(path: Path, schools: Schools, spec: CitySpec) -> None:
    """Write ``schools.csv``, in URN order."""
    order = np.argsort(schools.urn)
    _write_small_csv(
        path,
        ["urn", "name", "phase", "la_code", "la_name"],
        [[str(schools.urn[i]), schools.name[i], PHASE_NAMES[schools.phase[i]], spec.la_code, spec.la_name]
         for i in order],
    )  # fmt: skip


def write_terms(path: Path, cals: list[YearCalendar]) -> None:
    """Write ``terms.csv``: every half term of every year written (whole, even with ``until``)."""
    _write_small_csv(
        path,
        ["academic_year", "term", "half_term", "start_date", "end_date"],
        [[c.label, h.term, str(h.half), h.start.isoformat(), h.end.isoformat()] for c in cals for h in c.half_terms],
    )


def write_closures(path: Path, cals: list[YearCalendar], until: dt.date | None = None) -> None:
    """Write ``closures.csv``, year by year; with ``until``, no closures after it."""
    closure_rows = [
        row for cal in cals for row in _merge_closures([c for c in cal.closures if until is None or c[1] <= until])
    ]
    _write_small_csv(path, ["urn", "start_date", "end_date", "session", "reason"], closure_rows)


def write_contacts(path: Path, rows: list[list[str]]) -> None:
    """Write ``contacts.csv``: the families' parents and carers (:func:`attendwise.demo.families.contact_rows`)."""
    _write_small_csv(path, CONTACT_COLUMNS, rows)


def write_marks_rows(path: Path, rows: list[list[str]]) -> None:
    """Write a small ``marks.csv`` of ``upn, urn, date, session, code`` rows (a correction to marks already held,
    such as the casework demo's planted effects)."""
    _write_small_csv(path, ["upn", "urn", "date", "session", "code"], rows)


def write_cohorts(path: Path, rows: list[list[str]]) -> None:
    """Write ``cohorts.csv``: the priority cohorts' dated memberships (:func:`attendwise.demo.cohorts.cohort_rows`)."""
    _write_small_csv(path, ["upn", "cohort", "start_date", "end_date", "source"], rows)


def ranks(values: list[str]) -> np.ndarray:
    """Each value's place in sorted order (ties in their given order): pupils are written in UPN order."""
    order = np.argsort(np.asarray(values), kind="stable")
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    return rank


def _merge_closures(closures: list[tuple[int | None, dt.date, str, str]]) -> list[list[str]]:
    """Closure rows, merging consecutive days of the same school, session and reason into ranges."""
    rows: list[list[str]] = []
    keyed = sorted(closures, key=lambda c: (c[0] is not None, c[0] or 0, c[2], c[3], c[1]))
    run: list[tuple[int | None, dt.date, str, str]] = []

    def flush() -> None:
        if run:
            urn, first, session, reason = run[0]
            last = run[-1][1]
            rows.append(["" if urn is None else str(urn), first.isoformat(),
                         "" if last == first else last.isoformat(), session, reason])  # fmt: skip

    for c in keyed:
        if run and (c[0], c[2], c[3]) == (run[-1][0], run[-1][2], run[-1][3]) and (c[1] - run[-1][1]).days == 1:
            run.append(c)
        else:
            flush()
            run = [c]
    flush()
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows
