"""Small hand-built registers for tests: write the CSV layout from a few lines of Python (and, beside this, the
tests of attendwise.registers)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from attendwise.core.upn import check_letter


def make_upn(serial: int, la: str = "999", estab: str = "1000", year: str = "24") -> str:
    body = f"{la}{estab}{year}{serial:03d}"
    return check_letter(body) + body


def school_days(start: dt.date, n: int) -> list[dt.date]:
    """``n`` weekdays from ``start``."""
    days, day = [], start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@dataclass
class Register:
    """A register folder under construction."""

    schools: list[dict[str, object]] = field(default_factory=list)
    pupils: list[dict[str, object]] = field(default_factory=list)
    marks: list[dict[str, object]] = field(default_factory=list)
    terms: list[dict[str, object]] = field(default_factory=list)
    closures: list[dict[str, object]] = field(default_factory=list)
    contacts: list[dict[str, object]] = field(default_factory=list)
    cohorts: list[dict[str, object]] = field(default_factory=list)
    _serial: int = 0

    def half_terms_2024_25(self) -> None:
        """Brindlecombe-style half terms for 2024/25 in terms.csv: autumn 2 from 4 Nov, spring 2 from 24 Feb."""
        halves = [
            ("autumn", 1, "2024-09-02", "2024-10-25"),
            ("autumn", 2, "2024-11-04", "2024-12-20"),
            ("spring", 1, "2025-01-06", "2025-02-14"),
            ("spring", 2, "2025-02-24", "2025-04-04"),
            ("summer", 1, "2025-04-22", "2025-05-23"),
            ("summer", 2, "2025-06-02", "2025-07-22"),
        ]
        self.terms += [
            {"academic_year": "2024/25", "term": t, "half_term": h, "start_date": s, "end_date": e}
            for t, h, s, e in halves
        ]

    def school(self, urn: int = 100001, phase: str = "primary", name: str | None = None, la_code: str = "999") -> int:
        self.schools.append(
            {"urn": urn, "name": name or f"School {urn}", "phase": phase, "la_code": la_code, "la_name": "Testshire"}
        )
        return urn

    def pupil(
        self,
        urn: int = 100001,
        *,
        dob: str = "2015-03-01",
        sex: str = "F",
        ethnicity: str = "WBRI",
        fsm: str = "N",
        sen: str = "N",
        nc_year: str = "4",
        admission: str = "2019-09-01",
        leaving: str = "",
        boarder: str = "N",
        upn: str | None = None,
        **extra: str,
    ) -> str:
        if upn is None:
            self._serial += 1
            upn = make_upn(self._serial)
        self.pupils.append(
            {
                "upn": upn,
                "urn": urn,
                "date_of_birth": dob,
                "sex": sex,
                "ethnicity": ethnicity,
                "fsm": fsm,
                "sen": sen,
                "nc_year": nc_year,
                "admission_date": admission,
                "leaving_date": leaving,
                "boarder": boarder,
                "cla": extra.get("cla", "N"),
                "cin": extra.get("cin", "N"),
                "cpp": extra.get("cpp", "N"),
                "first_language": extra.get("first_language", "ENG"),
            }
        )
        return upn

    def sessions(
        self, upn: str, codes: str | list[str], start: dt.date = dt.date(2024, 9, 2), urn: int = 100001
    ) -> None:
        """Marks for consecutive sessions (AM, PM, AM, ...) over weekdays from ``start``.

        ``codes`` is a string of one-character codes or a list of codes.
        """
        codes = list(codes)
        days = school_days(start, (len(codes) + 1) // 2)
        for i, code in enumerate(codes):
            if code == "/" and i % 2 == 1:
                code = "\\"
            self.marks.append(
                {
                    "upn": upn,
                    "urn": urn,
                    "date": days[i // 2].isoformat(),
                    "session": "AM" if i % 2 == 0 else "PM",
                    "code": code,
                }
            )

    def contact(
        self,
        upn: str,
        contact_id: str,
        *,
        surname: str = "Smith",
        forename: str = "Sam",
        relationship: str = "parent",
        pr: str = "Y",
        lives_with: str = "Y",
        priority: str = "",
        **extra: str,
    ) -> str:
        """A row of contacts.csv: ``contact_id`` is a contact of pupil ``upn``."""
        self.contacts.append(
            {
                "upn": upn,
                "contact_id": contact_id,
                "title": extra.get("title", ""),
                "forename": forename,
                "surname": surname,
                "relationship": relationship,
                "parental_responsibility": pr,
                "lives_with": lives_with,
                "address_line_1": extra.get("address_line_1", "1 High Street"),
                "address_line_2": extra.get("address_line_2", ""),
                "town": extra.get("town", "Testbury"),
                "postcode": extra.get("postcode", "TE1 1ST"),
                "phone": extra.get("phone", "01234 567890"),
                "email": extra.get("email", ""),
                "priority": priority,
            }
        )
        return contact_id

    def cohort(self, upn: str, cohort: str, start: str, end: str = "", source: str = "") -> None:
        """A row of cohorts.csv: pupil ``upn`` in ``cohort`` from ``start`` to ``end`` (blank: still in it)."""
        self.cohorts.append({"upn": upn, "cohort": cohort, "start_date": start, "end_date": end, "source": source})

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in (
            ("schools", self.schools),
            ("pupils", self.pupils),
            ("marks", self.marks),
            ("terms", self.terms),
            ("closures", self.closures),
            ("contacts", self.contacts),
            ("cohorts", self.cohorts),
        ):
            if rows:
                with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
        return folder
