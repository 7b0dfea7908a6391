"""`flask send-mail`: send the outbox over SMTP, once or in a loop beside the web server."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from hwaas.cli.loop import run_every
from hwaas.extensions import db
from hwaas.services import mail

log = logging.getLogger("hwaas.mail")
BATCH = 20  # mails per transaction: what a crash could send twice


def send_due(settings: mail.SmtpSettings) -> mail.SendResult:
    """Send every mail that is due now, a batch per transaction."""
    total = mail.SendResult()
    while True:
        try:
            result = mail.send_pending(db.session, settings, batch=BATCH)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        total.sent += result.sent
        total.failed += result.failed
        # A batch with failures ends the run: the rest waits for the retry time, not a hot loop.
        if result.attempted < BATCH or result.failed:
            return total


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running, sending new mail as it becomes due.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between looks at the outbox with --loop.")
def send_mail(loop: bool, interval: float) -> None:
    """Send the mails waiting in the outbox over SMTP (MAIL_SERVER, MAIL_PORT, …).

    A mail the server does not take stays in the outbox and is retried later with backoff.
    """
    settings = mail.SmtpSettings.from_config(current_app.config)
    if not loop:
        result = send_due(settings)
        click.echo(f"{result.sent} mail(s) sent, {result.failed} waiting for a retry")
        return
    click.echo(f"Sending the outbox through {settings.server}:{settings.port} every {interval:g} s")

    def send_round():
        result = send_due(settings)
        if result.attempted:
            log.info("mail: %d sent, %d waiting for a retry", result.sent, result.failed)

    run_every(interval, send_round, log, "mail")
