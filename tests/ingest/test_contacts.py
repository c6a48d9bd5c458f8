"""contacts.csv: parents and carers, checked by line and field, scoped to a school's own pupils, with history."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from attendwise.ingest import ImportScope, IngestError, import_folder
from attendwise.store import SCHEMA_VERSION, Store
from tests.conftest import snapshot, value
from tests.registers import Register

OURS, THEIRS = 100001, 100002
SCHOOL = ImportScope(who="head@ours", via="web", schools=frozenset({OURS}), la_data=False, source="upload")
HEADER = [
    "upn", "contact_id", "title", "forename", "surname", "relationship", "parental_responsibility", "lives_with",
    "address_line_1", "address_line_2", "town", "postcode", "phone", "email", "priority",
]  # fmt: skip


@pytest.fixture
def reg(store: Store, write) -> Register:
    """Two schools, a pupil at each (siblings: one mother), and a leaver at ours; all imported."""
    reg = Register()
    reg.school(OURS)
    reg.school(THEIRS, phase="secondary")
    ours = reg.pupil(OURS)
    theirs = reg.pupil(THEIRS, nc_year="8", dob="2012-01-05")
    reg.pupil(OURS, admission="2019-09-01", leaving="2024-07-19")
    reg.sessions(ours, "//////////", dt.date(2024, 9, 2), urn=OURS)
    reg.contact(ours, "M1", forename="Amina", surname="Begum", relationship="mother", priority="1")
    reg.contact(theirs, "M1", forename="Amina", surname="Begum", relationship="mother", priority="1")
    reg.contact(ours, "F1", forename="Tariq", surname="Begum", relationship="father", lives_with="N", priority="2",
                address_line_1="9 Low Road", postcode="TE2 9LR")  # fmt: skip
    import_folder(store, write(reg))
    return reg


def upn_of(reg: Register, n: int) -> str:
    return str(reg.pupils[n]["upn"])


def contacts_csv(folder: Path, rows: list[dict[str, object]], header: list[str] = HEADER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "contacts.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def refused(store: Store, folder: Path, scope: ImportScope | None = None) -> IngestError:
    before = snapshot(store)
    with pytest.raises(IngestError) as info:
        import_folder(store, folder, scope=scope)
    assert snapshot(store) == before, "a refused import changed the store"
    return info.value


def rows(store: Store, sql: str, params: list[object] | None = None) -> list[tuple]:
    return store.duckdb_connection().execute(sql, params or []).fetchall()


class TestStored:
    def test_contacts_and_links(self, store: Store, reg: Register) -> None:
        assert rows(store, "SELECT contact_id, forename, surname, postcode FROM contacts ORDER BY 1") == [
            ("F1", "Tariq", "Begum", "TE2 9LR"),
            ("M1", "Amina", "Begum", "TE1 1ST"),
        ]
        links = rows(
            store,
            "SELECT upn, contact_id, relationship, parental_responsibility, lives_with, priority FROM pupil_contacts "
            "ORDER BY 1, 2",
        )
        ours, theirs = upn_of(reg, 0), upn_of(reg, 1)
        assert sorted(links) == sorted(
            [
                (ours, "F1", "father", True, False, 2),
                (ours, "M1", "mother", True, True, 1),
                (theirs, "M1", "mother", True, True, 1),
            ]
        )

    def test_first_import_says_what_it_added(self, store: Store, tmp_path: Path) -> None:
        reg = Register()
        reg.school(OURS)
        upn = reg.pupil(OURS)
        reg.contact(upn, "M1")
        reg.contact(upn, "F1")
        result = import_folder(store, reg.write(tmp_path / "first"))
        assert "2 new contacts." in result.changes()
        assert "Pupils' contacts: 2 added." in result.changes()
        assert result.schools_touched == [OURS]

    def test_reimport_changes_nothing(self, store: Store, reg: Register, tmp_path: Path) -> None:
        before = snapshot(store)
        result = import_folder(store, contacts_csv(tmp_path / "again", reg.contacts))
        assert result.changes() == ["Nothing changed: everything in the files was already stored."]
        assert {k: v for k, v in snapshot(store).items() if k != "imports"} == {
            k: v for k, v in before.items() if k != "imports"
        }

    def test_a_contacts_only_import_names_the_pupils_schools(self, store: Store, reg: Register, tmp_path: Path) -> None:
        """The import log's schools: the school of each pupil whose contacts changed, for its own history."""
        changed = [dict(reg.contacts[0], phone="07700 900123")]
        result = import_folder(store, contacts_csv(tmp_path / "phone", changed))
        assert result.schools_touched == [OURS]


