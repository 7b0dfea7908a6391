"""`flask renew`: the daily renewal job, once (cron, systemd timer) or in a loop beside the web server."""
import datetime as dt
import logging

import click
from flask.cli import with_appcontext

from hwaas.cli.loop import run_every
from hwaas.extensions import db
from hwaas.services import charges

log = logging.getLogger("hwaas.renew")


def renew_through(today: dt.date) -> list[charges.DayResult]:
    """Renew every day from the last run up to `today`, one transaction per day: an interrupted
    catch-up keeps the days it finished, and the next run starts after them."""
    results = []
    prices = None
    first_run = charges.last_run(db.session) is None
    for day in charges.days_to_renew(db.session, today):
        try:
            prices = prices if prices is not None else charges.renewal_prices(db.session)
            result = charges.renew_day(db.session, day, prices=prices)
            if first_run:  # services in place before charges existed get their current period
                result.initial = charges.charge_uncharged(db.session, day)
            charges.record_run(db.session, day)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        results.append(result)
    return results


@click.command("renew")
@with_appcontext
@click.option("--today", "today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The business date to renew through (YYYY-MM-DD); default: today.")
@click.option("--loop", is_flag=True, help="Keep running, renewing once each new day.")
@click.option("--interval", default=300.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between looks at the date with --loop.")
def renew(today: dt.datetime | None, loop: bool, interval: float) -> None:
    """Renew every PBX service whose period ends today, and every day missed since the last run.

    Cancellations effective by then end first (their devices are not renewed, their fee is
    charged). Safe to run twice, or on two hosts at once: each period is charged once.
    """
    from hwaas.cli import business_today

    if not loop:
        for result in renew_through(today.date() if today else business_today()):
            click.echo(str(result))
        return
    click.echo(f"Renewing once a day (looking at the date every {interval:g} s)")

    def renew_round():
        day = business_today()
        if charges.last_run(db.session) != day:
            for result in renew_through(day):
                log.info("renew: %s", result)

    run_every(interval, renew_round, log, "renew")
