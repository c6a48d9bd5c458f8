"""What the uploads page may repeat of a problem with an upload: never a server path, never a long value.

An upload is unpacked into a temporary folder on the server and imported from there, so a problem the
importer reports may name that folder, or a file in it, by its absolute path (``import_folder`` names
the folder it was given when it holds no register file; DuckDB's messages name the file it read). The
page shows each problem through :func:`shown`, which puts the file's own name in place of any absolute
path (``the upload`` for the folder itself) and cuts anything long short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attendwise.ingest import Problem

__all__ = ["shown", "without_paths"]

#: An absolute path (POSIX or Windows), where a word starts: a separator, then a name, then more.
_PATH = re.compile(r"""(?<![\w.~/-])(?:[A-Za-z]:)?[\\/](?=[^\s\\/'"])[^\s'"]*""")
#: The names a file in an upload may have (register files, and the zip they came in).
_FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|gz|zip)", re.IGNORECASE)
#: Longest message and file name shown in full.
_LONGEST_MESSAGE = 300
_LONGEST_FILE = 60


def _name_of(path: str) -> str:
    """The file a path names, if it is an upload's file; otherwise the upload itself (its folder)."""
    name = re.split(r"[\\/]", path.rstrip("\\/"))[-1]
    return name if _FILE_NAME.fullmatch(name) else "the upload"


def without_paths(text: str) -> str:
    """``text`` with every absolute path replaced by the name of the upload's file it names.

    >>> without_paths("Error reading '/tmp/attendwise-upload-k2x/marks.csv': bad line")
    "Error reading 'marks.csv': bad line"
    >>> without_paths("/tmp/attendwise-upload-k2x holds neither marks.csv nor pupils.csv")
    'the upload holds neither marks.csv nor pupils.csv'
    >>> without_paths("'/' is not a code; see docs/csv-layout.md for 2024/25 or https://www.gov.uk/x")
    "'/' is not a code; see docs/csv-layout.md for 2024/25 or https://www.gov.uk/x"
    >>> without_paths(r'Cannot open "C:\\Temp\\attendwise-upload-1\\pupils.csv"')
    'Cannot open "pupils.csv"'
    """
    return _PATH.sub(lambda m: _name_of(m.group(0)), text)


def _short(text: str, longest: int) -> str:
    return text if len(text) <= longest else f"{text[:longest]}... ({len(text):,} characters)"


def shown(problems: Iterable[Problem]) -> list[Problem]:
    """The problems as the page shows them: no server path, and nothing long repeated in full."""
    out = []
    for p in problems:
        file = without_paths(p.file)
        if re.search(r"[\\/]", file):  # a relative path: only its last part
            file = _name_of(file)
        field = None if p.field is None else _short(p.field, _LONGEST_FILE)
        message = _short(without_paths(p.message), _LONGEST_MESSAGE)
        out.append(Problem(_short(file, _LONGEST_FILE), p.line, field, message))
    return out
