"""What tagging (PDF/UA-1) costs the cold price list PDF, at a bench size, without the whole bench.

    .venv/bin/python -m bench.pdf_tagging --size L            # makes the L SQLite database first
    .venv/bin/python -m bench.pdf_tagging --size L --reuse    # uses bench/out/hwaas_bench_l.sqlite

In process (no gunicorn, no HTTP): for the big partner, the document cache is emptied, then the
OpEx price list PDF is made through `pricelist.document` — the catalogue queries, the template,
WeasyPrint and the cache insert, the path of a cold download — RUNS times tagged and RUNS times
untagged, alternating, after one warm-up of each (fonts, imports). Prints the medians and maxima of
wall time and the median CPU time of the process (steadier on a shared machine than wall time).
"""
import argparse
import functools
import io
import statistics
import sys
import time

RUNS = 7


def measure(url: str, runs: int = RUNS) -> dict:
    from pypdf import PdfReader
    from sqlalchemy import text

    from bench.generate import TODAY, make_app
    from hwaas.extensions import db
    from hwaas.models import Partner
    from hwaas.services import documents, pricelist

    app = make_app(url)
    real = documents.html_to_pdf
    variants = {"tagged": real, "untagged": functools.partial(real, tagged=False)}
    times = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    sizes = {}
    with app.app_context():
        partner = db.session.get(Partner, 1)
        products = len(pricelist.build(db.session, "opex", partner.tier).rows)
        for attempt in range(runs + 1):
            for name, make in variants.items():
                documents.html_to_pdf = make
                db.session.execute(text("DELETE FROM document_cache"))
                db.session.commit()
                started, started_cpu = time.perf_counter(), time.process_time()
                doc = pricelist.document(db.session, partner, "opex", "pdf", "EUR", TODAY)
                db.session.commit()
                elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
                if attempt:  # the first of each is the warm-up
                    times[name].append(elapsed)
                    cpu[name].append(elapsed_cpu)
                pages = len(PdfReader(io.BytesIO(doc.data)).pages)
                sizes[name] = (len(doc.data), pages)
        documents.html_to_pdf = real
        db.session.execute(text("DELETE FROM document_cache"))
        db.session.commit()
    return {"products": products, "runs": runs, "sizes": sizes,
            **{name: {"median_s": statistics.median(t), "max_s": max(t), "min_s": min(t),
                      "cpu_median_s": statistics.median(cpu[name])} for name, t in times.items()}}


def main(argv=None) -> int:
    from bench.generate import database_url, generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("S", "L"), default="L")
    parser.add_argument("--reuse", action="store_true", help="use the database a previous run made")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    url = database_url("sqlite", args.size)
    if not args.reuse:
        generate(args.size, "sqlite")
    result = measure(url, args.runs)
    tagged, untagged = result["tagged"], result["untagged"]
    print(f"price list OpEx PDF, cold, {result['products']} products, size {args.size} (SQLite), "
          f"median of {result['runs']}:")
    for name in ("untagged", "tagged"):
        size, pages = result["sizes"][name]
        r = result[name]
        print(f"  {name:9} median {r['median_s'] * 1000:.0f} ms (min {r['min_s'] * 1000:.0f}, "
              f"max {r['max_s'] * 1000:.0f}), CPU median {r['cpu_median_s'] * 1000:.0f} ms, {size:,} bytes, {pages} pages")
    print(f"  tagging costs {1000 * (tagged['median_s'] - untagged['median_s']):+.0f} ms wall, "
          f"{1000 * (tagged['cpu_median_s'] - untagged['cpu_median_s']):+.0f} ms CPU "
          f"({100 * (tagged['cpu_median_s'] / untagged['cpu_median_s'] - 1):+.0f} % CPU) and "
          f"{result['sizes']['tagged'][0] - result['sizes']['untagged'][0]:+,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
