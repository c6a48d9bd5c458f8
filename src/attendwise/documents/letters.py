"""Letters from the LA's own Word templates: checked when uploaded, merged per parent, written as .docx and PDF.

**Templates** are Word ``.docx`` files with placeholders in docxtpl's syntax (Jinja inside the document's
text): ``{{ pupil.first_name }}``, ``{% if parent.email %}...{% endif %}``, and docxtpl's ``{%p ... %}``
(a whole paragraph), ``{%tr ... %}`` (a table row) and ``{%r ... %}`` (a run). They may name only the merge
fields of :data:`attendwise.documents.letter_fields.MERGE_FIELDS`: :func:`load_template` refuses a template
naming any other field, or with a placeholder Jinja cannot read, or calling a function, saying which and
where. Templates are rendered in Jinja's sandbox with every value escaped, so a template or a parent's name
can neither run code on the server nor break the document. Placeholders in the body, the headers, the
footers and the footnotes are merged.

**Rendering** (:func:`render_letter`, :func:`render_letters`) compiles each part of a template once and
merges each letter by rendering those parts and writing a new .docx with every other part copied as it
is, after a zip of those other parts made once: about 1 ms a letter, where docxtpl's own ``render``
(which reparses the whole document for every letter) takes about 50 ms.

**PDF** (:func:`docx_to_pdf`) is LibreOffice, headless (``soffice``, Debian's ``libreoffice-writer-nogui``),
converting the merged .docx itself, so the PDF is the letter the LA designed in Word. Starting LibreOffice
costs a second or two and each document it opens about 0.15 s, so a batch is converted in one run, and
letters from one template that differ only in their body (their headers and footers the same, and no
``NUMPAGES`` field) are joined into one document, each starting on a new page (a page break before it, or,
when pages are numbered or first pages differ, a section of its own with its numbers restarting), converted
together and split again at a bookmark LibreOffice writes as a PDF destination at the start of each letter:
1,000 one-page letters take about 30 s of CPU instead of about seven minutes converted a document each
(``benchmarks/bench_letters.py``). A joined batch whose destinations do not come out one per letter is
converted letter by letter instead. See ``docs/design.md``.

>>> from attendwise.documents.letter_fields import FIELD_NAMES
>>> sorted(shipped_templates())
['attendance-concern', 'attendance-summary', 'first-day-contact', 'meeting-invitation']
>>> all(t.fields <= FIELD_NAMES for t in shipped_templates().values())
True
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from attendwise.core.errors import AttendwiseError
from attendwise.documents.letter_fields import FIELD_NAMES, MERGE_FIELDS, LetterContext, letter_contexts

if TYPE_CHECKING:
    from attendwise.store import Store

__all__ = [
    "Letter",
    "LetterTemplate",
    "PdfError",
    "TemplateError",
    "TemplateProblem",
    "docx_to_pdf",
    "letters_for",
    "load_template",
    "pdf_available",
    "render_letter",
    "render_letters",
    "shipped_templates",
    "template_problems",
]

#: The template parts whose placeholders are merged (the body, headers, footers, footnotes and endnotes).
_MERGED_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
#: The most a template may hold, unpacked (a Word letter with a logo is well under 5 MB).
MAX_TEMPLATE_BYTES = 50 * 1024 * 1024
#: The groups of merge fields (``pupil``, ``parent``, ...) and the fields that are not in a group (``date``).
_GROUPS = {f.name.split(".")[0] for f in MERGE_FIELDS}


class TemplateError(AttendwiseError):
    """A letter template that was refused, with every problem found in it."""

    def __init__(self, name: str, problems: Sequence[TemplateProblem]) -> None:
        self.name = name
        self.problems = list(problems)
        super().__init__(f"{name}: " + "; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class TemplateProblem:
    """One problem in a template: the merge field it is about (if any) and what is wrong."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


# -------------------------------------------------------------------------------------------------
# Reading and checking a template
# -------------------------------------------------------------------------------------------------
def _environment() -> jinja2.Environment:
    return ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@cache
