"""Uploads at once: the web process imports one at a time, so two never interleave.

Each server thread has its own connection to the store; an upload imports through it inside the store's
write lock. Across processes DuckDB's own file lock keeps a second writer out (the CLI is told the store is
in use: ``tests/ingest/test_faults.py``).
"""

from __future__ import annotations

import contextlib
import shutil
import threading

from django.core.files.uploadedfile import SimpleUploadedFile

from attendwise.ingest import ImportScope
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.uploads import import_upload
from tests.cities import A, B
from tests.fuzzing import fingerprint

SCOPE = ImportScope(who="officer", via="web", source="upload")


def correction(upn: str, urn: int) -> list[SimpleUploadedFile]:
    marks = f"upn,urn,date,session,code\n{upn},{urn},2024-09-02,AM,I\n{upn},{urn},2024-09-03,PM,M\n"
    return [SimpleUploadedFile("marks.csv", marks.encode())]


def upload_together(access: StoreAccess, uploads: list[list[SimpleUploadedFile]]) -> list:
    """Each upload on its own thread (its own connection), all let go at once."""
    start = threading.Barrier(len(uploads))
    outcomes: list = [None] * len(uploads)

    def run(i: int) -> None:
        access.store()  # open this thread's connection before the start
        start.wait()
        outcomes[i] = import_upload(access, uploads[i], scope=SCOPE)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(uploads))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def one_after_the_other(path, uploads: list[list[SimpleUploadedFile]]) -> dict:
    """The store's fingerprint after importing ``uploads`` in turn into a copy at ``path``."""
    access = StoreAccess(path)
    for upload in uploads:
        assert import_upload(access, [SimpleUploadedFile(f.name, f.read()) for f in upload], scope=SCOPE).ok
        for f in upload:
            f.seek(0)
    return fingerprint(access.store())


def test_two_uploads_at_once_are_imported_one_after_the_other(city, tmp_path, settings) -> None:
    """Two officers upload at the same moment: both are imported, as imports 2 and 3, and the store ends
    exactly as after the one and then the other (in either order)."""
    settings.ATTENDWISE_UPLOAD_MAX_BYTES = 1 << 20
    uploads = [correction(city.pupils["a_good0"], A), correction(city.pupils["b_pupil"], B)]
    serial = []
    for order, name in ((uploads, "ab"), (uploads[::-1], "ba")):
        shutil.copy(city.path, tmp_path / f"{name}.duckdb")
        serial.append(one_after_the_other(tmp_path / f"{name}.duckdb", order))
    copy = tmp_path / "together.duckdb"
    shutil.copy(city.path, copy)
    access = StoreAccess(copy)
    outcomes = upload_together(access, uploads)
    assert all(o is not None and o.ok for o in outcomes), outcomes
    assert sorted(o.result.import_id for o in outcomes) == [2, 3]
    assert sorted(o.result.marks_changed for o in outcomes) == [2, 2]
    assert fingerprint(access.store()) in serial


def test_the_importer_keeps_them_apart_by_itself(city, tmp_path, settings, monkeypatch) -> None:
    """Without the web's own write lock the two uploads still import one after the other: the importer
    holds the store's writer lock (without either, both took import id 2 and the second failed on the
    key)."""
    settings.ATTENDWISE_UPLOAD_MAX_BYTES = 1 << 20
    copy = tmp_path / "unlocked.duckdb"
    shutil.copy(city.path, copy)
    access = StoreAccess(copy)
    monkeypatch.setattr(access, "write_lock", contextlib.nullcontext())
    outcomes = upload_together(access, [correction(city.pupils["a_good0"], A), correction(city.pupils["b_pupil"], B)])
    assert all(o is not None and o.ok for o in outcomes), outcomes
    assert sorted(o.result.import_id for o in outcomes) == [2, 3]
