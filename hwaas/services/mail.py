"""The mail outbox: mails are written to the database with the change that causes them, and a
sender sends them over SMTP later, retrying with backoff, so an SMTP outage delays mail and
loses none (DESIGN §7). In development, without an SMTP server, the sender writes each mail to a
folder as an .eml file instead (MailDirectory).

Mail bodies are Jinja templates in hwaas/templates/email/: `<name>.txt` holds a `subject` block
and the text `body`, `<name>.html` its HTML alternative. Services call

    mail.enqueue_template(session, to, "order_status", now=now, order=order, ...)

with the recipients (one address or several) and the template's context; no Flask involved, so
the CLI and the tests send the same mails as a request does. Each recipient gets the mail in their
language (users.language; English for an address that is no user's or has no choice)."""
import datetime as dt
import functools
import logging
import smtplib
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, undefer

from hwaas.models import OutboxAttachment, OutboxMail, Partner, User
from hwaas.models.types import utcnow
from hwaas.services.documents import format_date, format_money, translations
from hwaas.services.pricing import TERM_LABELS

log = logging.getLogger("hwaas.mail")

Attachment = tuple[str, str, bytes]  # (filename, content type, content)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600  # an outage of any length costs at most an hour's extra delay


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    sender: str
    use_tls: bool = False  # STARTTLS on a plain connection
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 20.0

    def describe(self) -> str:
        return f"SMTP server {self.server}:{self.port}"

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        return cls(
            server=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]),
            sender=config["MAIL_DEFAULT_SENDER"], use_tls=bool(config["MAIL_USE_TLS"]),
            username=config.get("MAIL_USERNAME") or None, password=config.get("MAIL_PASSWORD") or None,
        )


@dataclass(frozen=True)
class MailDirectory:
    """Development without SMTP: "sending" writes the mail to `directory` as outbox-<id>.eml, which
    any mail program opens. Never used in production (ProductionConfig requires MAIL_SERVER)."""
    directory: Path
    sender: str
    password = None  # nothing to blot out of an error

    def describe(self) -> str:
        return f"mail folder {self.directory}"


def transport_from_config(config, instance_path: str) -> "SmtpSettings | MailDirectory":
    """SMTP when MAIL_SERVER is set; otherwise the instance's mail/ folder, unless SMTP is required."""
    if config.get("MAIL_SERVER"):
        return SmtpSettings.from_config(config)
    if config.get("MAIL_REQUIRES_SMTP"):
        raise ValueError("MAIL_SERVER must be set in production: mail is sent over SMTP.")
    return MailDirectory(Path(instance_path) / "mail", sender=config["MAIL_DEFAULT_SENDER"])


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.failed


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@functools.cache
def _environment(language: str = "en") -> jinja2.Environment:
    catalogue = translations(language)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(catalogue, newstyle=True)
    env.filters["money"] = lambda value, currency="EUR": format_money(value, currency, language)
    env.filters["date"] = lambda value: format_date(value, language)
    env.filters["term"] = lambda term: catalogue.gettext(TERM_LABELS[term]) if term in TERM_LABELS else term
    return env


def render(template: str, language: str = "en", **context) -> Rendered:
    """The subject, text and HTML of mail `template` (email/<template>.txt and .html) in `language`."""
    env = _environment(language)
    context["language"] = language
    text_template = env.get_template(f"{template}.txt")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
    subject = " ".join(subject.split())
    text = text_template.render(**context).strip() + "\n"
    html = env.get_template(f"{template}.html").render(subject=subject, **context)
    return Rendered(subject=subject, text=text, html=html)


def enqueue_template(
    session: Session, to: str | Iterable[str], template: str, *,
    attachments: Iterable[Attachment] = (), now: dt.datetime | None = None, **context,
) -> list[OutboxMail]:
    """Render mail `template` with `context` and put it in the outbox, one mail per recipient, each
    in the recipient's language."""
    recipients = [to] if isinstance(to, str) else list(to)
    attachments = list(attachments)
    chosen = dict(session.execute(
        select(func.lower(User.email), User.language)
        .where(func.lower(User.email).in_([r.strip().lower() for r in recipients if r]))).all())
    by_language: dict[str, list[str]] = {}
    for address in recipients:
        language = chosen.get((address or "").strip().lower()) or "en"
        by_language.setdefault(language, []).append(address)
    mails = []
    for language, addresses in by_language.items():
        rendered = render(template, language=language, **context)
        mails += enqueue_many(session, addresses, rendered.subject, rendered.text, attachments, now,
                              html=rendered.html)
    return mails


def enqueue(
    session: Session, to: str, subject: str, body: str,
    attachments: Iterable[Attachment] = (), now: dt.datetime | None = None, html: str | None = None,
) -> OutboxMail:
    """Put one mail in the outbox, due now; it is sent once the caller's transaction commits."""
    to = (to or "").strip()
    if not to or "@" not in to or any(c in to for c in "\r\n,;"):
        raise ValueError(f"not a single mail address: {to!r}")
    now = now or utcnow()
    mail = OutboxMail(to=to, subject=" ".join(subject.split())[:200], body=body, html=html,
                      created_at=now, next_attempt_at=now)
    for filename, content_type, data in attachments:
        mail.attachments.append(OutboxAttachment(filename=filename[:200], content_type=content_type, data=data))
    session.add(mail)
    session.flush()
    return mail


