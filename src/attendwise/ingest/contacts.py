"""Parents and carers: ``contacts.csv`` read and checked line by line, checked against the pupils and the
importer's scope, and written with their history.

A row links one pupil to one contact (a person, named by ``contact_id`` the same way wherever they
appear): who they are (name, address, phone, email) and what they are to this child (relationship,
parental responsibility, whether the child lives with them, the order to contact them in). The file
gives each of its pupils' whole list of contacts: a stored link of one of its pupils that the file does
not give has ended. Pupils the file does not name keep their contacts.

History: when a contact's details or a link change, the row as it was is copied, with the import it
came from and the import that superseded it, to ``contact_history`` or ``pupil_contact_history`` (an
ended link too, marked ``ended``). A column the file leaves out keeps the stored values; a blank cell in
a column it has clears the value.

Scope (:class:`attendwise.ingest.scope.ImportScope`): an import limited to some schools may send
contacts only for pupils on the roll of those schools (an enrolment there with no leaving date, as
stored or as the import's own ``pupils.csv`` gives it), and may not change the details of a contact who
is also a contact of any other pupil (a parent of a sibling at another school, say): it may name them
for its own pupil only as stored. A refused row is a problem like any other, named by file, line and
field, and nothing from the import is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from attendwise.core.identifiers import IdentifierError, parse_contact_id, show
from attendwise.core.upn import UPNError, validate_upn
from attendwise.ingest.files import _flag, _read_small_csv
from attendwise.ingest.outcomes import ContactChanges, Problems, scalar
from attendwise.ingest.scope import ImportScope
from attendwise.store import Store

__all__ = [
    "CONTACT_FIELDS",
    "LINK_FIELDS",
    "RELATIONSHIPS",
    "ContactChanges",
    "ContactsFile",
    "check_contacts",
    "read_contacts",
    "write_contacts",
]

#: A contact's own details (the same for every child they are a contact of), in the table's order.
CONTACT_FIELDS = (
    "title",
    "forename",
    "surname",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
)
#: What a contact is to one child.
LINK_FIELDS = ("relationship", "parental_responsibility", "lives_with", "priority")

#: The relationships a contact may have to a child, in plain words (a file may write them in any case).
RELATIONSHIPS = (
    "mother",
    "father",
    "parent",
    "step-parent",
    "foster carer",
    "grandparent",
    "other relative",
    "carer",
    "social worker",
    "other",
)

_REQUIRED = ["upn", "contact_id", "surname", "relationship", "parental_responsibility"]
_OPTIONAL = [f for f in (*CONTACT_FIELDS, *LINK_FIELDS) if f not in _REQUIRED]

#: The longest name, title or address line a contact may have (a letter prints them).
MAX_TEXT = 200
#: A UK postcode (stored in capitals with one space before the inward code).
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})", re.ASCII)
_PHONE = re.compile(r"\+?[0-9 ()-]+", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_PRIORITY = re.compile(r"[1-9][0-9]?", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class ContactsFile:
    """The rows of one ``contacts.csv`` that passed the line checks."""

    name: str
    #: One row per pupil and contact: ``upn``, ``contact_id``, the link fields and ``_line``.
    links: list[dict[str, Any]] = field(default_factory=list)
    #: Each contact's details (from the first row naming them), with ``_line``.
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The optional columns the file has (a column it leaves out keeps the stored values).
    columns: frozenset[str] = frozenset()

    @property
    def upns(self) -> list[str]:
        return sorted({link["upn"] for link in self.links})


def _text(value: str, file: str, line: int, name: str, problems: Problems, *, required: bool = False) -> str | None:
    if not value:
        if required:
            problems.add(file, line, name, "a value is required")
        return None
    if _CONTROL.search(value):
        problems.add(file, line, name, "holds a control character (a tab or line break inside the value)")
    elif len(value) > MAX_TEXT:
        problems.add(file, line, name, f"{show(value)} is longer than {MAX_TEXT} characters")
    return value


def _postcode(value: str, file: str, line: int, problems: Problems) -> str | None:
    if not value:
        return None
    m = _POSTCODE.fullmatch(value.upper())
    if not m:
        problems.add(file, line, "postcode", f"{show(value)} is not a UK postcode (such as BC1 2AB)")
        return None
    return f"{m[1]} {m[2]}"


def _phone(value: str, file: str, line: int, problems: Problems) -> str | None:
    if not value:
        return None
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.fullmatch(value) or not 10 <= digits <= 15:
        problems.add(
            file, line, "phone", f"{show(value)} is not a phone number (10 to 15 digits, with spaces, +, ( ) or -)"
        )
        return None
    return value


def _email(value: str, file: str, line: int, problems: Problems) -> str | None:
    if not value:
        return None
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        problems.add(file, line, "email", f"{show(value)} is not an email address")
        return None
    return value


def read_contacts(path: Path, problems: Problems) -> ContactsFile:
    """Read and check ``contacts.csv`` line by line (every field, and the rows against each other)."""
    f = path.name
    out = ContactsFile(f)
    seen: dict[tuple[str, str], int] = {}
    priorities: dict[tuple[str, int], int] = {}
    header: set[str] = set()
    for line, row in _read_small_csv(path, _REQUIRED, _OPTIONAL, problems):
        header = header or set(row)
        before = problems.total
        upn = row["upn"].upper()
        try:
            validate_upn(upn)
        except UPNError as exc:
            problems.add(f, line, "upn", str(exc))
        try:
            contact_id = parse_contact_id(row["contact_id"])
        except IdentifierError as exc:
            problems.add(f, line, "contact_id", str(exc))
            contact_id = ""
        person = {
            "title": _text(row.get("title", ""), f, line, "title", problems),
            "forename": _text(row.get("forename", ""), f, line, "forename", problems),
            "surname": _text(row["surname"], f, line, "surname", problems, required=True),
            "address_line_1": _text(row.get("address_line_1", ""), f, line, "address_line_1", problems),
            "address_line_2": _text(row.get("address_line_2", ""), f, line, "address_line_2", problems),
            "town": _text(row.get("town", ""), f, line, "town", problems),
            "postcode": _postcode(row.get("postcode", ""), f, line, problems),
            "phone": _phone(row.get("phone", ""), f, line, problems),
            "email": _email(row.get("email", ""), f, line, problems),
        }
        relationship = row["relationship"].lower()
        if relationship not in RELATIONSHIPS:
            problems.add(
                f, line, "relationship", f"{show(row['relationship'])} is not one of {', '.join(RELATIONSHIPS)}"
            )
        priority = None
        if row.get("priority"):
            if _PRIORITY.fullmatch(row["priority"]):
                priority = int(row["priority"])
            else:
                problems.add(f, line, "priority", f"{show(row['priority'])} is not a whole number from 1 to 99")
        link = {
            "upn": upn,
            "contact_id": contact_id,
            "relationship": relationship,
            "parental_responsibility": _flag(
                row["parental_responsibility"], f, line, "parental_responsibility", problems
            ),
            "lives_with": _flag(row.get("lives_with", ""), f, line, "lives_with", problems),
            "priority": priority,
            "_line": line,
        }
        if problems.total > before:
            continue
        key = (upn, contact_id)
        if key in seen:
            problems.add(
                f, line, "contact_id", f"contact {contact_id} of pupil {upn} is already given on line {seen[key]}"
            )
            continue
        seen[key] = line
        if priority is not None:
            if (upn, priority) in priorities:
                problems.add(
                    f, line, "priority",
                    f"pupil {upn} already has a contact with priority {priority} on line {priorities[upn, priority]}",
                )  # fmt: skip
            priorities[upn, priority] = line
        first = out.people.get(contact_id)
        if first is None:
            out.people[contact_id] = {**person, "contact_id": contact_id, "_line": line}
        else:
            for name in CONTACT_FIELDS:
                if first[name] != person[name]:
                    problems.add(
                        f, line, name,
                        f"contact {contact_id} has {name} {person[name]!r} here but {first[name]!r} on line "
                        f"{first['_line']}",
                    )  # fmt: skip
        out.links.append(link)
    out.columns = frozenset(header & set(_OPTIONAL))
    return out


# -------------------------------------------------------------------------------------------------
# Against the store and the scope (after the small files are staged)
# -------------------------------------------------------------------------------------------------
def check_contacts(store: Store, contacts: ContactsFile, scope: ImportScope, problems: Problems) -> None:
    """Refuse rows for pupils neither stored nor in the import's ``pupils.csv`` and, for an import limited
    to some schools, rows for pupils not on their roll and changes to a contact another pupil shares.

    Reads the views :func:`attendwise.ingest.storing.stage_small_tables` made (``_pupils_all``,
    ``_enrolments_all``: the store as it will be once the import's pupils are written).
    """
    con = store.duckdb_connection()
    f = contacts.name
    upns = contacts.upns
    known = {
        r[0] for r in con.execute("SELECT upn FROM _pupils_all WHERE upn IN (SELECT unnest(?))", [upns]).fetchall()
    }
    yours: set[str] = set(upns)
    if scope.schools is not None:
        yours = {
            r[0]
            for r in con.execute(
                """SELECT DISTINCT upn FROM _enrolments_all
                   WHERE upn IN (SELECT unnest(?)) AND leaving_date IS NULL AND list_contains(?, urn)""",
                [upns, sorted(scope.schools)],
            ).fetchall()
        }
    for link in contacts.links:
        if link["upn"] not in known:
            problems.add(f, link["_line"], "upn", f"pupil {link['upn']} is not in pupils.csv or the store")
        elif link["upn"] not in yours:
            problems.add(f, link["_line"], "upn", f"pupil {link['upn']} is not on the roll of one of your schools")
    if scope.schools is None or problems.total:
        return
    # A contact another pupil (not on your schools' roll) also has: named only as stored.
    ids = sorted(contacts.people)
    shared = {
        r[0]
        for r in con.execute(
            """SELECT DISTINCT contact_id FROM pupil_contacts
               WHERE contact_id IN (SELECT unnest(?)) AND upn NOT IN (SELECT unnest(?))""",
            [ids, sorted(yours)],
        ).fetchall()
    }
    if not shared:
        return
    given = [c for c in CONTACT_FIELDS if c in contacts.columns or c == "surname"]
    stored = {
        r[0]: dict(zip(given, r[1:], strict=True))
        for r in con.execute(
            f"SELECT contact_id, {', '.join(given)} FROM contacts WHERE contact_id IN (SELECT unnest(?))",
            [sorted(shared)],
        ).fetchall()
    }
    for contact_id in sorted(shared):
        person = contacts.people[contact_id]
        for name in given:
            if person[name] != stored[contact_id][name]:
                problems.add(
                    f, person["_line"], name,
                    f"contact {contact_id} is also a contact of a pupil who is not on your schools' roll: only LA "
                    "staff may change their details (this differs from what is stored); ask them to make the change",
                )  # fmt: skip


# -------------------------------------------------------------------------------------------------
# Writing (inside the import's transaction)
# -------------------------------------------------------------------------------------------------
_PEOPLE_SCHEMA = pa.schema([("contact_id", pa.string()), *((c, pa.string()) for c in CONTACT_FIELDS)])
#: The file's link of the same pupil and contact as a stored link ``s``.
_SAME_LINK = "SELECT 1 FROM _pupil_contacts_new n WHERE n.upn = s.upn AND n.contact_id = s.contact_id"
_LINK_SCHEMA = pa.schema(
    [
        ("upn", pa.string()),
        ("contact_id", pa.string()),
        ("relationship", pa.string()),
        ("parental_responsibility", pa.bool_()),
        ("lives_with", pa.bool_()),
        ("priority", pa.int32()),
    ]
)


def write_contacts(store: Store, contacts: ContactsFile, import_id: int) -> ContactChanges:
    """Store the file's contacts and links, keeping what they replace in the history tables."""
    con = store.duckdb_connection()
    changes = ContactChanges()
    people = pa.Table.from_pylist(
        [{k: p[k] for k in _PEOPLE_SCHEMA.names} for p in contacts.people.values()], schema=_PEOPLE_SCHEMA
    )
    links = pa.Table.from_pylist([{k: r[k] for k in _LINK_SCHEMA.names} for r in contacts.links], schema=_LINK_SCHEMA)
    con.register("_contacts_arrow", people)
    con.register("_pupil_contacts_arrow", links)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _contacts_new AS SELECT * FROM _contacts_arrow")
        con.execute("CREATE OR REPLACE TEMP TABLE _pupil_contacts_new AS SELECT * FROM _pupil_contacts_arrow")
    finally:
        con.unregister("_contacts_arrow")
        con.unregister("_pupil_contacts_arrow")

    # Contacts: the columns the file has replace the stored ones (a column it leaves out keeps them).
    given = [c for c in CONTACT_FIELDS if c in contacts.columns or c == "surname"]
    differs = " OR ".join(f"c.{c} IS DISTINCT FROM n.{c}" for c in given)
    changes.contacts_added = int(
        scalar(store, "SELECT count(*) FROM _contacts_new WHERE contact_id NOT IN (SELECT contact_id FROM contacts)")
    )
    history = ", ".join(f"c.{c}" for c in CONTACT_FIELDS)
    con.execute(
        f"""INSERT INTO contact_history
            SELECT c.contact_id, {history}, c.import_id, ? FROM contacts c JOIN _contacts_new n USING (contact_id)
            WHERE {differs}""",
        [import_id],
    )
    changes.contacts_changed = int(
        scalar(store, "SELECT count(*) FROM contact_history WHERE superseded_by = ?", [import_id])
    )
    sets = ", ".join(f"{c} = excluded.{c}" for c in given)
    changed = " OR ".join(f"contacts.{c} IS DISTINCT FROM excluded.{c}" for c in given)
    con.execute(
        f"""INSERT INTO contacts SELECT contact_id, {", ".join(CONTACT_FIELDS)}, ? FROM _contacts_new
            ON CONFLICT (contact_id) DO UPDATE SET {sets}, import_id = excluded.import_id WHERE {changed}""",
        [import_id],
    )

    # Links: the file gives each of its pupils' whole list, so a stored link it leaves out has ended.
    link_given = [c for c in LINK_FIELDS if c in contacts.columns or c in _REQUIRED]
    link_cols = ", ".join(f"s.{c}" for c in LINK_FIELDS)
    link_differs = " OR ".join(f"s.{c} IS DISTINCT FROM n.{c}" for c in link_given)
    con.execute(
        f"""INSERT INTO pupil_contact_history
            SELECT s.upn, s.contact_id, {link_cols}, s.import_id, ?, false
            FROM pupil_contacts s JOIN _pupil_contacts_new n USING (upn, contact_id) WHERE {link_differs}""",
        [import_id],
    )
    con.execute(
        f"""INSERT INTO pupil_contact_history
            SELECT s.upn, s.contact_id, {link_cols}, s.import_id, ?, true FROM pupil_contacts s
            WHERE s.upn IN (SELECT upn FROM _pupil_contacts_new)
              AND NOT EXISTS ({_SAME_LINK})""",
        [import_id],
    )
    counts = con.execute(
        "SELECT count(*) FILTER (WHERE NOT ended), count(*) FILTER (WHERE ended) FROM pupil_contact_history "
        "WHERE superseded_by = ?",
        [import_id],
    ).fetchall()[0]
    changes.links_changed, changes.links_ended = int(counts[0]), int(counts[1])
    con.execute(
        f"""DELETE FROM pupil_contacts s WHERE s.upn IN (SELECT upn FROM _pupil_contacts_new)
           AND NOT EXISTS ({_SAME_LINK})"""
    )
    before = int(scalar(store, "SELECT count(*) FROM pupil_contacts"))
    link_sets = ", ".join(f"{c} = excluded.{c}" for c in link_given)
    link_changed = " OR ".join(f"pupil_contacts.{c} IS DISTINCT FROM excluded.{c}" for c in link_given)
    con.execute(
        f"""INSERT INTO pupil_contacts SELECT upn, contact_id, {", ".join(LINK_FIELDS)}, ? FROM _pupil_contacts_new
            ON CONFLICT (upn, contact_id) DO UPDATE SET {link_sets}, import_id = excluded.import_id
            WHERE {link_changed}""",
        [import_id],
    )
    changes.links_added = int(scalar(store, "SELECT count(*) FROM pupil_contacts")) - before
    return changes


def contact_schools(store: Store) -> list[int]:
    """The schools whose pupils the staged contacts are for (their open enrolments), for the import log."""
    rows = (
        store.duckdb_connection()
        .execute(
            """SELECT DISTINCT urn FROM _enrolments_all
               WHERE upn IN (SELECT upn FROM _pupil_contacts_new) AND leaving_date IS NULL ORDER BY urn"""
        )
        .fetchall()
    )
    return [r[0] for r in rows]


#: The temporary tables writing contacts leaves on the connection.
STAGING = ("_contacts_new", "_pupil_contacts_new")