def _docxtpl_patcher() -> Any:
    """docxtpl's clean-up of Word's XML around placeholders (Word splits ``{{ x }}`` across runs), without a
    document (the methods use none of its state)."""
    from docxtpl import DocxTemplate

    return DocxTemplate.__new__(DocxTemplate)


def _prepare(xml: str) -> str:
    """A part's XML as Jinja reads it: docxtpl's patches, one paragraph a line (so errors have a line)."""
    patched = _docxtpl_patcher().patch_xml(xml)
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


_MULTILINE_TEXT = re.compile(r"(<w:t(?:\s[^>]*)?>)([^<]*\n[^<]*)(</w:t>)")
_LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


def _finish(xml: str) -> str:
    """A rendered part back as Word XML: docxtpl's steps after rendering, a value's line breaks made Word's."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return _MULTILINE_TEXT.sub(lambda m: m[1] + m[2].replace("\n", _LINE_BREAK) + m[3], xml)


def _text_near(source: str, lineno: int | None) -> str:
    """The document text of the paragraph on a line of a prepared part (or of the lines about it), for an
    error message."""
    if lineno is None:
        return ""
    lines = source.splitlines()

    def text(chunk: list[str]) -> str:
        return re.sub(r"\s+", " ", " ".join(re.sub(r"<[^>]+>", "", line) for line in chunk)).strip()

    found = text(lines[lineno - 1 : lineno]) or text(lines[max(lineno - 2, 0) : lineno + 1])
    return found if len(found) <= 80 else found[:77] + "..."


def _path(node: nodes.Node) -> str | None:
    """``pupil.first_name`` for ``pupil.first_name`` or ``pupil['first_name']``; ``None`` for anything else."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _path(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


def _assigned(tree: nodes.Template) -> set[str]:
    """Names the template binds itself (loop variables, ``set``, macro arguments), and Jinja's ``loop``."""
    names = {"loop"}
    for node in tree.find_all((nodes.For, nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.CallBlock)):
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            names |= {a.name for a in node.args}
            if isinstance(node, nodes.Macro):
                names.add(node.name)
            continue
        target = node.target
        names |= {n.name for n in target.find_all(nodes.Name)} | (
            {target.name} if isinstance(target, nodes.Name) else set()
        )
    return names


def _unknown(path: str) -> TemplateProblem:
    root = path.split(".")[0]
    if path in _GROUPS:
        some = ", ".join(f.name for f in MERGE_FIELDS if f.name.startswith(path + "."))
        return TemplateProblem(path, f"{{{{ {path} }}}} names a group of fields, not one: use one of {some}")
    close = difflib.get_close_matches(path, sorted(FIELD_NAMES), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]}?)" if close else ""
    where = "" if root in _GROUPS or root == "date" else " (and no group of fields is called " + root + ")"
    return TemplateProblem(
        path, f"{{{{ {path} }}}} is not a merge field attendwise has{hint}{where}; see the list of merge fields"
    )


def _check_tree(tree: nodes.Template, problems: list[TemplateProblem]) -> set[str]:
    """The merge fields a parsed part uses, adding a problem for each name attendwise does not have."""
    local = _assigned(tree)
    used: set[str] = set()
    said: set[str] = {p.field for p in problems if p.field}

    def visit(node: nodes.Node) -> None:
        if isinstance(node, nodes.Include | nodes.Extends | nodes.Import | nodes.FromImport):
            problems.append(TemplateProblem(None, "a template may not include, import or extend another template"))
            return
        if isinstance(node, nodes.Call):
            problems.append(
                TemplateProblem(None, "a template may not call functions: it may name merge fields and use filters")
            )
            return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem) and getattr(node, "ctx", "load") == "load":
            path = _path(node)
            if path is not None:
                if path.split(".")[0] not in local:
                    if path in FIELD_NAMES:
                        used.add(path)
                    elif path not in said:
                        said.add(path)
                        problems.append(_unknown(path))
                return
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    return used


