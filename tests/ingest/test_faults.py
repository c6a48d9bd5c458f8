"""Imports under faults: a process killed part way leaves the store exactly as before or exactly as after,
and the next import works; two imports at once never interleave.

The import runs in a child process (``python -c``, the importer exactly as ``attendwise import`` calls it,
printing each stage as it starts), and is killed with SIGKILL, which nothing can catch or clean up after: at
seeded random moments through the whole run, and at moments inside the write itself (between the
"storing" stage's start and end, where the marks are merged, the blocks rebuilt and the log written). The
store is then opened again (DuckDB replays or discards its write-ahead log) and compared with the store
before and after a whole import by every table's row count and the sum of its rows' hashes.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import attendwise
from attendwise.ingest import import_folder
from attendwise.store import Store, StoreError
from tests.fuzzing import fingerprint
from tests.registers import Register, school_days

pytestmark = pytest.mark.slow

#: The importer in a child process: the store, the folder; each stage printed as it starts.
IMPORTER = textwrap.dedent(
    """
    import time

    started = time.monotonic()

    import sys
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    def say(what):
        print(f"{time.monotonic() - started:.4f} {what}", flush=True)

    with Store(sys.argv[1]) as store:
        say("opened")
        import_folder(store, sys.argv[2], progress=lambda stage, done, total: say(f"{stage} {done}/{total}"))
    say("done")
    """
)

CODES = "////////////IIMNOGCEB"


def registers(seed: int = 10, pupils: int = 60, days: int = 60) -> tuple[Register, Register]:
    """Two schools' registers: ``days`` school days of marks for ``pupils`` pupils, the first import up to
    two thirds of the way; the second gives all of them, correcting a code in one mark of every twenty."""
    rng = random.Random(seed)
    first, second = Register(), Register()
    for reg in (first, second):
        reg.school(100001)
        reg.school(100002, phase="secondary")
    start = dt.date(2024, 9, 2)
    for i in range(pupils):
        urn = 100001 + i % 2
        kw = {"dob": "2015-03-01"} if urn == 100001 else {"dob": "2011-03-01", "nc_year": "8"}
        upn = first.pupil(urn, fsm=rng.choice("YN"), **kw)
        second.pupil(urn, upn=upn, fsm=first.pupils[-1]["fsm"], **kw)
        codes = [rng.choice(CODES) for _ in range(2 * days)]
        cut = 2 * (2 * days // 3)
        first.sessions(upn, codes[:cut], start, urn=urn)
        corrected = [rng.choice("IMO") if rng.random() < 0.05 else c for c in codes]
        second.sessions(upn, corrected, start, urn=urn)
    assert school_days(start, days)[-1] < dt.date(2024, 12, 20)
    return first, second


def child_env() -> dict[str, str]:
    src = str(Path(attendwise.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def start_import(store: Path, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(store), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )


class Stores:
    """The store before the import (a file to copy for each attempt), and what before and after look like."""

    def __init__(self, work: Path) -> None:
        first, second = registers()
        self.folder = second.write(work / "second")
        self.before_file = work / "before.duckdb"
        with Store(self.before_file) as store:
            import_folder(store, first.write(work / "first"))
            self.before = fingerprint(store)
        shutil.copy(self.before_file, work / "after.duckdb")
        self.timeline = self.run_whole(work / "after.duckdb")
        with Store(work / "after.duckdb") as store:
            self.after = fingerprint(store)
        assert self.before != self.after

    def run_whole(self, store: Path) -> dict[str, float]:
        """Import in a child process to the end; returns when each stage started (seconds from start)."""
        child = start_import(store, self.folder)
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        timeline = {}
        for line in out.splitlines():
            at, what = line.split(" ", 1)
            timeline.setdefault(what, float(at))
        return timeline

    def fresh(self, path: Path) -> Path:
        for suffix in ("", ".wal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.before_file, path)
        return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    return Stores(tmp_path_factory.mktemp("faults"))


def kill_after(child: subprocess.Popen[str], *, stage: str | None, delay: float) -> bool:
    """SIGKILL the child ``delay`` seconds after it prints ``stage`` (or after it starts); returns whether
    it was killed before it finished."""
    if stage is not None:
        while (line := child.stdout.readline()) and stage not in line:  # type: ignore[union-attr]
            pass
        if not line:  # finished (or failed) before the stage
            child.wait(timeout=60)
            return False
    time.sleep(delay)
    if child.poll() is not None:
        return False
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    return True


def test_a_killed_import_leaves_the_store_before_or_after(stores: Stores, tmp_path: Path) -> None:
    """Killed at 3 random moments of the import, 3 inside its write, and 2 just after it commits (before the
    store is closed, so DuckDB must replay its log): every time, the store opens, is exactly as before or
    exactly as after, and importing again leaves it exactly as after."""
    rng = random.Random(20241202)
    at = stores.timeline
    moments = [("opened", rng.uniform(0, at["done"] - at["opened"])) for _ in range(3)]
    moments += [("storing 0/1", rng.uniform(0, at["storing 1/1"] - at["storing 0/1"])) for _ in range(3)]
    moments += [("storing 1/1", rng.uniform(0, 0.01)) for _ in range(2)]
    seen = []
    for stage, delay in moments:
        path = stores.fresh(tmp_path / "store.duckdb")
        killed = kill_after(start_import(path, stores.folder), stage=stage, delay=delay)
        with Store(path) as store:
            now = fingerprint(store)
            assert now in (stores.before, stores.after), (stage, delay, killed)
            seen.append("before" if now == stores.before else "after")
            import_folder(store, stores.folder)
            again = fingerprint(store)
        assert {t: v for t, v in again.items() if t != "imports"} == {
            t: v for t, v in stores.after.items() if t != "imports"
        }
        assert again["imports"][0] in (2, 3)
    assert "before" in seen[3:6], seen  # killed inside the write: nothing of it is kept
    assert seen[6:] == ["after", "after"], seen  # killed once it committed: all of it is


def test_two_imports_at_once_never_interleave(stores: Stores, tmp_path: Path) -> None:
    """Two processes import into one store at once: one imports, the other is told the store is in use by
    another attendwise process (it never waits on, or writes among, the first one's work), and the store
    ends exactly as after one import."""
    path = stores.fresh(tmp_path / "store.duckdb")
    children = [start_import(path, stores.folder) for _ in range(2)]
    results = [child.communicate(timeout=300) for child in children]
    codes = sorted(child.returncode for child in children)
    refused = [err for child, (_, err) in zip(children, results, strict=True) if child.returncode]
    assert codes[0] == 0
    for err in refused:
        assert "is in use by another attendwise process" in err and "StoreError" in err, err[-500:]
    with Store(path) as store:
        now = fingerprint(store)
    imports = 3 if not refused else 2  # both may succeed one after the other: the second changes nothing
    assert now["imports"][0] == imports
    assert {t: v for t, v in now.items() if t != "imports"} == {t: v for t, v in stores.after.items() if t != "imports"}


def test_two_imports_in_one_process_never_interleave(stores: Stores, tmp_path: Path) -> None:
    """Two threads, each with its own connection to the store (as the web server's are), import at once.
    DuckDB lets both write: both took import id 2, and the second failed on the import log's key after
    checking its rows against a store the first was changing. The importer holds the store's writer lock:
    one imports, then the other (changing nothing more), and the store ends exactly as after."""
    import threading

    path = stores.fresh(tmp_path / "store.duckdb")
    start = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(i: int) -> None:
        with Store(path) as store:
            start.wait()
            try:
                results[i] = import_folder(store, stores.folder).import_id
            except Exception as exc:
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(results) == [2, 3], results  # type: ignore[type-var]
    with Store(path) as store:
        now = fingerprint(store)
    assert {t: v for t, v in now.items() if t != "imports"} == {t: v for t, v in stores.after.items() if t != "imports"}


def test_an_import_while_another_process_holds_the_store_is_refused(stores: Stores, tmp_path: Path) -> None:
    """The CLI against a store the web app holds open (another process): the clear StoreError, naming the
    holder's PID, and the store untouched."""
    path = stores.fresh(tmp_path / "store.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom attendwise.store import Store\ns = Store(sys.argv[1])\n"
            "print('open', flush=True)\ntime.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert holder.stdout.readline().strip() == "open"  # type: ignore[union-attr]
        with pytest.raises(StoreError, match=rf"in use by another attendwise process \(PID {holder.pid}\)"):
            Store(path)
        cli = subprocess.run(
            [sys.executable, "-m", "attendwise.cli", "--store", str(path), "import", str(stores.folder)],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=120,
        )
        assert cli.returncode == 1 and "in use by another attendwise process" in cli.stderr, cli.stderr
        assert "Traceback" not in cli.stderr
    finally:
        holder.kill()
        holder.wait()
    with Store(path) as store:
        assert fingerprint(store) == stores.before
