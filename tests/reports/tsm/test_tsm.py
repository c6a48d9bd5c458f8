"""Targeting Support Meeting packs end to end: every school's in one pass, and from the command line."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from attendwise.cli import main
from attendwise.reports.tsm import tsm_pack, tsm_packs
from attendwise.store import Store
from tests.reports.tsm.tsm_school import URN, keys


class TestAllSchools:
    def test_every_school_in_one_pass_matches_one_school(self, school: tuple[str, dict[str, str]]) -> None:
        """Packs for every school agree with the single-school pack, and each school gets its own lists."""
        path, upns = school
        with Store(path, read_only=True) as store:
            packs = tsm_packs(store, "2024/25-autumn", exclude_cme={upns["cme"]})
            one = tsm_pack(store, URN, "2024/25-autumn", exclude_cme={upns["cme"]})
        assert sorted(packs) == [100001, 100002, 100003]
        assert packs[URN].severely_absent == one.severely_absent
        assert packs[URN].no_attendance_recently == one.no_attendance_recently
        assert keys(upns, packs[100002].severely_absent) == ["elm_half"]
        ash = packs[100003]
        assert ash.overall.year_to_date[2].enrolments is None  # no other secondary school in the LA
        assert ash.overall.year_to_date[3].area == "England (State-funded secondary)"


def run_cli(store: str, *args: str) -> tuple[int, str]:
    """Run the CLI; the output with rich's line wrapping undone (its width depends on the terminal)."""
    result = CliRunner().invoke(main, ["--store", store, *args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


class TestCommandLine:
    def test_one_school_with_inputs(self, school: tuple[str, dict[str, str]], tmp_path) -> None:
        """Given the store, when I ask for Oakfield's pack as XLSX with a CME file, a pupil to discuss and the
        previous actions, then the workbook holds them."""
        path, upns = school
        (tmp_path / "cme.txt").write_text(f"# CME register\n{upns['cme']}\n", encoding="utf-8")
        (tmp_path / "actions.csv").write_text(
            f"upn,agreed_on,action\n{upns['improving']},2024-11-04,Attendance contract\n", encoding="utf-8"
        )
        out = tmp_path / "oakfield.xlsx"
        code, output = run_cli(
            path,
            "tsm-pack",
            "--school",
            str(URN),
            "--term",
            "2024/25-autumn",
            "--out",
            str(out),
            "--cme",
            str(tmp_path / "cme.txt"),
            "--discuss",
            upns["regular"],
            "--actions",
            str(tmp_path / "actions.csv"),
        )
        assert code == 0, output
        assert "7 severely and 6 persistently absent" in output
        wb = openpyxl.load_workbook(out)
        assert wb["To discuss"]["A4"].value == upns["regular"]
        assert wb["Previous actions"]["I4"].value == "Yes"
        intro = wb["No attendance 3 weeks"]["A2"].value
        assert upns["cme"] in intro

    def test_all_schools(self, school: tuple[str, dict[str, str]], tmp_path) -> None:
        """Every school's pack, as HTML, into a folder."""
        code, output = run_cli(
            school[0],
            "tsm-pack",
            "--all-schools",
            "--term",
            "2024/25-autumn",
            "--out-dir",
            str(tmp_path / "packs"),
            "--format",
            "html",
        )
        assert code == 0, output
        names = sorted(p.name for p in (tmp_path / "packs").iterdir())
        assert names == [
            "tsm-2024-25-autumn-100001-oakfield-primary.html",
            "tsm-2024-25-autumn-100002-elm-primary.html",
            "tsm-2024-25-autumn-100003-ash-secondary.html",
        ]
        assert "Wrote 3 2024/25 autumn term packs" in output

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--term", "2024/25-autumn", "--out", "x.xlsx"], "either --school URN or --all-schools"),
            (["--school", "100001", "--term", "2024/25-autumn", "--out", "x.pdf"], ".xlsx or .html"),
            (["--school", "100001", "--term", "2024/25-autumn"], "needs --out"),
            (["--all-schools", "--term", "2024/25-autumn"], "needs --out-dir"),
            (["--school", "999999", "--term", "2024/25-autumn", "--out", "x.xlsx"], "no school with URN 999999"),
            (["--school", "42", "--term", "2024/25-autumn", "--out", "x.xlsx"], "'42' is not a URN"),
            (["--school", "100001", "--term", "2024/25", "--out", "x.xlsx"], "is not a term"),
        ],
    )
    def test_mistakes_are_explained_without_a_traceback(
        self, school: tuple[str, dict[str, str]], args: list[str], message: str
    ) -> None:
        code, output = run_cli(school[0], "tsm-pack", *args)
        assert code != 0 and message in output and "Traceback" not in output