def _read_parts(data: bytes, name: str) -> dict[str, bytes]:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TemplateError(name, [TemplateProblem(None, "is a Word 97-2003 .doc file: save it as a Word .docx")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > MAX_TEMPLATE_BYTES:
                raise TemplateError(name, [TemplateProblem(None, "is larger than 50 MB unpacked: too large a letter")])
            parts = {i.filename: z.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise TemplateError(name, [TemplateProblem(None, f"is not a Word .docx file ({exc})")]) from None
    if "word/document.xml" not in parts:
        raise TemplateError(name, [TemplateProblem(None, "is not a Word .docx file (it has no word/document.xml)")])
    problems = []
    if any(part.lower().endswith("vbaproject.bin") for part in parts):
        problems.append(TemplateProblem(None, "holds macros: save it as a Word .docx, without macros"))
    for part, raw in parts.items():
        if not part.endswith(".rels"):
            continue
        for rel in _EXTERNAL.finditer(raw.decode("utf-8", errors="replace")):
            if "/hyperlink" in rel.group(0):
                continue
            target = _TARGET.search(rel.group(0))
            problems.append(
                TemplateProblem(
                    None,
                    f"links to something outside the document ({target[1] if target else 'a file'}): put pictures "
                    "and other content in the document itself",
                )
            )
    if problems:
        raise TemplateError(name, problems)
    return parts


#: A relationship to something outside the package (a linked picture, a remote template): LibreOffice would
#: fetch it while converting, from the server. Hyperlinks are fine (they are only written into the PDF).
_EXTERNAL = re.compile(r"<Relationship\b[^>]*TargetMode=\"External\"[^>]*>")
_TARGET = re.compile(r'Target="([^"]{0,80})')


@dataclass(frozen=True)
class LetterTemplate:
    """A checked letter template, its parts compiled, ready to merge."""

    name: str
    data: bytes = field(repr=False)
    #: The merge fields it uses.
    fields: frozenset[str]
    _parts: Mapping[str, bytes] = field(repr=False, compare=False)
    _compiled: Mapping[str, jinja2.Template] = field(repr=False, compare=False)
    #: A zip of the parts every letter copies as they are, compressed once: a letter appends its own.
    _prefix: bytes = field(default=b"", repr=False, compare=False)


def template_problems(data: bytes, name: str = "template.docx") -> list[TemplateProblem]:
    """Every problem in a template (none for a good one): what an upload page lists."""
    try:
        load_template(data, name)
    except TemplateError as exc:
        return exc.problems
    return []


def load_template(source: bytes | Path | str, name: str | None = None) -> LetterTemplate:
    """Read and check a letter template (the bytes of a .docx, or its path); raise :class:`TemplateError`
    naming every field attendwise does not have and every placeholder it cannot read."""
    if isinstance(source, bytes):
        data, name = source, name or "template.docx"
    else:
        data, name = Path(source).read_bytes(), name or Path(source).name
    parts = _read_parts(data, name)
    env = _environment()
    problems: list[TemplateProblem] = []
    used: set[str] = set()
    compiled: dict[str, jinja2.Template] = {}
    for part, raw in parts.items():
        if not _MERGED_PART.fullmatch(part):
            continue
        source_xml = _prepare(raw.decode("utf-8"))
        if "{" not in source_xml:
            continue
        try:
            tree = env.parse(source_xml)
        except jinja2.TemplateSyntaxError as exc:
            near = _text_near(source_xml, exc.lineno)
            where = f" near “{near}”" if near else ""
            problems.append(TemplateProblem(None, f"a placeholder{where} cannot be read: {exc.message}"))
            continue
        used |= _check_tree(tree, problems)
        if not problems:
            try:
                compiled[part] = env.from_string(source_xml)
            except jinja2.TemplateError as exc:  # an unknown filter, say
                near = _text_near(source_xml, getattr(exc, "lineno", None))
                where = f" near “{near}”" if near else ""
                problems.append(TemplateProblem(None, f"a placeholder{where} cannot be used: {exc.message}"))
    if problems:
        raise TemplateError(name, problems)
    others = {p: b for p, b in parts.items() if p not in compiled}
    prefix = io.BytesIO()
    with zipfile.ZipFile(prefix, "w", zipfile.ZIP_DEFLATED) as z:
        for part, raw in others.items():
            z.writestr(_fixed(part), raw)
    return LetterTemplate(name, data, frozenset(used), others, compiled, prefix.getvalue())


@cache
def shipped_templates() -> dict[str, LetterTemplate]:
    """The four letters attendwise ships (``attendwise/data/letters/``), by name: ``first-day-contact``,
    ``attendance-concern``, ``meeting-invitation`` and ``attendance-summary``."""
    folder = resources.files("attendwise.data") / "letters"
    return {
        entry.name.removesuffix(".docx"): load_template(entry.read_bytes(), entry.name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".docx")
    }


# -------------------------------------------------------------------------------------------------
# Merging
# -------------------------------------------------------------------------------------------------
def _values(context: LetterContext | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(context, LetterContext):
        return context.nested()
    return dict(context)


def render_letter(template: LetterTemplate, context: LetterContext | Mapping[str, Any]) -> bytes:
    """One letter as a .docx: ``template`` merged with ``context`` (a :class:`LetterContext`, or the nested
    values themselves)."""
    values = _values(context)
    out = io.BytesIO(template._prefix)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for part, compiled in template._compiled.items():
            z.writestr(_fixed(part), _finish(compiled.render(values)).encode("utf-8"))
    return out.getvalue()


def _fixed(part: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed time, so the same letter gives the same bytes."""
    info = zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def render_letters(template: LetterTemplate, contexts: Iterable[LetterContext | Mapping[str, Any]]) -> list[bytes]:
    """Each context merged with ``template``, as .docx files."""
    return [render_letter(template, c) for c in contexts]


# -------------------------------------------------------------------------------------------------
# PDF, through LibreOffice
# -------------------------------------------------------------------------------------------------
class PdfError(AttendwiseError):
    """A PDF that could not be made (LibreOffice missing, or failing on a document)."""


#: Debian's package for LibreOffice without a desktop, which ``make`` installs where it can.
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"
#: How many letters one joined document holds (a failure costs a batch of this size, converted again singly).
JOIN_BATCH = 250
_LOCK = threading.Lock()
_PDF_FILTER = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether this machine can make PDFs (LibreOffice's ``soffice`` is on the path)."""
    return _soffice() is not None


#: How many LibreOffice profiles the processes of one account share (each kept, so it is built once).
_PROFILES = 16


@contextmanager
def _profiles(count: int) -> Iterator[list[Path]]:
    """``count`` LibreOffice profiles no other process is using, held until the block ends.

    A profile serves one LibreOffice at a time, and building one takes LibreOffice a few seconds, so profiles
    are kept in the temporary folder and shared by every attendwise process of the account in turn, each
    held with a lock file while it is used; a process that finds them all in use builds one of its own.
    """
    base = Path(tempfile.gettempdir())
    held: list[tuple[Path, Any]] = []
    try:
        for slot in range(_PROFILES):
            if len(held) == count:
                break
            lock = (base / f"attendwise-libreoffice-{os.getuid()}-{slot}.lock").open("a")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                continue
            held.append((base / f"attendwise-libreoffice-{os.getuid()}-{slot}", lock))
        own = [base / f"attendwise-libreoffice-{os.getuid()}-pid{os.getpid()}-{n}" for n in range(count - len(held))]
        yield [path for path, _ in held] + own
    finally:
        for _, lock in held:
            lock.close()


def pdf_workers() -> int:
    """How many LibreOffice processes convert a batch side by side: ``$ATTENDWISE_PDF_WORKERS``, else 1.

    One, because on this project's 2-core machines, busy with other work, two were slower than one
    (250 letters: 30-33 s against 24-30 s, alternating runs); a server with idle cores may set more.
    """
    env = os.environ.get("ATTENDWISE_PDF_WORKERS", "")
    return int(env) if env.isdigit() and 0 < int(env) <= 16 else 1


def _run_soffice(batches: Sequence[Sequence[Path]], out: Path, timeout: float) -> None:
    """Convert each batch of files to PDF in ``out``, each batch by its own LibreOffice, side by side."""
    soffice = _soffice()
    if soffice is None:
        raise PdfError(
            f"making PDFs needs LibreOffice, which is not installed: apt-get install {LIBREOFFICE_PACKAGE} "
            "(make does this where it may)"
        )
    batches = [b for b in batches if b]
    with _profiles(len(batches)) as profiles:
        _convert(soffice, batches, profiles, out, timeout)


def _convert(
    soffice: str, batches: Sequence[Sequence[Path]], profiles: Sequence[Path], out: Path, timeout: float
) -> None:
    running = []
    for files, profile in zip(batches, profiles, strict=True):
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            _PDF_FILTER,
            "--outdir",
            str(out),
            *map(str, files),
        ]
        running.append(
            (subprocess.Popen(command, cwd=out, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), len(files))
        )
    failures = []
    for process, count in running:
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other, _ in running:
                other.kill()
            raise PdfError(f"LibreOffice took longer than {timeout:.0f} s to convert {count} letters") from None
        if process.returncode:
            failures.append(f"LibreOffice failed ({process.returncode}): {stderr.decode(errors='replace')[-500:]}")
    if failures:
        raise PdfError("; ".join(failures))


def _share(files: Sequence[tuple[Path, int]], workers: int) -> list[list[Path]]:
    """Files (each with how many letters it holds) shared among workers, about as many letters each."""
    batches: list[list[Path]] = [[] for _ in range(max(1, workers))]
    load = [0] * len(batches)
    for path, letters in sorted(files, key=lambda f: -f[1]):
        least = load.index(min(load))
        batches[least].append(path)
        load[least] += letters
    return batches


_BOOKMARK = '<w:bookmarkStart w:id="{id}" w:name="attendwiseletter{n:05d}"/><w:bookmarkEnd w:id="{id}"/>'
_FIRST_PARAGRAPH = re.compile(r"<w:p(?:\s[^>]*)?(/?)>(<w:pPr>.*?</w:pPr>|<w:pPr/>)?", re.DOTALL)


def _joinable(parts: Mapping[str, bytes]) -> bool:
    """Whether letters of this template may be joined: page totals (NUMPAGES) would count every letter."""
    return not any(b"NUMPAGES" in data for part, data in parts.items() if _MERGED_PART.fullmatch(part))


_BODY = re.compile(r"<w:body(?:\s[^>]*)?>")


def _body(document: str) -> tuple[str, str, str, str]:
    """``(before the body, the body's content, its closing section properties, after)`` of document.xml."""
    m = _BODY.search(document)
    if m is None:
        raise PdfError("a letter has no body")
    start, end = m.end(), document.rindex("</w:body>")
    content = document[start:end]
    at = content.rfind("<w:sectPr")
    section = content[at:] if at >= 0 and "</w:p>" not in content[at:] and "</w:tbl>" not in content[at:] else ""
    return document[:start], content[: len(content) - len(section)], section, document[end:]


def _restart_numbering(section: str) -> str:
    """Section properties that start page numbers again at 1 (each letter's pages count from 1)."""
    if not section:
        return '<w:sectPr><w:pgNumType w:start="1"/></w:sectPr>'
    if "<w:pgNumType" in section:
        return re.sub(r"<w:pgNumType[^>]*?/?>", '<w:pgNumType w:start="1"/>', section, count=1)
    if section.endswith("/>"):
        return section[:-2] + '><w:pgNumType w:start="1"/></w:sectPr>'
    return section.replace("</w:sectPr>", '<w:pgNumType w:start="1"/></w:sectPr>', 1)


def _mark(content: str, n: int) -> str:
    """The body with a bookmark at the start of its first paragraph (the PDF destination of letter ``n``)."""
    bookmark = _BOOKMARK.format(id=900_000 + n, n=n)
    m = _FIRST_PARAGRAPH.search(content)
    if m is None:
        return f"<w:p>{bookmark}</w:p>" + content
    if m.group(1):  # <w:p/>
        return content[: m.start()] + f"<w:p>{bookmark}</w:p>" + content[m.end() :]
    return content[: m.end()] + bookmark + content[m.end() :]


_PAGE_BREAK = "<w:pageBreakBefore/>"
_PARAGRAPH_START = re.compile(r"<w:p(?:\s[^>]*)?>(<w:pPr/>|<w:pPr>(<w:pStyle [^>]*/>)?)?")


def _one_section(parts: Mapping[str, bytes], contents: Sequence[str], section: str) -> bool:
    """Whether joined letters may share one section, each starting on a new page: none numbers its pages,
    none has a different first page (or odd and even pages), and each starts with a paragraph (to break
    the page before). Otherwise each letter is a section of its own, which LibreOffice lays out more slowly."""
    if "w:titlePg" in section or b"evenAndOddHeaders" in parts.get("word/settings.xml", b""):
        return False
    if any(b"PAGE" in data for part, data in parts.items() if _MERGED_PART.fullmatch(part)):
        return False
    return all(_PARAGRAPH_START.match(c.lstrip()) for c in contents)


def _break_before(content: str) -> str:
    """The letter with a page break before its first paragraph."""
    content = content.lstrip()
    m = _PARAGRAPH_START.match(content)
    assert m is not None
    if m.group(1) == "<w:pPr/>":
        return content[: m.start(1)] + f"<w:pPr>{_PAGE_BREAK}</w:pPr>" + content[m.end(1) :]
    if m.group(1):
        return content[: m.end(1)] + _PAGE_BREAK + content[m.end(1) :]
    return content[: m.end()] + f"<w:pPr>{_PAGE_BREAK}</w:pPr>" + content[m.end() :]


def _join(documents: Sequence[bytes]) -> bytes:
    """Letters of one template as one document, each starting on a new page with a bookmark at its start:
    one section with a page break before each letter where that keeps every letter's pages as they were
    (:func:`_one_section`), else a section each, with its page numbers starting at 1."""
    with zipfile.ZipFile(io.BytesIO(documents[0])) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    letters = []
    head = tail = section = ""
    for data in documents:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            head, content, section, tail = _body(z.read("word/document.xml").decode("utf-8"))
        letters.append(content)
    bodies = []
    if _one_section(parts, letters, section):
        for n, content in enumerate(letters):
            bodies.append(_mark(_break_before(content) if n else content, n))
        final = section
    else:
        numbered = _restart_numbering(section)
        for n, content in enumerate(letters):
            content = _mark(content, n)
            if n < len(letters) - 1:
                content += f"<w:p><w:pPr>{numbered}</w:pPr></w:p>"
            bodies.append(content)
        final = numbered
    parts["word/document.xml"] = (head + "".join(bodies) + final + tail).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for part, data in parts.items():
            z.writestr(_fixed(part), data)
    return out.getvalue()


def _split(pdf: Path, count: int) -> list[bytes] | None:
    """The joined PDF cut at each letter's destination; ``None`` if they are not one per letter, in order."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(pdf)
    destinations = reader.named_destinations
    starts = []
    for n in range(count):
        dest = destinations.get(f"/attendwiseletter{n:05d}") or destinations.get(f"attendwiseletter{n:05d}")
        if dest is None:
            return None
        starts.append(reader.get_destination_page_number(dest))
    if starts[0] != 0 or any(b <= a for a, b in itertools.pairwise(starts)):
        return None
    out = []
    for first, last in zip(starts, [*starts[1:], len(reader.pages)], strict=True):
        writer = PdfWriter()
        for page in range(first, last):
            writer.add_page(reader.pages[page])
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def _group_key(data: bytes) -> str | None:
    """Letters with the same key may be joined: every part but the body the same (None: never joined)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    if not _joinable(parts):
        return None
    digest = hashlib.sha256()
    for part in sorted(parts):
        if part != "word/document.xml":
            digest.update(part.encode() + b"\0" + parts[part] + b"\0")
    return digest.hexdigest()


def docx_to_pdf(
    documents: Sequence[bytes], *, join: bool = True, workers: int | None = None, timeout: float | None = None
) -> list[bytes]:
    """Each Word document as a PDF, in one run of LibreOffice (see the module's notes).

    Args:
        documents: the .docx files, as bytes.
        join: join letters that may be joined into one document a batch (much faster); ``False`` converts
            each on its own.
        workers: how many LibreOffice processes share the batch (default :func:`pdf_workers`).
        timeout: the most seconds LibreOffice may take (default 60 s and 1 s a document).

    Raises:
        PdfError: LibreOffice is missing or failed.
    """
    if not documents:
        return []
    timeout = timeout or 60 + len(documents)
    with _LOCK, tempfile.TemporaryDirectory(prefix="attendwise-pdf-") as tmp:
        folder = Path(tmp)
        out = folder / "pdf"
        out.mkdir()
        groups: dict[str, list[int]] = {}
        singles: list[int] = []
        for n, data in enumerate(documents):
            key = _group_key(data) if join else None
            (groups.setdefault(key, []) if key else singles).append(n)
        joined: list[tuple[Path, list[int]]] = []
        for members in groups.values():
            if len(members) == 1:
                singles += members
                continue
            size = min(JOIN_BATCH, -(-len(members) // (workers or pdf_workers())))  # every worker gets some
            for at in range(0, len(members), size):
                batch = members[at : at + size]
                path = folder / f"joined-{len(joined):04d}.docx"
                path.write_bytes(_join([documents[n] for n in batch]))
                joined.append((path, batch))
        files = [(p, len(batch)) for p, batch in joined]
        for n in singles:
            path = folder / f"letter-{n:05d}.docx"
            path.write_bytes(documents[n])
            files.append((path, 1))
        _run_soffice(_share(files, workers or pdf_workers()), out, timeout)
        pdfs: dict[int, bytes] = {}
        again: list[int] = []
        for path, batch in joined:
            pdf = out / path.with_suffix(".pdf").name
            pieces = _split(pdf, len(batch)) if pdf.exists() else None
            if pieces is None:
                again += batch
            else:
                pdfs |= dict(zip(batch, pieces, strict=True))
        for n in singles:
            pdf = out / f"letter-{n:05d}.pdf"
            if not pdf.exists():
                raise PdfError(f"LibreOffice made no PDF of letter {n + 1}")
            pdfs[n] = pdf.read_bytes()
        if again:
            redo = folder / "again"
            redo.mkdir()
            paths = []
            for n in again:
                paths.append(redo / f"letter-{n:05d}.docx")
                paths[-1].write_bytes(documents[n])
            _run_soffice(_share([(p, 1) for p in paths], workers or pdf_workers()), out, timeout)
            for n in again:
                pdf = out / f"letter-{n:05d}.pdf"
                if not pdf.exists():
                    raise PdfError(f"LibreOffice made no PDF of letter {n + 1}")
                pdfs[n] = pdf.read_bytes()
    return [pdfs[n] for n in range(len(documents))]


# -------------------------------------------------------------------------------------------------
# Letters for pupils
# -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Letter:
    """One merged letter: to one parent about one pupil, as .docx and (if asked for) PDF."""

    template: str
    context: LetterContext
    docx: bytes = field(repr=False)
    pdf: bytes | None = field(default=None, repr=False)

    @property
    def stem(self) -> str:
        """A file name without its suffix: ``attendance-concern-A999100024001-M1``."""
        parts = [self.template.removesuffix(".docx"), self.context.upn, self.context.contact_id or "no-parent"]
        return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(parts))


def letters_for(
    store: Store,
    template: LetterTemplate,
    upns: str | Iterable[str],
    *,
    pdf: bool = True,
    **context: Any,
) -> list[Letter]:
    """A letter to each parent of each pupil (:func:`attendwise.documents.letter_fields.letter_contexts`,
    which takes the keyword arguments: ``on``, ``sender``, ``meeting``, ``contact_ids``, ``period``), as .docx
    and, with ``pdf``, as PDF too (all in one run of LibreOffice)."""
    contexts = letter_contexts(store, upns, **context)
    documents = render_letters(template, contexts)
    pdfs: list[bytes | None] = list(docx_to_pdf(documents)) if pdf else [None] * len(documents)
    name = template.name.removesuffix(".docx")
    return [Letter(name, c, d, p) for c, d, p in zip(contexts, documents, pdfs, strict=True)]


def catalogue_json() -> str:
    """The merge fields as JSON (name, description, example), for an upload page's list."""
    return json.dumps([{"name": f.name, "description": f.description, "example": f.example} for f in MERGE_FIELDS])