def enqueue_many(session: Session, recipients: Iterable[str], subject: str, body: str,
                 attachments: Iterable[Attachment] = (), now: dt.datetime | None = None,
                 html: str | None = None) -> list[OutboxMail]:
    """One outbox mail per recipient (each retried on its own), duplicates removed."""
    attachments = list(attachments)
    seen: set[str] = set()
    mails = []
    for to in recipients:
        if to and to.lower() not in seen:
            seen.add(to.lower())
            mails.append(enqueue(session, to, subject, body, attachments, now, html))
    return mails


def partner_recipients(session: Session, partner: Partner) -> list[str]:
    """Who hears about a partner's orders and agreements: its active users, else its own address."""
    users = session.scalars(
        select(User.email).where(User.partner_id == partner.id, User.active.is_(True)).order_by(User.id)
    ).all()
    return list(users) or ([partner.email] if partner.email else [])


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … capped at 1 h."""
    seconds = FIRST_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 20)
    return dt.timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def due(session: Session, now: dt.datetime, batch: int = 50) -> list[OutboxMail]:
    """Unsent mails whose attempt is due, oldest first, locked against other senders.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets several senders (hosts) share the outbox without
    sending a mail twice; SQLite ignores it (one host).
    """
    query = (
        select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=OutboxMail)
        .options(selectinload(OutboxMail.attachments).options(undefer(OutboxAttachment.data)))
    )
    return list(session.scalars(query))


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(mail.created_at.timestamp(), usegmt=True)
    # Stable per outbox row: a mail re-sent after a crash carries the same id, so it can be deduplicated.
    domain = sender.rpartition("@")[2].strip(">") or "hwaas.invalid"
    message["Message-ID"] = f"<outbox-{mail.id}.{int(mail.created_at.timestamp())}@{domain}>"
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=attachment.filename)
    return message


def send_pending(session: Session, smtp_settings: "SmtpSettings | MailDirectory", now: dt.datetime | None = None,
                 batch: int = 50) -> SendResult:
    """Send the due mails of one batch over one SMTP connection; the caller commits.

    A mail the server accepted gets sent_at; one it did not (server down, refused, timed out)
    gets attempts + 1, the error (never credentials) and a later next_attempt_at. No mail is ever
    dropped. Delivery is at least once: a crash between sending and committing re-sends.
    """
    now = now or utcnow()
    mails = due(session, now, batch)
    result = SendResult()
    if not mails:
        return result
    try:
        connection = _connect(smtp_settings)
    except (OSError, smtplib.SMTPException) as error:
        for mail in mails:
            _failed(mail, error, now, smtp_settings)
        result.failed = len(mails)
        session.flush()
        log.warning("mail: %s unavailable, %d mail(s) wait: %s", smtp_settings.describe(),
                    len(mails), _describe(error, smtp_settings))
        return result
    try:
        for index, mail in enumerate(mails):
            try:
                connection.send_message(build_message(mail, smtp_settings.sender))
            except smtplib.SMTPServerDisconnected as error:
                # The connection is gone: this mail and the rest of the batch wait for the next run.
                for rest in mails[index:]:
                    _failed(rest, error, now, smtp_settings)
                    result.failed += 1
                break
            except (OSError, smtplib.SMTPException) as error:
                _failed(mail, error, now, smtp_settings)
                result.failed += 1
            else:
                mail.sent_at = now
                mail.attempts += 1
                mail.last_error = ""
                result.sent += 1
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    session.flush()
    return result


class _DirectoryConnection:
    """What send_pending needs of an SMTP connection, writing files instead."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory

    def send_message(self, message: EmailMessage) -> None:
        # Named after the outbox row, in order: a mail written again after a crash replaces itself.
        outbox_id = int(message["Message-ID"].strip("<>").split(".")[0].removeprefix("outbox-"))
        path = self.directory / f"outbox-{outbox_id:06d}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(path)  # a reader never sees half a mail

    def quit(self) -> None:
        pass

    close = quit


def _connect(settings: "SmtpSettings | MailDirectory"):
    if isinstance(settings, MailDirectory):
        return _DirectoryConnection(settings.directory)
    connection = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    try:
        if settings.use_tls:
            connection.starttls(context=ssl.create_default_context())
        if settings.username:
            connection.login(settings.username, settings.password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _failed(mail: OutboxMail, error: BaseException, now: dt.datetime, settings: "SmtpSettings | MailDirectory") -> None:
    mail.attempts += 1
    mail.last_error = _describe(error, settings)[:500]
    mail.next_attempt_at = now + retry_delay(mail.attempts)


def _describe(error: BaseException, settings: "SmtpSettings | MailDirectory") -> str:
    """The error for the outbox row and the log, with any credential blotted out."""
    if isinstance(error, socket.timeout):
        text = "timed out"
    else:
        text = str(error) or type(error).__name__
    if settings.password:
        text = text.replace(settings.password, "***")
    return f"{type(error).__name__}: {text}"
