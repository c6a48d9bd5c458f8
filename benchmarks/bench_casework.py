"""Load check for casework: 20 concurrent officers on their caseload and on case pages.

Starts ``attendwise serve --demo`` on a store (one given, or a synthetic city generated for the run), which
seeds the demo casework history; signs in N officers, and has each request their caseload (``/cases/``) and
a case page in turn, for a number of rounds. Prints the median, 95th percentile and worst response times per
page (the target: under 300 ms at p95 with 20 officers), and the errors. Before timing, each case page asked
for is opened once and that first view timed (it works out the pupil's figures, the pupil page's record and
band history, cached per data version); ``--no-warm`` times cold pages instead. A script, not a timed test: the
figures depend on the machine.

    python benchmarks/bench_casework.py --pupils 12000 --schools 24       # a generated city
    python benchmarks/bench_casework.py --store ~/.local/share/attendwise/demo/demo.duckdb   # the demo city
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from load_web import Client, free_port, start_server  # the web load check's server and client


def generated_city(folder: Path, pupils: int, schools: int) -> Path:
    """A synthetic city of this size over two years, imported into a store in ``folder``."""
    from attendwise.demo import CitySpec, generate_city
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    started = time.perf_counter()
    generate_city(folder / "city", CitySpec(pupils=pupils, schools=schools, years=2, first_year=2023))
    store = folder / "city.duckdb"
    with Store(store) as s:
        import_folder(s, folder / "city")
    print(f"generated and imported {pupils:,} pupils in {schools} schools in {time.perf_counter() - started:.0f} s")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store to serve (default: generate a city)")
    parser.add_argument("--pupils", type=int, default=12_000)
    parser.add_argument("--schools", type=int, default=24)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20, help="caseload + case page requests per officer")
    parser.add_argument("--threads", type=int, default=8, help="server request threads")
    parser.add_argument(
        "--no-warm", dest="warm", action="store_false", help="do not open each case page once before timing"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="attendwise-bench-casework-") as tmp:
        store = args.store or generated_city(Path(tmp), args.pupils, args.schools)
        port = free_port()
        log = Path(tmp) / "serve.log"
        proc, logins = start_server(store, port, args.threads, log)
        seeded = re.search(r"Seeded ([\d,]+) demo cases", log.read_text())
        print(f"{seeded.group(1) if seeded else 'no new'} demo cases seeded")
        base = f"http://127.0.0.1:{port}"
        try:
            first = Client(base, "officer", logins["officer"])
            mine = first.opener.open(base + "/cases/").read().decode()
            total = re.search(r"of ([\d,]+)</caption>|Open cases[^<]*?of ([\d,]+)", mine)
            cases = sorted(set(re.findall(r'href="(/cases/\d+/)"', mine)))
            every = first.opener.open(base + "/cases/?show=all").read().decode()
            cases = sorted({*cases, *re.findall(r'href="(/cases/\d+/)"', every)})
            print(
                f"{args.users} officers, {args.rounds} rounds each; the caseload lists "
                f"{(total.group(1) or total.group(2)) if total else '?'} open cases; {len(cases)} case pages asked for"
            )
            clients = [Client(base, "officer", logins["officer"]) for _ in range(args.users)]
            # Warm-up: the caseload once, and each case page once (each pupil's figures are worked out on the first
            # view of a data version, then cached), timed: what the first officer to open a case waits.
            first.get("/cases/")
            cold = sorted(first.get(path)[0] for path in cases if args.warm) if args.warm else []
            if cold:
                print(
                    f"  first view of each case page (the pupil's figures worked out): median "
                    f"{1000 * statistics.median(cold):.0f} ms, worst {1000 * cold[-1]:.0f} ms ({len(cold)} cases)"
                )
            times: dict[str, list[float]] = {"caseload": [], "case page": []}
            errors: list[tuple[str, int]] = []
            lock = threading.Lock()
            barrier = threading.Barrier(args.users)

            def work(i: int, client: Client) -> None:
                barrier.wait()
                for r in range(args.rounds):
                    for name, path in (
                        ("caseload", "/cases/"),
                        ("case page", cases[(i * args.rounds + r) % len(cases)]),
                    ):
                        seconds, status = client.get(path)
                        with lock:
                            times[name].append(seconds)
                            if status != 200:
                                errors.append((path, status))

            started = time.perf_counter()
            workers = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.perf_counter() - started
            done = sum(len(v) for v in times.values())
            print(f"{done} requests in {elapsed:.1f} s ({done / elapsed:.0f} per second), {len(errors)} errors")
            for name, values in times.items():
                values.sort()
                p95 = values[int(0.95 * (len(values) - 1))]
                verdict = "under" if p95 < 0.3 else "OVER"
                print(
                    f"  {name:<10} median {1000 * statistics.median(values):6.0f} ms   p95 {1000 * p95:6.0f} ms"
                    f"   worst {1000 * values[-1]:6.0f} ms   ({len(values)} requests; p95 {verdict} 300 ms)"
                )
            if errors:
                print("errors:", errors[:10])
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
