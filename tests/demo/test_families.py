"""The demo city's families (:mod:`attendwise.demo.families`): siblings across schools, half-siblings, carers."""

from __future__ import annotations

import duckdb

from attendwise.demo import CitySummary
from attendwise.ingest import import_folder
from attendwise.measures.families import families
from attendwise.store import Store
from tests.demo.cities import scalar


def _contacts(con: duckdb.DuckDBPyConnection, folder: object) -> None:
    con.execute(
        f"CREATE OR REPLACE TABLE contacts AS SELECT * FROM read_csv('{folder}/contacts.csv', header=true, "
        "all_varchar=true)"
    )


def test_every_pupil_has_a_first_contact_and_every_contact_a_pupil(
    small: tuple[CitySummary, duckdb.DuckDBPyConnection],
) -> None:
    summary, con = small
    _contacts(con, summary.folder)
    assert scalar(con, "SELECT count(DISTINCT upn) FROM contacts WHERE upn NOT IN (SELECT upn FROM pupils)") == 0
    assert scalar(con, "SELECT count(DISTINCT upn) FROM pupils WHERE upn NOT IN (SELECT upn FROM contacts)") == 0
    assert scalar(con, "SELECT count(*) FROM (SELECT upn FROM contacts WHERE priority = '1' GROUP BY upn "
                       "HAVING count(*) <> 1)") == 0  # fmt: skip
    # a contact's details are the same on every row that names them
    details = "title, forename, surname, address_line_1, town, postcode, phone, email"
    assert scalar(con, f"SELECT count(*) FROM (SELECT contact_id FROM contacts GROUP BY contact_id "
                       f"HAVING count(DISTINCT ({details})) > 1)") == 0  # fmt: skip


def test_the_shape_of_the_families(small: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, con = small
    _contacts(con, summary.folder)
    share = con.execute(
        """SELECT avg((relationship = 'father')::INT), avg((relationship = 'grandparent')::INT),
                  avg((parental_responsibility = 'Y')::INT) FROM contacts"""
    ).fetchone()
    assert share is not None
    fathers, grandparents, pr = share
    assert 0.3 < fathers < 0.5 and 0.03 < grandparents < 0.15 and 0.8 < pr < 0.95, share
    # children looked after live with foster carers, and their mother keeps parental responsibility
    cla = "SELECT upn FROM pupils WHERE cla = 'Y'"
    assert scalar(con, f"SELECT count(*) FROM contacts WHERE relationship = 'foster carer' AND upn IN ({cla})") > 0
    assert scalar(con, "SELECT count(*) FROM contacts WHERE relationship = 'foster carer' AND lives_with = 'N'") == 0


def test_siblings_at_different_schools_and_half_siblings(small: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, _ = small
    with Store(":memory:") as store:
        import_folder(store, summary.folder)
        found = families(store)
    with_siblings = sum(len(f.members) for f in found)
    assert 0.35 * summary.pupils < with_siblings < 0.7 * summary.pupils
    across = [f for f in found if len(f.schools) > 1]
    assert len(across) > 0.3 * len(found), "older and younger siblings at secondary and primary schools"
    half = [f for f in found if any(not f.shared_parents(a, b) for a in f.upns for b in f.upns if a < b)]
    assert half, "half-siblings chain families together"
    one_name = [f for f in found if len({m.surname for m in f.members}) == 1]
    assert len(one_name) > 0.9 * len(found), "brothers and sisters mostly share a surname"