class TestHistory:
    def test_a_new_phone_and_address_keep_the_old_ones(self, store: Store, reg: Register, tmp_path: Path) -> None:
        first_import = value(store, "SELECT import_id FROM contacts WHERE contact_id = 'M1'")
        moved = [dict(r, phone="07700 900123", address_line_1="4 New Street") for r in reg.contacts[:2]]
        result = import_folder(store, contacts_csv(tmp_path / "moved", moved))
        assert "1 contact's details updated (the old details kept in the history)." in result.changes()
        assert rows(store, "SELECT phone, address_line_1, import_id FROM contacts WHERE contact_id = 'M1'") == [
            ("07700 900123", "4 New Street", result.import_id)
        ]
        assert rows(store, "SELECT phone, address_line_1, import_id, superseded_by FROM contact_history") == [
            ("01234 567890", "1 High Street", first_import, result.import_id)
        ]
        assert store.contact_history("M1")[0].phone == "01234 567890"

    def test_a_pupils_list_replaces_their_links_and_an_ended_link_is_kept(
        self, store: Store, reg: Register, tmp_path: Path
    ) -> None:
        """The file gives its pupils' whole lists: the father left out of ours' list has ended; theirs is untouched."""
        ours_mother = dict(reg.contacts[0], lives_with="N")
        result = import_folder(store, contacts_csv(tmp_path / "ended", [ours_mother]))
        assert "Pupils' contacts: 1 changed, 1 ended." in result.changes()
        assert rows(store, "SELECT contact_id, lives_with FROM pupil_contacts WHERE upn = ?", [upn_of(reg, 0)]) == [
            ("M1", False)
        ]
        assert len(rows(store, "SELECT * FROM pupil_contacts WHERE upn = ?", [upn_of(reg, 1)])) == 1
        history = rows(store, "SELECT contact_id, lives_with, ended FROM pupil_contact_history ORDER BY 1")
        assert history == [("F1", False, True), ("M1", True, False)]
        # the contact themself stays (another child, or history, may name them)
        assert value(store, "SELECT count(*) FROM contacts WHERE contact_id = 'F1'") == 1

    def test_a_column_left_out_keeps_what_is_stored(self, store: Store, reg: Register, tmp_path: Path) -> None:
        """An export without emails or phones does not wipe them; a blank cell in a column it has does."""
        header = ["upn", "contact_id", "forename", "surname", "relationship", "parental_responsibility", "email"]
        row = dict(reg.contacts[2], email="tariq@example.org")
        import_folder(store, contacts_csv(tmp_path / "email", [row, *reg.contacts[:1]], header))
        assert rows(store, "SELECT phone, email, postcode FROM contacts WHERE contact_id = 'F1'") == [
            ("01234 567890", "tariq@example.org", "TE2 9LR")
        ]
        assert value(store, "SELECT priority FROM pupil_contacts WHERE contact_id = 'F1'") == 2
        import_folder(store, contacts_csv(tmp_path / "blank", [dict(row, email=""), *reg.contacts[:1]], header))
        assert value(store, "SELECT email FROM contacts WHERE contact_id = 'F1'") is None


class TestRefused:
    @pytest.mark.parametrize(
        ("field", "bad", "says"),
        [
            ("upn", "A999100024999", "check letter"),
            ("contact_id", "M 1", "is not a contact id"),
            ("contact_id", "", "is not a contact id"),
            ("surname", "", "a value is required"),
            ("relationship", "uncle", "is not one of mother, father"),
            ("parental_responsibility", "maybe", "is not Y or N"),
            ("lives_with", "sometimes", "is not Y or N"),
            ("postcode", "TE1", "is not a UK postcode"),
            ("phone", "call me", "is not a phone number"),
            ("phone", "123", "is not a phone number"),
            ("email", "amina.example.org", "is not an email address"),
            ("priority", "0", "is not a whole number from 1 to 99"),
            ("priority", "1.0", "is not a whole number from 1 to 99"),
            ("forename", "Am\x0bina", "control character"),
            ("surname", "B" * 201, "longer than 200 characters"),
        ],
    )
    def test_a_bad_field(self, store: Store, reg: Register, tmp_path: Path, field: str, bad: str, says: str) -> None:
        bad_rows = [reg.contacts[0], dict(reg.contacts[2], **{field: bad})]
        err = refused(store, contacts_csv(tmp_path / "bad", bad_rows))
        assert [(p.file, p.line, p.field) for p in err.problems] == [("contacts.csv", 3, field)], err.report()
        assert says in err.problems[0].message

    def test_rows_against_each_other(self, store: Store, reg: Register, tmp_path: Path) -> None:
        ours = reg.contacts[0]
        err = refused(
            store,
            contacts_csv(
                tmp_path / "twice",
                [
                    ours,
                    dict(ours),  # the same contact twice for one pupil
                    dict(reg.contacts[2], priority="1"),  # a second contact with priority 1
                    dict(reg.contacts[1], phone="07700 900999"),  # the mother with another phone
                ],
            ),
        )
        assert [(p.line, p.field) for p in err.problems] == [(3, "contact_id"), (4, "priority"), (5, "phone")]
        assert "already given on line 2" in err.problems[0].message
        assert "'07700 900999' here but '01234 567890' on line 2" in err.problems[2].message

    def test_a_pupil_not_stored(self, store: Store, reg: Register, tmp_path: Path) -> None:
        stranger = Register()
        stranger._serial = 50
        upn = stranger.pupil(OURS)
        stranger.contact(upn, "X1")
        err = refused(store, contacts_csv(tmp_path / "stranger", stranger.contacts))
        assert [(p.line, p.field) for p in err.problems] == [(2, "upn")]
        assert err.problems[0].message == f"pupil {upn} is not in pupils.csv or the store"

    def test_a_pupil_in_the_same_import(self, store: Store, reg: Register, tmp_path: Path) -> None:
        new = Register()
        new._serial = 60
        upn = new.pupil(OURS)
        new.contact(upn, "M1", forename="Amina", surname="Begum", relationship="mother", priority="1")
        result = import_folder(store, new.write(tmp_path / "new"))
        assert "Pupils' contacts: 1 added." in result.changes()


