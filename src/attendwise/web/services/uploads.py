"""Register uploads: size-limited, unpacked safely, and imported all or nothing within the uploader's scope.

What an uploader may change is not checked here: the importer checks it on the values it parses and
stores (:class:`attendwise.ingest.ImportScope`), so no spelling of a URN can pass one and reach the other.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import pandas as pd
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler

from attendwise.core.identifiers import show
from attendwise.documents.tables import Column, Table, table_from_frame
from attendwise.ingest import ImportResult, ImportScope, IngestError, Problem, import_folder
from attendwise.store import Store
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess

__all__ = ["ALLOWED_NAMES", "LimitedTemporaryFileUploadHandler", "UploadOutcome", "import_history", "import_upload"]

ALLOWED_NAMES = (
    "schools.csv", "pupils.csv", "marks.csv", "marks.csv.gz", "terms.csv", "closures.csv", "contacts.csv",
    "cohorts.csv",
)  # fmt: skip


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Writes uploads to temporary files and stops reading once the size limit is passed."""

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[arg-type]
        self.received = getattr(self, "received", 0)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = getattr(self, "received", 0) + len(raw_data)
        if self.received > settings.ATTENDWISE_UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)


@dataclass
class UploadOutcome:
    result: ImportResult | None
    problems: list[Problem]
    total_problems: int

    @property
    def ok(self) -> bool:
        return self.result is not None


def _refuse(message: str, file: str = "upload") -> UploadOutcome:
    return UploadOutcome(None, [Problem(file, None, None, message)], 1)


#: Errors a damaged or hostile zip or gzip file raises while it is read (bad headers, CRCs, methods,
#: encryption, truncated streams).
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError)


def _copy_limited(src: BinaryIO, dst: BinaryIO, room: int) -> int:
    """Copy ``src`` to ``dst``, stopping once more than ``room`` bytes have come; returns the bytes copied."""
    copied = 0
    while chunk := src.read(1024 * 1024):
        copied += len(chunk)
        if copied > room:
            return copied
        dst.write(chunk)
    return copied


