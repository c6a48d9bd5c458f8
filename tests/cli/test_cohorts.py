"""The LA's priority cohorts on the command line: imported with the registers, measured with --by cohort:KEY."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from tests.cli.test_cli import run
from tests.registers import Register


def test_measures_bands_and_trends_by_a_cohort(tmp_path: Path, base: Register) -> None:
    """Pupil a is in EBSA from Wednesday: their six sessions from then count in it, their four before do not."""
    a = str(base.pupils[0]["upn"])
    base.cohort(a, "ebsa", "2024-09-04", source="EBSA panel")
    store = tmp_path / "s.duckdb"
    code, out = run(store, "import", str(base.write(tmp_path / "in")))
    assert code == 0 and "Cohort memberships (ebsa): 1 added." in out, out
    code, out = run(store, "measures", "--by", "cohort:ebsa", "--format", "csv")
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out)).set_index("cohort_ebsa")
    assert frame.at["Emotionally based school avoidance", "sess_possible"] == 6
    assert frame.at["Emotionally based school avoidance", "sess_overall"] == 2  # the II on Thursday
    assert frame.at["Not in cohort", "sess_possible"] == 14
    code, out = run(store, "bands", "--by", "cohort:ebsa", "--format", "csv")
    assert code == 0, out
    assert pd.read_csv(io.StringIO(out)).groupby("cohort_ebsa").enrolments.sum().to_dict() == {
        "Emotionally based school avoidance": 1,
        "Not in cohort": 2,
    }
    code, out = run(store, "trends", "--level", "term", "--by", "cohort:ebsa", "--format", "csv")
    assert code == 0, out
    assert set(pd.read_csv(io.StringIO(out)).cohort_ebsa) == {"Emotionally based school avoidance", "Not in cohort"}


def test_an_las_own_cohorts_file(tmp_path: Path, base: Register) -> None:
    ours = tmp_path / "ours.toml"
    ours.write_text('[[cohort]]\nkey = "carers"\nlabel = "Young carers"\n', encoding="utf-8")
    base.cohort(str(base.pupils[1]["upn"]), "carers", "2024-09-01")
    store = tmp_path / "s.duckdb"
    code, out = run(store, "--cohorts", str(ours), "import", str(base.write(tmp_path / "in")))
    assert code == 0, out
    code, out = run(store, "--cohorts", str(ours), "measures", "--by", "cohort:carers", "--format", "csv")
    assert code == 0 and "Young carers" in out, out
    code, out = run(store, "measures", "--by", "cohort:carers")
    assert code == 1 and "'carers' is not one of the LA's cohorts (ebsa, youth_justice)" in out
    code, out = run(store, "--cohorts", str(tmp_path / "none.toml"), "measures", "--by", "cohort:carers")
    assert code == 2 and "neither a cohorts preset" in out