class TestScope:
    def test_a_school_sends_its_own_pupils_contacts(self, store: Store, reg: Register, tmp_path: Path) -> None:
        grandma = dict(reg.contacts[2], contact_id="G1", forename="Rahima", relationship="grandparent", priority="3")
        grandma["parental_responsibility"] = "N"
        rows_ = [reg.contacts[0], reg.contacts[2], grandma]
        result = import_folder(store, contacts_csv(tmp_path / "ours", rows_), scope=SCHOOL)
        assert "1 new contact." in result.changes()

    @pytest.mark.parametrize(
        "spelling",
        ["{upn}", "{lower}", " {upn} ", "{upn}\t", "{fullwidth}", "{upn}\u200b", "{head} {tail}", "{upn}0"],
    )
    def test_no_spelling_of_another_schools_pupil_gets_through(
        self, store: Store, reg: Register, tmp_path: Path, spelling: str
    ) -> None:
        theirs = upn_of(reg, 1)
        written = spelling.format(
            upn=theirs,
            lower=theirs.lower(),
            fullwidth=theirs.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            head=theirs[:5],
            tail=theirs[5:],
        )
        row = dict(reg.contacts[1], upn=written, phone="07700 900666")
        err = refused(store, contacts_csv(tmp_path / "theirs", [row]), SCHOOL)
        assert [(p.file, p.line, p.field) for p in err.problems] == [("contacts.csv", 2, "upn")], err.report()
        if written.strip().upper() == theirs:
            assert err.problems[0].message == f"pupil {theirs} is not on the roll of one of your schools"
        else:
            assert "is not a UPN" in err.problems[0].message

    def test_not_a_leaver(self, store: Store, reg: Register, tmp_path: Path) -> None:
        """A pupil who has left the school is no longer its pupil: their contacts are the new school's to send."""
        leaver = upn_of(reg, 2)
        err = refused(store, contacts_csv(tmp_path / "leaver", [dict(reg.contacts[0], upn=leaver)]), SCHOOL)
        assert err.problems[0].message == f"pupil {leaver} is not on the roll of one of your schools"

    def test_a_shared_contact_is_named_only_as_stored(self, store: Store, reg: Register, tmp_path: Path) -> None:
        """The mother is also the contact of a pupil at another school: a school may not move her address."""
        moved = dict(reg.contacts[0], address_line_1="1 Elsewhere", phone="07700 900777")
        err = refused(store, contacts_csv(tmp_path / "moved", [moved, reg.contacts[2]]), SCHOOL)
        assert [(p.line, p.field) for p in err.problems] == [(2, "address_line_1"), (2, "phone")]
        assert "only LA staff may change their details" in err.problems[0].message
        assert "Elsewhere" not in err.report() and "High Street" not in err.report(), "no stored details shown"
        # unchanged, a school may name her; its own pupil's link (priority) is its to change
        result = import_folder(
            store, contacts_csv(tmp_path / "same", [dict(reg.contacts[0], priority="3"), reg.contacts[2]]), scope=SCHOOL
        )
        assert "Pupils' contacts: 1 changed." in result.changes()
        # LA staff may change her details
        result = import_folder(store, contacts_csv(tmp_path / "la", [moved, reg.contacts[2]]))
        assert "1 contact's details updated (the old details kept in the history)." in result.changes()

    def test_a_school_may_link_its_pupil_to_a_known_parent(self, store: Store, reg: Register, tmp_path: Path) -> None:
        """Half-siblings: the stored father of theirs, named as stored, joins our pupil's list."""
        father = dict(reg.contacts[2], upn=upn_of(reg, 1), contact_id="F2", forename="Imran", priority="2")
        import_folder(store, contacts_csv(tmp_path / "la", [reg.contacts[1], father]))
        linked = dict(father, upn=upn_of(reg, 0), priority="3")
        result = import_folder(store, contacts_csv(tmp_path / "link", [*reg.contacts[0:3:2], linked]), scope=SCHOOL)
        assert result.changes() == ["Pupils' contacts: 1 added."]
        assert store.parental_links(contact_ids=["F2"]) == sorted([(upn_of(reg, 0), "F2"), (upn_of(reg, 1), "F2")])


def test_a_store_from_before_contacts_gains_their_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        con = store.duckdb_connection()
        for table in ("contacts", "pupil_contacts", "contact_history", "pupil_contact_history"):
            con.execute(f"DROP TABLE {table}")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with Store(path) as store:
        assert value(store, "SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert value(store, "SELECT count(*) FROM pupil_contacts") == 0
