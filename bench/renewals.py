"""Renewal job throughput: service renewals per second, for one day and a whole simulated year.

    python -m bench.renewals --size L --db postgresql [--generate] [--days 365]

On a database made by bench/generate.py (made first with --generate), whose services have their
initial charge. It runs what `flask renew` runs, one transaction per day, from the day after the
pinned business date. The database is changed (charges written): generate it again before the page
benchmarks. `make bench` runs it last, on PostgreSQL.
"""
import argparse
import datetime as dt
import statistics
import sys
import time

import sqlalchemy as sa

from bench import generate as gen


def bench(url: str, days: int = 365, log=print) -> dict:
    from hwaas.extensions import db
    from hwaas.models import Charge, PbxService
    from hwaas.services import charges

    app = gen.make_app(url)
    with app.app_context():
        session = db.session
        services = session.scalar(sa.select(sa.func.count()).select_from(PbxService))
        started = time.perf_counter()
        backfilled = charges.charge_uncharged(session, gen.TODAY)  # the generator gave most theirs
        charges.record_run(session, gen.TODAY)
        session.commit()
        backfill_s = time.perf_counter() - started
        per_day = []
        for n in range(1, days + 1):
            day = gen.TODAY + dt.timedelta(days=n)
            t0 = time.perf_counter()
            prices = charges.renewal_prices(session)
            result = charges.renew_day(session, day, prices=prices)
            charges.record_run(session, day)
            session.commit()
            per_day.append((day, result.renewed, time.perf_counter() - t0))
        charged = session.scalar(sa.select(sa.func.count()).select_from(Charge))
        db.engine.dispose()
    busiest = max(per_day, key=lambda d: d[1])
    renewed = sum(d[1] for d in per_day)
    seconds = sum(d[2] for d in per_day)
    result = {
        "services": services, "backfilled": backfilled, "backfill_s": backfill_s, "days": days,
        "renewed": renewed, "seconds": seconds, "per_second": renewed / seconds if seconds else 0.0,
        "day_median_s": statistics.median(d[2] for d in per_day),
        "day_max_s": max(d[2] for d in per_day),
        "busiest_day": busiest[0].isoformat(), "busiest_renewed": busiest[1], "busiest_s": busiest[2],
        "busiest_per_second": busiest[1] / busiest[2] if busiest[2] else 0.0,
        "charges": charged,
    }
    log(f"   renewals: {renewed:,} in {days} days, {seconds:.1f} s ({result['per_second']:,.0f}/s); "
        f"busiest day {busiest[0]}: {busiest[1]:,} in {busiest[2]:.2f} s ({result['busiest_per_second']:,.0f}/s); "
        f"a day takes {result['day_median_s']:.2f} s (median), {result['day_max_s']:.2f} s at most")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(gen.SIZES), default="L")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--generate", action="store_true", help="make the database first")
    args = parser.parse_args(argv)
    url = gen.generate(args.size, args.db)["url"] if args.generate else gen.database_url(args.db, args.size)
    bench(url, args.days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
