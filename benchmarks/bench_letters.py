"""Benchmark letters: 1,000 letters merged from a shipped template, as .docx and as PDF, on the demo city.

Run with ``python benchmarks/bench_letters.py`` (``--letters 1000``; a city of ``--pupils 10000`` pupils by
default, as it stands before the February half term, so the letters have half a year of figures). It
generates and imports the city (or reuses it with ``--reuse``), takes the parents of the pupils with the
lowest attendance until it has ``--letters`` letters, and times:

* the merge fields of every letter (:func:`attendwise.documents.letter_fields.letter_contexts`: one query for
  every pupil's attendance);
* every letter as .docx (:func:`attendwise.documents.letters.render_letters`), with the baseline in the same
  run: docxtpl's own ``render`` and ``save``, timed on ``--baseline`` letters and scaled;
* every letter as PDF in one batch (:func:`attendwise.documents.letters.docx_to_pdf`, joined), with the
  baseline: LibreOffice converting letters one document each (``join=False``), timed on ``--baseline``
  letters and scaled;

then checks a sample of the PDFs reads back with its child's name. Target (issue 12): 1,000 letters in under
60 s, .docx and PDF.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import shutil
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cpu_seconds() -> float:
    """CPU time of this process and the LibreOffice processes it has waited for: the work, whatever else the
    machine is doing (wall-clock time on a shared machine also counts the others' work)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=10_000)
    parser.add_argument("--schools", type=int, default=24)
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--template", default="attendance-concern")
    parser.add_argument("--baseline", type=int, default=40, help="letters timed one by one for the baselines")
    parser.add_argument("--work", default=str(HERE / "out" / "letters"))
    parser.add_argument("--reuse", action="store_true", help="reuse the city and store from an earlier run")
    parser.add_argument("--workers", type=int, default=None, help="LibreOffice processes side by side (default 1)")
    args = parser.parse_args()

    from docxtpl import DocxTemplate
    from pypdf import PdfReader

    from attendwise.demo import CitySpec, generate_city, last_day_before_february_half_term
    from attendwise.documents.letter_fields import Sender, letter_contexts
    from attendwise.documents.letters import docx_to_pdf, render_letters, shipped_templates
    from attendwise.ingest import import_folder
    from attendwise.measures.attendance import pupil_attendance, year_so_far
    from attendwise.store import Store

    work = Path(args.work)
    city, store_path = work / "city", work / "letters.duckdb"
    until = last_day_before_february_half_term(2024)
    print(f"attendwise letters benchmark: {args.letters:,} letters ({args.template}), city of {args.pupils:,} pupils")
    if not (args.reuse and store_path.exists()):
        shutil.rmtree(work, ignore_errors=True)
        started = time.perf_counter()
        generate_city(city, CitySpec(pupils=args.pupils, schools=args.schools, years=1, until=until))
        print(f"generate             {time.perf_counter() - started:6.1f} s")
        started = time.perf_counter()
        with Store(store_path) as store:
            import_folder(store, city)
        print(f"import               {time.perf_counter() - started:6.1f} s")
        shutil.rmtree(city, ignore_errors=True)

    load = os.getloadavg()[0]
    print(f"machine              {os.cpu_count()} cores, load average {load:.1f} (other work shares the cores)")
    template = shipped_templates()[args.template]
    sender = Sender(phone="01632 960000", email="attendance@example.org", name="Jo Patel", role="Attendance Officer")
    with Store(store_path, read_only=True) as store:
        on = store.latest_mark() or dt.date.today()
        period = year_so_far(store, on)
        every = pupil_attendance(store, store.upns_with_contacts(), period)
        worst = sorted(every.values(), key=lambda a: (a.attendance, a.upn))
        # enough pupils for the letters (most have two parents)
        upns = [a.upn for a in worst[: args.letters]]
        started, cpu = time.perf_counter(), cpu_seconds()
        contexts = letter_contexts(store, upns, on=on, sender=sender, period=period)[: args.letters]
        fields, fields_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    n = len(contexts)
    print(
        f"merge fields         {fields:6.2f} s   {n:,} letters to {len({c.upn for c in contexts}):,} pupils' parents"
        f"   (CPU {fields_cpu:.1f} s)"
    )

    started, cpu = time.perf_counter(), cpu_seconds()
    documents = render_letters(template, contexts)
    docx_time, docx_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"docx                 {docx_time:6.2f} s   {n / docx_time:7.0f} letters/s   (CPU {docx_cpu:.1f} s)")
    sample = contexts[: args.baseline]
    started = time.perf_counter()
    for c in sample:
        theirs = DocxTemplate(io.BytesIO(template.data))
        theirs.render(c.nested(), autoescape=True)
        theirs.save(io.BytesIO())
    docxtpl = (time.perf_counter() - started) / len(sample) * n
    print(
        f"docx, docxtpl        {docxtpl:6.2f} s   {n / docxtpl:7.0f} letters/s   (baseline: docxtpl's render, "
        f"{len(sample)} timed and scaled; {docxtpl / docx_time:.1f}x slower)"
    )

    started, cpu = time.perf_counter(), cpu_seconds()
    pdfs = docx_to_pdf(documents, workers=args.workers)
    pdf_time, pdf_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(
        f"pdf, one batch       {pdf_time:6.2f} s   {n / pdf_time:7.0f} letters/s   (CPU {pdf_cpu:.1f} s, LibreOffice "
        "included)"
    )
    started = time.perf_counter()
    docx_to_pdf(documents[: args.baseline], join=False)
    single = (time.perf_counter() - started) / args.baseline * n
    print(
        f"pdf, one by one      {single:6.2f} s   {n / single:7.0f} letters/s   (baseline: a document each, "
        f"{args.baseline} timed and scaled; {single / pdf_time:.1f}x slower)"
    )
    total = fields + docx_time + pdf_time
    total_cpu = fields_cpu + docx_cpu + pdf_cpu
    print(
        f"total                {total:6.2f} s   {n / total:7.0f} letters/s   (target: {n:,} letters < 60 s; "
        f"CPU {total_cpu:.1f} s: what it takes a machine with a core to itself)"
    )

    checked = 0
    for c, pdf in list(zip(contexts, pdfs, strict=True))[:: max(1, n // 25)]:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert c.values["pupil.first_name"] in text and c.values["attendance.percent"] in text, c.upn
        checked += 1
    pages = sum(len(PdfReader(io.BytesIO(p)).pages) for p in pdfs[:50])
    print(f"checked              {checked} PDFs read back with their child's name and attendance; "
          f"{pages / min(50, n):.1f} pages a letter")  # fmt: skip


if __name__ == "__main__":
    main()
