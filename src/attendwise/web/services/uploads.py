"""Register uploads: size-limited, unpacked safely, checked against the uploader's schools, imported all or nothing."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler

from attendwise.ingest import ImportResult, IngestError, Problem, import_folder
from attendwise.web.services.data import StoreAccess

__all__ = ["ALLOWED_NAMES", "LimitedTemporaryFileUploadHandler", "UploadOutcome", "import_upload"]

ALLOWED_NAMES = ("schools.csv", "pupils.csv", "marks.csv", "marks.csv.gz", "terms.csv", "closures.csv")


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


def _unpack(files: Iterable[UploadedFile], folder: Path, limit: int) -> list[Problem]:
    """Copy the uploaded CSV files (or a zip of them) into ``folder``, refusing anything else."""
    problems: list[Problem] = []
    for f in files:
        name = PurePosixPath((f.name or "").replace("\\", "/")).name.lower()
        if name.endswith(".zip"):
            try:
                with zipfile.ZipFile(f) as archive:
                    members = [m for m in archive.infolist() if not m.is_dir()]
                    if len(members) > len(ALLOWED_NAMES):
                        problems.append(Problem(name, None, None, "holds too many files"))
                        continue
                    if sum(m.file_size for m in members) > limit:
                        problems.append(Problem(name, None, None, "unpacks to more than the upload size limit"))
                        continue
                    for m in members:
                        inner = PurePosixPath(m.filename).name.lower()
                        if inner not in ALLOWED_NAMES:
                            problems.append(
                                Problem(
                                    name,
                                    None,
                                    None,
                                    f"{m.filename!r} is not a register file (expected {', '.join(ALLOWED_NAMES)})",
                                )
                            )
                            continue
                        with archive.open(m) as src, (folder / inner).open("wb") as dst:
                            copied = shutil.copyfileobj(src, dst, 1024 * 1024)
                            del copied
            except zipfile.BadZipFile:
                problems.append(Problem(name, None, None, "is not a valid zip file"))
            continue
        if name not in ALLOWED_NAMES:
            problems.append(
                Problem(
                    name or "upload",
                    None,
                    None,
                    f"is not a register file (expected {', '.join(ALLOWED_NAMES)}, or a zip of them)",
                )
            )
            continue
        with (folder / name).open("wb") as dst:
            for chunk in f.chunks():
                dst.write(chunk)
    return problems


def _urn_problems(folder: Path, allowed: frozenset[int] | None, la_calendar: bool, limit: int) -> list[Problem]:
    """Rows for schools the uploader does not work with (the importer checks everything else)."""
    problems: list[Problem] = []
    if allowed is None:
        return problems
    if (folder / "terms.csv").exists() and not la_calendar:
        problems.append(Problem("terms.csv", None, None, "only LA staff may change the LA's term dates"))
    for name in ("schools.csv", "pupils.csv", "marks.csv", "marks.csv.gz", "closures.csv"):
        path = folder / name
        if not path.exists():
            continue
        opener = gzip.open if name.endswith(".gz") else open
        with (
            opener(path, "rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text,
        ):
            reader = csv.reader(text)
            header = [h.strip().lower() for h in next(reader, [])]
            if "urn" not in header:
                continue  # the importer reports the missing column
            col = header.index("urn")
            read = 0
            for line, row in enumerate(reader, start=2):
                read += sum(len(v) for v in row)
                if read > 20 * limit:
                    problems.append(Problem(name, None, None, "is too large once unpacked"))
                    break
                value = row[col].strip() if col < len(row) else ""
                if not value and name == "closures.csv" and not la_calendar:
                    problems.append(Problem(name, line, "urn", "a closure for every school needs LA staff"))
                elif value.isdigit() and int(value) not in allowed:
                    problems.append(Problem(name, line, "urn", f"school {value} is not one of your schools"))
                if len(problems) >= 100:
                    return problems
    return problems


def import_upload(
    access: StoreAccess, files: list[UploadedFile], *, schools: frozenset[int] | None, la_calendar: bool
) -> UploadOutcome:
    """Unpack, check and import an upload; nothing is stored unless everything is good.

    Args:
        schools: the schools the uploader may send registers for (``None``: any school).
        la_calendar: whether the uploader may change LA-wide term dates and closures.
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
        if not problems:
            problems = _urn_problems(folder, schools, la_calendar, limit)
        if problems:
            return UploadOutcome(None, problems, len(problems))
        with access.write_lock:
            try:
                result = import_folder(access.store(), folder)
            except IngestError as exc:
                access.forget_version()  # a refused import stored nothing, but be sure nobody sees a stale version
                return UploadOutcome(None, list(exc.problems), exc.total or len(exc.problems))
        access.forget_version()  # every cached figure is now stale
        return UploadOutcome(result, [], 0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
