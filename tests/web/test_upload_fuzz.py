"""Uploads as an attacker would send them: zip bombs (a high ratio, many files), names that climb out of the
upload's folder (``../x``, absolute paths, backslashes, drive letters), symlinks, zips in zips, gzip bombs,
names given twice and what is not a zip at all. Every one is refused with a clear problem or unpacked within
the limits, never outside the upload's folder, never as a link, and never with a traceback.
"""

from __future__ import annotations

import gzip
import io
import shutil
import stat
import zipfile
from functools import cache
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendwise.ingest import ImportScope
from attendwise.store import Store
from attendwise.web.services.uploads import ALLOWED_NAMES, _unpack, import_upload
from tests.cities import A
from tests.fuzzing import LONGEST_PROBLEM, fingerprint, fuzz_register

#: Zips with a name given twice are built on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")

#: The unpacked size allowed in these tests.
LIMIT = 1 << 20
REGISTER_FILES = {name.removesuffix(".gz") for name in ALLOWED_NAMES}


@cache
def register_files() -> dict[str, bytes]:
    folder = Path(__import__("tempfile").mkdtemp())
    fuzz_register().write(folder)
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    shutil.rmtree(folder)
    return files


@cache
def bomb(size: int = 16 << 20) -> bytes:
    """``size`` zero bytes, deflated (about a thousand to one)."""
    return b"0" * size


@cache
def gzip_bomb() -> bytes:
    return gzip.compress(bomb(), compresslevel=9, mtime=0)


@cache
def zip_of(entries: tuple[tuple[str, bytes, int, bool], ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, method, link in entries:
            info = zipfile.ZipInfo(name or "x")
            info.compress_type = method
            if link:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


@cache
def many_files(n: int) -> bytes:
    return zip_of(tuple((f"{i:07d}.csv", b"", zipfile.ZIP_STORED, False) for i in range(n)))


NAMES = [
    *ALLOWED_NAMES,
    "MARKS.CSV",
    "Marks.csv.GZ",
    "../marks.csv",
    "../../../../tmp/marks.csv",
    "/etc/marks.csv",
    "/marks.csv",
    "..\\..\\marks.csv",
    "C:\\Windows\\marks.csv",
    "C:marks.csv",
    "a/b/../../marks.csv",
    "registers/pupils.csv",
    "marks.csv/",
    "marks.csv\x00.txt",
    " marks.csv",
    "marks.csv ",
    "ｍａｒｋｓ.csv",
    "marks.csv.zip",
    "inner.zip",
    ".",
    "..",
    "",
    "x" * 300 + ".csv",
    "../../evil.csv",
]

CONTENTS = st.one_of(
    st.sampled_from(sorted(register_files())).map(lambda n: register_files()[n]),
    st.binary(max_size=200),
    st.just(b""),
    st.builds(lambda n: bomb()[:n], st.sampled_from([LIMIT - 1, LIMIT, LIMIT + 1, 16 << 20])),
    st.sampled_from(sorted(register_files())).map(lambda n: gzip.compress(register_files()[n], mtime=0)),
    st.just(b"gzip bomb").map(lambda _: gzip_bomb()),
    st.just(b"nested").map(
        lambda _: zip_of((("marks.csv", register_files()["marks.csv"], zipfile.ZIP_DEFLATED, False),))
    ),
    st.just(b"/etc/passwd"),
)
METHODS = st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])


@st.composite
def a_zip(draw: st.DrawFn) -> bytes:
    entries = draw(
        st.lists(st.tuples(st.sampled_from(NAMES), CONTENTS, METHODS, st.booleans()), min_size=0, max_size=8)
    )
    data = zip_of(tuple(entries))
    how = draw(st.sampled_from(["whole", "whole", "cut short", "a byte flipped", "many files", "lots of files"]))
    if how == "cut short":
        return data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    if how == "a byte flipped" and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if how == "many files":
        return many_files(1_000)  # a directory under the bound: zipfile reads it, the count refuses it
    if how == "lots of files":
        return many_files(20_000)  # a directory over the bound: refused before zipfile reads it
    return data


UPLOADS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["registers.zip", "REGISTERS.ZIP", "x.zip", "marks.csv.zip"]), a_zip()),
        st.tuples(st.sampled_from(NAMES), CONTENTS),
    ),
    min_size=1,
    max_size=4,
)


