"""The fuzz test: a few hundred mutated register folders (``tests/fuzzing.py``) through the importer.

Each case starts from a small valid register, already stored, makes one to three mutations of its files
(truncated, bytes flipped, columns swapped, dropped or given twice, re-encoded, huge fields, many lines,
empty files, hostile values, gzipped, files missing), and imports it. It must be imported, or refused with
:class:`~attendwise.ingest.IngestError` whose every problem names a file of the folder and a line or field
(unless it is about the whole file) and is short, with the store exactly as before (every table's count and
hash sum): never another exception. ``benchmarks/bench_fuzz.py`` runs the same generator 10,000 times.

Hypothesis draws every choice, so a failure shrinks to the fewest, smallest mutations. On CI the examples
are the same every run (``derandomize``); elsewhere each run tries new ones.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendwise.ingest import import_folder
from attendwise.store import Store
from tests.fuzzing import DrawnChoices, fuzz_register, mutate, run_case

pytestmark = pytest.mark.slow

CASES = int(os.environ.get("ATTENDWISE_FUZZ_CASES", "200"))


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The register's folder, and a store file holding it (copied for each case)."""
    work = tmp_path_factory.mktemp("fuzz")
    folder = fuzz_register().write(work / "register")
    with Store(work / "stored.duckdb") as store:
        result = import_folder(store, folder)
    assert result.marks_added == 60 and result.enrolments_added == 4
    return folder, work / "stored.duckdb"


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_mutated_register_is_imported_or_refused_clearly(
    stored: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    register, store_file = stored
    work = tmp_path_factory.mktemp("case")
    folder = work / "upload"
    shutil.copytree(register, folder)
    done = mutate(folder, DrawnChoices(data.draw))
    shutil.copy(store_file, work / "store.duckdb")
    try:
        with Store(work / "store.duckdb") as store:
            outcome = run_case(store, folder)
        assert outcome.ok, f"{outcome.kind} after {done}:\n{outcome.detail}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_the_generator_reaches_every_outcome(stored: tuple[Path, Path], tmp_path: Path) -> None:
    """The mutations are not all refused on line 1: some cases import, and refusals come from every file
    and from the marks' own checks (so the fuzz reaches past the first check)."""
    import random

    from tests.fuzzing import RandomChoices

    register, store_file = stored
    outcomes, kinds, files = set(), set(), set()
    for i in range(30):
        folder = tmp_path / f"case{i}"
        shutil.copytree(register, folder)
        mutate(folder, RandomChoices(random.Random(i)))
        shutil.copy(store_file, tmp_path / "store.duckdb")
        with Store(tmp_path / "store.duckdb") as store:
            outcome = run_case(store, folder)
        assert outcome.ok, outcome.detail
        outcomes.add(outcome.kind)
        kinds.update(outcome.kinds)
        files.update(outcome.files)
        shutil.rmtree(folder)
    assert outcomes == {"imported", "refused"}
    assert {"marks.csv", "pupils.csv", "schools.csv"} <= files
    marks_checks = ("is not a national attendance code", "is not AM or PM", "is not a date", "is already given")
    assert any(check in kind for kind in kinds for check in marks_checks), sorted(kinds)