class _Unpacked:
    """The register files of an upload, written into one folder under one limit on their unpacked size."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.folder, self.room = folder, limit
        self.problems: list[Problem] = []
        self.names: set[str] = set()

    def add(self, name: str, src: BinaryIO, shown: str) -> None:
        """Write one register file (a gzipped ``marks.csv.gz`` is unpacked to ``marks.csv``)."""
        plain = name.removesuffix(".gz")
        if plain in self.names:
            self.problems.append(Problem(shown, None, None, f"{plain} is given twice: upload it once"))
            return
        self.names.add(plain)
        with (self.folder / plain).open("wb") as dst:
            reader: BinaryIO = gzip.GzipFile(fileobj=src) if name.endswith(".gz") else src  # type: ignore[assignment]
            try:
                copied = _copy_limited(reader, dst, self.room)
            except (gzip.BadGzipFile, *_ARCHIVE_ERRORS, zlib.error):
                self.problems.append(Problem(shown, None, None, "is not a valid gzip file"))
                return
        if copied > self.room:
            self.problems.append(Problem(shown, None, None, "unpacks to more than the upload size limit"))
        self.room -= copied


#: The largest central directory (a zip's list of its files) read: that of a zip of every register file,
#: with long names, is under 4 KiB. zipfile reads the whole directory into objects before anything can
#: count them, so a 200 MB zip of two million empty files cost a minute and a gigabyte.
_MOST_DIRECTORY = 64 * 1024


def _directory_size(f: BinaryIO) -> int:
    """The size of a zip's central directory, as zipfile will read it (0 for what is not a zip: zipfile
    then refuses it)."""
    f.seek(0)
    try:
        end = zipfile._EndRecData(f)  # type: ignore[attr-defined]  # the record zipfile itself reads
    except OSError:
        end = None
    f.seek(0)
    return int(end[zipfile._ECD_SIZE]) if end else 0  # type: ignore[attr-defined]


def _unpack(files: Iterable[UploadedFile], folder: Path, limit: int) -> list[Problem]:
    """Copy the uploaded CSV files (or a zip of them) into ``folder``, refusing anything else: other
    names, a file given twice, more files than there are register files, and more than ``limit`` bytes
    unpacked in all (whatever a zip's or gzip's headers claim)."""
    unpacked = _Unpacked(folder, limit)
    expected = f"expected {', '.join(ALLOWED_NAMES)}"
    for f in files:
        name = PurePosixPath((f.name or "").replace("\\", "/")).name.lower()
        if not name.endswith(".zip"):
            if name in ALLOWED_NAMES:
                f.seek(0)
                unpacked.add(name, f, name)  # type: ignore[arg-type]
            else:
                why = f"is not a register file ({expected}, or a zip of them)"
                unpacked.problems.append(Problem((name or "upload")[:80], None, None, why))
            continue
        try:
            if _directory_size(f) > _MOST_DIRECTORY:
                unpacked.problems.append(Problem(name, None, None, "holds too many files"))
                continue
            with zipfile.ZipFile(f) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) > len(ALLOWED_NAMES):
                    unpacked.problems.append(Problem(name, None, None, "holds too many files"))
                    continue
                for m in members:
                    inner = PurePosixPath(m.filename.replace("\\", "/")).name.lower()
                    if inner not in ALLOWED_NAMES:
                        unpacked.problems.append(
                            Problem(name, None, None, f"{show(m.filename)} is not a register file ({expected})")
                        )
                        continue
                    with archive.open(m) as src:
                        unpacked.add(inner, src, f"{name}: {inner}")  # type: ignore[arg-type]
        except (*_ARCHIVE_ERRORS, zlib.error):
            unpacked.problems.append(Problem(name, None, None, "is not a valid zip file"))
    return unpacked.problems


def import_upload(access: StoreAccess, files: list[UploadedFile], *, scope: ImportScope) -> UploadOutcome:
    """Unpack, check and import an upload; nothing is stored unless everything is good.

    Args:
        scope: who is uploading and what they may change (the importer refuses every row outside it,
            on the values it parses and stores).
    """
    if access.read_only:
        return _refuse("uploads are switched off: the store is open read-only")
    if not files:
        return _refuse("choose a register file to upload", "file")
    limit = int(settings.ATTENDWISE_UPLOAD_MAX_BYTES)
    folder = Path(tempfile.mkdtemp(prefix="attendwise-upload-"))
    try:
        problems = _unpack(files, folder, limit)
        if not problems and not any(folder.iterdir()):
            problems = [Problem("upload", None, None, "holds no register files")]
        if problems:
            return UploadOutcome(None, problems, len(problems))
        with access.write_lock:
            try:
                result = import_folder(access.store(), folder, scope=scope, cohorts=figures.priority_cohorts())
            except IngestError as exc:
                access.forget_version()  # a refused import stored nothing, but be sure nobody sees a stale version
                return UploadOutcome(None, list(exc.problems), exc.total or len(exc.problems))
        access.forget_version()  # every cached figure is now stale
        return UploadOutcome(result, [], 0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def import_history(store: Store, schools: frozenset[int] | None, *, limit: int = 20) -> Table:
    """The import log as a table: who imported what, when, how, and what it changed; for a user with
    some schools, only the imports that touched no other school (their own import history)."""
    entries = store.import_log(limit=limit, only_schools=schools)
    own = schools is not None
    frame = pd.DataFrame(
        [
            {
                "import_id": e.import_id,
                "imported_at": f"{e.imported_at:%Y-%m-%d %H:%M}" if e.imported_at else "",
                "imported_by": e.imported_by or "not recorded",
                "via": {"web": "upload", "cli": "command line"}.get(e.via or "", "not recorded"),
                "files": e.files,
                "schools": ", ".join(map(str, e.schools_touched))
                if len(e.schools_touched) <= 5
                else f"{len(e.schools_touched)} schools",
                "changes": " ".join(e.changes) or "not recorded",
            }
            for e in entries
        ],
        columns=["import_id", "imported_at", "imported_by", "via", "files", "schools", "changes"],
    )
    return table_from_frame(
        frame,
        "Your schools' imports" if own else "Recent imports",
        [
            Column("import_id", "Import"),
            Column("imported_at", "When"),
            Column("imported_by", "By"),
            Column("via", "How"),
            Column("files", "Files"),
            Column("schools", "Schools"),
            Column("changes", "What changed"),
        ],
        empty="Nothing imported yet.",
    )
