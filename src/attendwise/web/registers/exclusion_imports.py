"""A school's CSV file of suspensions and permanent exclusions: every row checked; any problem refuses the whole
file, each named by file, line and field, and nothing is stored.

Columns (``docs/registers.md``): ``upn, kind, start, length, reasons, notice_on, ehc_plan, looked_after``:
``kind`` is ``suspension``, ``lunchtime`` or ``permanent``; ``length`` is school days in halves (``2.5``) for a
suspension, the number of lunchtimes for a lunchtime suspension, blank for a permanent exclusion; ``reasons``
are keys of the configured ``[[exclusion_reason]]`` list separated by ``;`` (several may apply).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from attendwise.core.identifiers import IdentifierError, parse_date, show
from attendwise.core.upn import is_valid_upn
from attendwise.measures.pupils import enrolments_of
from attendwise.registers.exclusions import KINDS
from attendwise.registers.settings import RegistersConfig
from attendwise.store import Store
from attendwise.web.registers import models as m
from attendwise.web.registers.imports import FileProblem

__all__ = ["COLUMNS", "read_exclusions", "store_exclusions"]

COLUMNS = ("upn", "kind", "start", "length", "reasons", "notice_on", "ehc_plan", "looked_after")
REQUIRED = ("upn", "kind", "start", "reasons")
_YES, _NO = {"y", "yes", "1", "true"}, {"n", "no", "0", "false", ""}


def _length(kind: str, text: str) -> Decimal:
    if kind == "permanent":
        if text:
            raise IdentifierError("a permanent exclusion has no length: leave it blank")
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise IdentifierError(f"{show(text)} is not a number of school days") from None
    if not value.is_finite() or value <= 0 or value > 45 or (value * 2) % 1 or (kind == "lunchtime" and value % 1):
        what = "a whole number of lunchtimes" if kind == "lunchtime" else "school days in halves, from 0.5 to 45"
        raise IdentifierError(f"{show(text)} is not {what}")
    return value


def _row(store: Store, urn: int, raw: dict[str, str], config: RegistersConfig) -> tuple[dict[str, Any], list]:
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    text = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for name in REQUIRED:
        if not text[name]:
            problems.append((name, "is empty"))
    if problems:
        return values, problems
    upn = text["upn"].upper()
    enrolment = None
    if not is_valid_upn(upn):
        problems.append(("upn", f"{show(upn)} is not a UPN"))
    else:
        enrolment = next((e for e in enrolments_of(store, upn) if e.urn == urn), None)
        if enrolment is None:
            problems.append(("upn", "No pupil with this UPN has been on your school's roll"))
    kind = text["kind"].lower()
    if kind not in KINDS:
        problems.append(("kind", f"{show(text['kind'])} is not one of {', '.join(KINDS)}"))
    for name, parse in (("start", parse_date), ("notice_on", parse_date)):
        try:
            values[name] = parse(text[name]) if text[name] else None
        except IdentifierError as exc:
            problems.append((name, str(exc)))
    if kind in KINDS:
        try:
            values["length"] = _length(kind, text["length"])
        except IdentifierError as exc:
            problems.append(("length", str(exc)))
    reasons = [r.strip() for r in text["reasons"].split(";") if r.strip()]
    keys = {c.key for c in config.choices("exclusion_reason")}
    if unknown := [r for r in reasons if r not in keys]:
        problems.append(
            ("reasons", f"{', '.join(map(show, unknown))} not one of the reasons ({', '.join(sorted(keys))})")
        )
    for name in ("ehc_plan", "looked_after"):
        if text[name].lower() not in _YES | _NO:
            problems.append((name, f"{show(text[name])} is not Y or N"))
    if enrolment is not None and values.get("start") and values["start"] < enrolment.admission_date:
        problems.append(("start", f"is before the pupil's admission on {enrolment.admission_date:%d %B %Y}"))
    if not problems and enrolment is not None:
        names = store.pupil_names([upn]).get(upn, (None, None))
        values |= {
            "upn": upn,
            "enrolment_id": enrolment.enrolment_id,
            "urn": urn,
            "kind": kind,
            "reasons": sorted(set(reasons)),
            "child_name": " ".join(n for n in names if n),
            "ehc_plan": text["ehc_plan"].lower() in _YES,
            "looked_after": text["looked_after"].lower() in _YES or enrolment.cla,
        }
    return values, problems


def read_exclusions(
    store: Store, urn: int, filename: str, data: bytes, config: RegistersConfig
) -> tuple[list[dict[str, Any]], list[FileProblem]]:
    """The file's rows checked, or every problem found in it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [FileProblem(filename, None, None, f"is not UTF-8 text (byte {exc.start + 1})")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if not header or missing or unknown:
        why = f"needs the columns {', '.join(REQUIRED)}"
        if unknown:
            why += f"; it has {', '.join(map(show, unknown))}, which are not columns of a suspensions file"
        return [], [FileProblem(filename, 1, None, why if header else "is empty")]
    reader.fieldnames = header
    rows, problems, seen = [], [], set()
    for raw in reader:
        line = reader.line_num
        if line > 5001:
            problems.append(FileProblem(filename, line, None, "a file may hold at most 5,000 rows"))
            break
        if None in raw:
            problems.append(FileProblem(filename, line, None, "has more values than the header has columns"))
            continue
        values, found = _row(store, urn, raw, config)
        problems += [FileProblem(filename, line, f, msg) for f, msg in found]
        if not found:
            key = (values["upn"], values["start"], values["kind"])
            exists = m.ExclusionRecord.objects.filter(upn=values["upn"], start=values["start"], kind=values["kind"])
            if key in seen or exists.exists():
                problems.append(FileProblem(filename, line, "start", "this suspension is already recorded"))
            seen.add(key)
            rows.append(values)
    if not problems and not rows:
        problems.append(FileProblem(filename, None, None, "has a header and no suspensions"))
    return rows, problems


def store_exclusions(rows: list[dict[str, Any]], *, user: Any, username: str, source: str) -> int:
    """Store every checked row and a change-log row for each, in one transaction."""
    with transaction.atomic():
        for values in rows:
            record = m.ExclusionRecord.objects.create(recorded_by=username, **values)
            m.RegisterChange.objects.create(
                user=user,
                username=username,
                register="exclusions",
                entry_id=record.pk,
                what=f"{record.kind} from {record.start:%d %b %Y} ({source})"[:300],
                upn=record.upn,
                urn=record.urn,
            )
    return len(rows)
