"""The store's tables: the schema every store holds, and the block tables' columns.

An engine's store creates these tables (:mod:`attendwise.store.duckdb_store`); the measures read them by
these names through Ibis, so a store on another engine holds the same tables.
"""

from __future__ import annotations

from attendwise.core.codes import ABSENCE_REASONS

__all__ = ["BLOCKS_VERSION", "BLOCK_COUNTS", "SCHEMA", "SCHEMA_VERSION", "SUMMER2_COUNTS"]

#: 2: the import log says who imported, how, which schools it touched and what it changed.
#: 3: parents and carers (``contacts``, ``pupil_contacts``) and their history, from ``contacts.csv``.
#: 4: the LA's priority cohorts' dated memberships (``cohort_members``) and their history, from ``cohorts.csv``.
SCHEMA_VERSION = 4

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY,
    imported_at TIMESTAMP NOT NULL,
    source VARCHAR NOT NULL,
    files VARCHAR NOT NULL,
    marks_read BIGINT NOT NULL,
    marks_added BIGINT NOT NULL,
    marks_changed BIGINT NOT NULL,
    marks_unchanged BIGINT NOT NULL,
    marks_blank BIGINT NOT NULL,
    pupils_added BIGINT NOT NULL,
    enrolments_added BIGINT NOT NULL,
    enrolments_changed BIGINT NOT NULL
);
ALTER TABLE imports ADD COLUMN IF NOT EXISTS imported_by VARCHAR;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS via VARCHAR;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS schools_touched VARCHAR;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS changes VARCHAR;
CREATE TABLE IF NOT EXISTS schools (
    urn INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    phase VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    la_name VARCHAR,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pupils (
    upn VARCHAR PRIMARY KEY,
    forename VARCHAR,
    surname VARCHAR,
    date_of_birth DATE NOT NULL,
    sex VARCHAR NOT NULL,
    ethnicity VARCHAR NOT NULL,
    first_language VARCHAR,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolments (
    enrolment_id INTEGER PRIMARY KEY,
    upn VARCHAR NOT NULL,
    urn INTEGER NOT NULL,
    admission_date DATE NOT NULL,
    leaving_date DATE,
    nc_year VARCHAR NOT NULL,
    fsm BOOLEAN NOT NULL,
    sen VARCHAR NOT NULL,
    sen_primary_need VARCHAR,
    cla BOOLEAN NOT NULL,
    cin BOOLEAN NOT NULL,
    cpp BOOLEAN NOT NULL,
    boarder BOOLEAN NOT NULL,
    import_id INTEGER NOT NULL,
    UNIQUE (upn, urn, admission_date)
);
CREATE TABLE IF NOT EXISTS marks (
    enrolment_id INTEGER NOT NULL,
    date DATE NOT NULL,
    session VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mark_history (
    enrolment_id INTEGER NOT NULL,
    date DATE NOT NULL,
    session VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    import_id INTEGER NOT NULL,
    superseded_by INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS terms (
    academic_year INTEGER NOT NULL,
    term VARCHAR NOT NULL,
    half_term INTEGER NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    PRIMARY KEY (academic_year, term, half_term)
);
CREATE TABLE IF NOT EXISTS reference_figures (
    time_period INTEGER NOT NULL,
    time_identifier VARCHAR NOT NULL,
    geographic_level VARCHAR NOT NULL,
    old_la_code VARCHAR,
    la_name VARCHAR,
    region_name VARCHAR,
    education_phase VARCHAR NOT NULL,
    enrolments DOUBLE,
    sess_possible DOUBLE,
    sess_overall DOUBLE,
    sess_overall_percent DOUBLE,
    sess_authorised_percent DOUBLE,
    sess_unauthorised_percent DOUBLE,
    enrolments_pa_10_exact_percent DOUBLE,
    enrolments_pa_50_exact_percent DOUBLE,
    source VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS statistical_neighbours (
    la_code VARCHAR NOT NULL,
    neighbour_code VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    closeness VARCHAR,
    PRIMARY KEY (la_code, neighbour_code)
);
CREATE TABLE IF NOT EXISTS session_blocks (
    {block_columns}
);
CREATE TABLE IF NOT EXISTS census_blocks (
    {block_columns}
);
CREATE TABLE IF NOT EXISTS year_blocks (
    {block_columns},
    {summer2_columns}
);
CREATE TABLE IF NOT EXISTS contacts (
    contact_id VARCHAR PRIMARY KEY,
    title VARCHAR,
    forename VARCHAR,
    surname VARCHAR NOT NULL,
    address_line_1 VARCHAR,
    address_line_2 VARCHAR,
    town VARCHAR,
    postcode VARCHAR,
    phone VARCHAR,
    email VARCHAR,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pupil_contacts (
    upn VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    relationship VARCHAR NOT NULL,
    parental_responsibility BOOLEAN NOT NULL,
    lives_with BOOLEAN NOT NULL,
    priority INTEGER,
    import_id INTEGER NOT NULL,
    PRIMARY KEY (upn, contact_id)
);
CREATE TABLE IF NOT EXISTS contact_history (
    contact_id VARCHAR NOT NULL,
    title VARCHAR,
    forename VARCHAR,
    surname VARCHAR NOT NULL,
    address_line_1 VARCHAR,
    address_line_2 VARCHAR,
    town VARCHAR,
    postcode VARCHAR,
    phone VARCHAR,
    email VARCHAR,
    import_id INTEGER NOT NULL,
    superseded_by INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pupil_contact_history (
    upn VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    relationship VARCHAR NOT NULL,
    parental_responsibility BOOLEAN NOT NULL,
    lives_with BOOLEAN NOT NULL,
    priority INTEGER,
    import_id INTEGER NOT NULL,
    superseded_by INTEGER NOT NULL,
    ended BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS cohort_members (
    upn VARCHAR NOT NULL,
    cohort VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    source VARCHAR,
    import_id INTEGER NOT NULL,
    PRIMARY KEY (upn, cohort, start_date)
);
CREATE TABLE IF NOT EXISTS cohort_member_history (
    upn VARCHAR NOT NULL,
    cohort VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    source VARCHAR,
    import_id INTEGER NOT NULL,
    superseded_by INTEGER NOT NULL,
    removed BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS closures (
    urn INTEGER,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    session VARCHAR,
    reason VARCHAR
);
"""


#: Bump when the block layout or the code lookup it is built from changes: stores rebuild their blocks.
#: (2: census blocks added beside the weekly session blocks; 3: year blocks; 4: X read as COVID in 2020/21-2021/22.)
BLOCKS_VERSION = "4"
BLOCK_COUNTS = ["sess_possible", "sess_present", "sess_aea", "sess_authorised", "sess_unauthorised", *ABSENCE_REASONS]
#: The year blocks' counts for the second half of the summer term alone (see :meth:`Store.refresh_blocks`).
SUMMER2_COUNTS = [f"summer2_{c}" for c in BLOCK_COUNTS]
# The block tables' columns: the enrolment, the block's first and last day, and its counts.
SCHEMA = SCHEMA.replace(
    "{block_columns}",
    ",\n    ".join(
        ["enrolment_id INTEGER NOT NULL", "block_start DATE NOT NULL", "block_end DATE NOT NULL"]
        + [f"{c} INTEGER NOT NULL" for c in BLOCK_COUNTS]
    ),
)
SCHEMA = SCHEMA.replace("{summer2_columns}", ",\n    ".join(f"{c} INTEGER NOT NULL" for c in SUMMER2_COUNTS))
