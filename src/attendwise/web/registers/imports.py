"""A school's CSV file of removals from roll: every row checked as the form checks it; any problem refuses the
whole file, each named by file, line and field, and nothing is stored.

Columns (``docs/registers.md``): ``upn, removal_date, ground, destination_urn, destination_la,
destination_note, ehe_reason, school_enquiry_failed, la_enquiry_failed``; dates YYYY-MM-DD, yes/no as Y or
N (blank is N); ``ground`` and ``ehe_reason`` are keys of the configured lists.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from attendwise.core.identifiers import IdentifierError, parse_date, parse_urn, show
from attendwise.registers.settings import RegistersConfig
from attendwise.store import Store
from attendwise.web.registers import notifications

__all__ = ["COLUMNS", "FileProblem", "read_removals"]

COLUMNS = (
    "upn",
    "removal_date",
    "ground",
    "destination_urn",
    "destination_la",
    "destination_note",
    "ehe_reason",
    "school_enquiry_failed",
    "la_enquiry_failed",
)
REQUIRED = ("upn", "removal_date", "ground")
_YES, _NO = {"y", "yes", "1", "true"}, {"n", "no", "0", "false", ""}
MAX_ROWS = 5000


@dataclass(frozen=True)
class FileProblem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = (
            self.file + (f" line {self.line}" if self.line else "") + (f", field '{self.field}'" if self.field else "")
        )
        return f"{where}: {self.message}"


def _row(raw: dict[str, str], config: RegistersConfig) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in COLUMNS:
        text = (raw.get(name) or "").strip()
        if name in REQUIRED and not text:
            problems.append((name, "is empty"))
            continue
        try:
            if name == "removal_date":
                values[name] = parse_date(text)
            elif name == "destination_urn":
                values[name] = parse_urn(text) if text else None
            elif name in ("school_enquiry_failed", "la_enquiry_failed"):
                if text.lower() not in _YES | _NO:
                    raise IdentifierError(f"{show(text)} is not Y or N")
                values[name] = text.lower() in _YES
            elif name == "ground":
                values[name] = config.ground(text).key
            elif name == "ehe_reason":
                values[name] = config.choice("ehe_reason", text).key if text else ""
            else:
                if len(text) > 1000:
                    raise IdentifierError("is longer than 1,000 characters")
                values[name] = text.upper() if name == "upn" else text
        except Exception as exc:  # every parse error names its value
            problems.append((name, str(exc)))
    return values, problems


def read_removals(
    store: Store, urn: int, filename: str, data: bytes, config: RegistersConfig
) -> tuple[list[notifications.Checked], list[str], list[FileProblem]]:
    """The file's rows checked (with each one's source, ``file line N``), or every problem found in it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [], [FileProblem(filename, None, None, f"is not UTF-8 text (byte {exc.start + 1})")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if not header or missing or unknown:
        why = f"needs the columns {', '.join(REQUIRED)}" + (
            f"; it has {', '.join(map(show, unknown))}, which are not columns of a removals file" if unknown else ""
        )
        return [], [], [FileProblem(filename, 1, None, why if header else "is empty")]
    reader.fieldnames = header
    checked, sources, problems = [], [], []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if line > MAX_ROWS + 1:
            problems.append(FileProblem(filename, line, None, f"a file may hold at most {MAX_ROWS:,} removals"))
            break
        if None in raw:
            problems.append(FileProblem(filename, line, None, "has more values than the header has columns"))
            continue
        values, found = _row(raw, config)
        problems += [FileProblem(filename, line, f, m) for f, m in found]
        if found:
            continue
        if values["upn"] in seen:
            problems.append(FileProblem(filename, line, "upn", f"this pupil is also on line {seen[values['upn']]}"))
            continue
        seen[values["upn"]] = line
        result = notifications.check(store, urn, values, config)
        if isinstance(result, list):
            problems += [FileProblem(filename, line, p.field, p.message) for p in result]
        else:
            checked.append(result)
            sources.append(f"{filename} line {line}")
    if not problems and not checked:
        problems.append(FileProblem(filename, None, None, "has a header and no removals"))
    return checked, sources, problems
