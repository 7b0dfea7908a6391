"""The mail outbox, sent through a real SMTP server: nothing lost in an outage, nothing sent twice."""
import datetime as dt

import pytest
from sqlalchemy import select

from hwaas.models import OutboxMail
from hwaas.services import mail
from tests.mailserver import smtp_server  # noqa: F401  (fixture)

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def settings(server, **overrides) -> mail.SmtpSettings:
    return mail.SmtpSettings(**{"server": "127.0.0.1", "port": server.port, "sender": "hwaas@example.com",
                                **overrides})


def test_enqueue_writes_a_due_mail_with_its_attachments(session):
    queued = mail.enqueue(session, "am@example.com", "Agreement to review", "Body",
                          attachments=[("signed.pdf", "application/pdf", PDF)], now=NOW)
    assert queued.id is not None
    assert queued.sent_at is None and queued.attempts == 0 and queued.next_attempt_at == NOW
    assert [(a.filename, a.content_type, a.data) for a in queued.attachments] == [
        ("signed.pdf", "application/pdf", PDF)]


@pytest.mark.parametrize("address", ["", "not-an-address", "a@example.com, b@example.com",
                                     "a@example.com\r\nBcc: x@example.com"])
def test_enqueue_refuses_anything_but_one_address(session, address):
    with pytest.raises(ValueError):
        mail.enqueue(session, address, "Subject", "Body")


def test_sends_through_smtp_with_the_attachment_intact(session, smtp_server):
    mail.enqueue(session, "am@example.com", "Agreement to review: Acme Srl", "Please review.",
                 attachments=[("signed.pdf", "application/pdf", PDF)], now=NOW)
    result = mail.send_pending(session, settings(smtp_server), NOW)
    assert (result.sent, result.failed) == (1, 0)

    [message] = smtp_server.messages
    assert message["To"] == "am@example.com"
    assert message["From"] == "hwaas@example.com"
    assert message["Subject"] == "Agreement to review: Acme Srl"
    assert message["Message-ID"].startswith("<outbox-")
    assert message.get_body(("plain",)).get_content().strip() == "Please review."
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "signed.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF

    row = session.scalar(select(OutboxMail))
    assert row.sent_at == NOW and row.attempts == 1 and row.last_error == ""


def test_an_outage_delays_the_mail_and_loses_nothing(session, smtp_server):
    mail.enqueue(session, "am@example.com", "Agreement to review", "Body",
                 attachments=[("scan.png", "image/png", b"\x89PNG\r\n\x1a\n...")], now=NOW)
    smtp_server.stop()

    result = mail.send_pending(session, settings(smtp_server), NOW)
    row = session.scalar(select(OutboxMail))
    assert (result.sent, result.failed) == (0, 1)
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert "ConnectionRefusedError" in row.last_error

    smtp_server.start()
    # Not due yet: the sender waits for the retry time rather than hammering the server.
    assert mail.send_pending(session, settings(smtp_server), NOW + dt.timedelta(seconds=10)).attempted == 0
    assert smtp_server.messages == []

    later = NOW + dt.timedelta(seconds=31)
    assert mail.send_pending(session, settings(smtp_server), later).sent == 1
    assert mail.send_pending(session, settings(smtp_server), later + dt.timedelta(hours=2)).attempted == 0
    assert len(smtp_server.messages) == 1  # exactly once
    assert list(smtp_server.messages[0].iter_attachments())[0].get_content() == b"\x89PNG\r\n\x1a\n..."
    assert row.sent_at == later and row.attempts == 2 and row.last_error == ""


def test_a_refused_recipient_waits_and_the_others_go(session, smtp_server):
    smtp_server.refused.add("gone@example.com")
    mail.enqueue(session, "gone@example.com", "One", "Body", now=NOW)
    mail.enqueue(session, "here@example.com", "Two", "Body", now=NOW)
    result = mail.send_pending(session, settings(smtp_server), NOW)
    assert (result.sent, result.failed) == (1, 1)
    assert [m["To"] for m in smtp_server.messages] == ["here@example.com"]
    refused = session.scalar(select(OutboxMail).where(OutboxMail.to == "gone@example.com"))
    assert refused.sent_at is None and refused.attempts == 1 and "550" in refused.last_error


