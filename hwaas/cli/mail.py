"""`flask send-mail`: send the outbox over SMTP (in development without MAIL_SERVER: write it to
instance/mail/), once or in a loop beside the web server."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from hwaas.cli.loop import run_every
from hwaas.extensions import db
from hwaas.services import mail

log = logging.getLogger("hwaas.mail")
BATCH = 20  # mails per transaction: what a crash could send twice


def send_due(settings: mail.SmtpSettings | mail.MailDirectory) -> mail.SendResult:
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
    Outside production, without MAIL_SERVER, each mail is written to instance/mail/ instead.
    """
    try:
        settings = mail.transport_from_config(current_app.config, current_app.instance_path)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not loop:
        result = send_due(settings)
        where = f" to {settings.directory}" if isinstance(settings, mail.MailDirectory) else ""
        click.echo(f"{result.sent} mail(s) sent{where}, {result.failed} waiting for a retry")
        return
    # Said once, here; the loop then speaks only when it sends something or fails.
    if isinstance(settings, mail.MailDirectory):
        click.echo(f"No MAIL_SERVER: mails are written to {settings.directory}/ as .eml files "
                   f"(every {interval:g} s)")
    else:
        click.echo(f"Sending the outbox through {settings.describe()} every {interval:g} s")

    def send_round():
        result = send_due(settings)
        if result.attempted:
            log.info("mail: %d sent, %d waiting for a retry", result.sent, result.failed)

    run_every(interval, send_round, log, "mail")