def files_of(upload: list[tuple[str, bytes]]) -> list[SimpleUploadedFile]:
    """The files as Django hands them over (it refuses a name such as '.' itself, before the app sees it)."""
    from django.core.exceptions import SuspiciousFileOperation

    out = []
    for name, content in upload:
        try:
            out.append(SimpleUploadedFile(name or "upload", content))
        except SuspiciousFileOperation:
            out.append(SimpleUploadedFile("upload", content))
    return out


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(upload=UPLOADS)
def test_an_upload_is_unpacked_safely_or_refused(tmp_path_factory: pytest.TempPathFactory, upload) -> None:
    """Whatever is sent: no exception; only register files, only in the upload's folder, no links, no more
    than the limit in all; each problem short, naming what was sent; with no problem, the files are what was
    sent."""
    root = tmp_path_factory.mktemp("root")
    folder = root / "inside" / "upload"
    folder.mkdir(parents=True)
    problems = _unpack(files_of(upload), folder, LIMIT)
    assert sorted(p.name for p in root.iterdir()) == ["inside"]
    assert sorted(p.name for p in (root / "inside").iterdir()) == ["upload"]
    written = list(folder.iterdir())
    assert all(p.is_file() and not p.is_symlink() and p.name in REGISTER_FILES for p in written), written
    assert sum(p.stat().st_size for p in written) <= LIMIT
    assert not Path("/tmp/marks.csv").exists() and not Path("/etc/marks.csv").exists()
    for p in problems:
        assert len(str(p)) <= LONGEST_PROBLEM and len(p.file) <= 120, str(p)[:300]
    if not problems and len(upload) == 1 and not upload[0][0].lower().endswith(".zip"):
        name, content = upload[0]
        [only] = written
        assert only.read_bytes() == (gzip.decompress(content) if name.lower().endswith(".gz") else content)
    shutil.rmtree(root)


def test_a_zip_listing_thousands_of_files_is_refused_before_it_is_read(monkeypatch) -> None:
    """zipfile builds an object per file of a zip's directory before anything can count them: 300,000
    empty files (27 MB) cost seven seconds and 170 MB of the web process, so the upload limit's 200 MB a
    minute and more than a gigabyte. The directory's size is read first, and zipfile never opens it."""
    upload = files_of([("registers.zip", many_files(20_000))])
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: pytest.fail("zipfile read the directory"))
    problems = _unpack(upload, Path("/nonexistent"), LIMIT)
    assert [str(p) for p in problems] == ["registers.zip: holds too many files"]


HOSTILE = {
    "zip bomb": ("registers.zip", zip_of((("marks.csv", bomb(), zipfile.ZIP_DEFLATED, False),))),
    "gzip bomb": ("marks.csv.gz", gzip_bomb()),
    "gzip bomb in a zip": (
        "r.zip",
        zip_of((("marks.csv.gz", gzip_bomb(), zipfile.ZIP_STORED, False),)),
    ),
    "climbing out": ("r.zip", zip_of((("../../etc/schools.csv", b"urn\n", zipfile.ZIP_STORED, False),))),
    "a link": ("r.zip", zip_of((("pupils.csv", b"/etc/passwd", zipfile.ZIP_STORED, True),))),
    "a zip in a zip": ("r.zip", zip_of((("inner.zip", zip_of((("marks.csv", b"x", 0, False),)), 0, False),))),
    "twice": ("r.zip", zip_of((("marks.csv", b"a", 0, False), ("MARKS.CSV", b"b", 0, False)))),
    "many files": ("r.zip", many_files(5_000)),
    "not a zip": ("r.zip", b"PK\x03\x04" + b"\x00" * 100),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_upload_is_refused_clearly_and_stores_nothing(client_as, city, tmp_path, settings, case) -> None:
    """Through the upload page, as a school user: 400, each problem named, the store exactly as before."""
    from attendwise.web.services import data

    settings.ATTENDWISE_UPLOAD_MAX_BYTES = LIMIT
    copy = tmp_path / "copy.duckdb"
    shutil.copy(city.path, copy)
    settings.ATTENDWISE_STORE = copy
    data.reset_access()
    with Store(copy, read_only=True) as store:
        before = fingerprint(store)
    name, content = HOSTILE[case]
    upload = io.BytesIO(content)
    upload.name = name
    response = client_as("school_a").post(reverse("uploads"), {"files": [upload]})
    assert response.status_code == 400
    assert b"There is a problem" in response.content or b"Nothing was stored" in response.content
    data.reset_access()
    with Store(copy, read_only=True) as store:
        assert fingerprint(store) == before


def test_import_upload_refuses_what_it_cannot_unpack(city, tmp_path, settings) -> None:
    """The service itself (as the page calls it): a refusal, never an exception, for every hostile upload."""
    from attendwise.web.services.data import StoreAccess

    settings.ATTENDWISE_UPLOAD_MAX_BYTES = LIMIT
    copy = tmp_path / "copy.duckdb"
    shutil.copy(city.path, copy)
    access = StoreAccess(copy)
    scope = ImportScope(who="school_a", via="web", schools=frozenset({A}), la_data=False, source="upload")
    before = fingerprint(access.store())
    for name, content in HOSTILE.values():
        outcome = import_upload(access, files_of([(name, content)]), scope=scope)
        assert not outcome.ok and outcome.problems, name
        assert all(len(str(p)) <= LONGEST_PROBLEM for p in outcome.problems)
    assert fingerprint(access.store()) == before