def test_backoff_doubles_up_to_an_hour():
    assert [mail.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert mail.retry_delay(8).total_seconds() == 3600
    assert mail.retry_delay(10_000).total_seconds() == 3600


def test_the_error_kept_never_holds_the_password():
    secret = mail.SmtpSettings("127.0.0.1", 25, "a@example.com", username="u", password="s3cret-pass")
    assert "s3cret-pass" not in mail._describe(Exception("535 auth failed for s3cret-pass"), secret)
    assert "s3cret-pass" not in repr(secret)


def test_batches_are_bounded_and_oldest_first(session, smtp_server):
    for n in range(5):
        mail.enqueue(session, f"p{n}@example.com", f"Mail {n}", "Body", now=NOW + dt.timedelta(seconds=n))
    assert mail.send_pending(session, settings(smtp_server), NOW + dt.timedelta(minutes=1), batch=2).sent == 2
    assert [m["Subject"] for m in smtp_server.messages] == ["Mail 0", "Mail 1"]
    assert mail.send_pending(session, settings(smtp_server), NOW + dt.timedelta(minutes=1), batch=10).sent == 3


def test_the_send_mail_command_sends_and_commits(app, session, smtp_server):
    mail.enqueue(session, "am@example.com", "Via the command", "Body")
    session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "1 mail(s) sent" in result.output
    assert [m["Subject"] for m in smtp_server.messages] == ["Via the command"]
    session.expire_all()
    assert session.scalar(select(OutboxMail)).sent_at is not None


def test_the_send_mail_command_keeps_mail_when_smtp_is_down(app, session, smtp_server):
    mail.enqueue(session, "am@example.com", "Waits", "Body")
    session.commit()
    smtp_server.stop()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "0 mail(s) sent, 1 waiting for a retry" in result.output
    session.expire_all()
    row = session.scalar(select(OutboxMail))
    assert row.sent_at is None and row.attempts == 1


# --- Development without an SMTP server: mail is written to instance/mail/ -----------------------

def test_without_mail_server_development_writes_mail_to_the_instance_folder(tmp_path):
    transport = mail.transport_from_config({"MAIL_SERVER": None, "MAIL_DEFAULT_SENDER": "hwaas@localhost"},
                                           str(tmp_path))
    assert transport == mail.MailDirectory(tmp_path / "mail", sender="hwaas@localhost")


def test_production_requires_an_smtp_server(tmp_path):
    with pytest.raises(ValueError, match="MAIL_SERVER must be set"):
        mail.transport_from_config({"MAIL_SERVER": None, "MAIL_REQUIRES_SMTP": True,
                                    "MAIL_DEFAULT_SENDER": "hwaas@localhost"}, str(tmp_path))
    configured = mail.transport_from_config({"MAIL_SERVER": "smtp.example.com", "MAIL_PORT": 587,
                                             "MAIL_USE_TLS": True, "MAIL_REQUIRES_SMTP": True,
                                             "MAIL_DEFAULT_SENDER": "hwaas@example.com"}, str(tmp_path))
    assert isinstance(configured, mail.SmtpSettings) and configured.server == "smtp.example.com"


def test_a_mail_written_to_the_folder_is_a_whole_message_and_is_written_once(session, tmp_path):
    import email
    from email import policy

    queued = mail.enqueue(session, "am@example.com", "Agreement to review", "Please review.",
                          attachments=[("signed.pdf", "application/pdf", PDF)], now=NOW)
    folder = mail.MailDirectory(tmp_path / "mail", sender="hwaas@localhost")
    assert mail.send_pending(session, folder, NOW).sent == 1
    [written] = (tmp_path / "mail").iterdir()
    assert written.name == f"outbox-{queued.id:06d}.eml"
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "am@example.com" and message["Subject"] == "Agreement to review"
    assert message.get_body(("plain",)).get_content().strip() == "Please review."
    assert [a.get_content() for a in message.iter_attachments()] == [PDF]
    assert queued.sent_at == NOW
    assert mail.send_pending(session, folder, NOW + dt.timedelta(minutes=1)).attempted == 0
    assert len(list((tmp_path / "mail").iterdir())) == 1


def test_the_send_mail_command_without_mail_server_says_where_the_mail_went(app, session, monkeypatch):
    from pathlib import Path

    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    queued = mail.enqueue(session, "am@example.com", "Written to a file", "Body")
    session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "mail"
    assert f"1 mail(s) sent to {folder}" in result.output
    assert (folder / f"outbox-{queued.id:06d}.eml").exists()


def test_the_send_mail_command_refuses_to_run_in_production_without_smtp(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_REQUIRES_SMTP", True)
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code != 0
    assert "MAIL_SERVER must be set in production" in result.output
