"""Mail bodies are Jinja templates (hwaas/templates/email/): a subject, a text body and an HTML
alternative, rendered without Flask and sent as one multipart/alternative message."""
import datetime as dt
import email
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest

from hwaas.services import mail

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)


def order_context(**overrides):
    customer = SimpleNamespace(name="Bar & Grill <Roma>")
    order = SimpleNamespace(number="HW-000042", reference="PO 7", customer=customer, status="shipped",
                            shipment_date=dt.date(2026, 9, 3))
    change = SimpleNamespace(to_label="Shipped", from_label="Approved", note="DHL 123")
    return {"order": order, "change": change, "changed_by": SimpleNamespace(name="Marco Bianchi"),
            "order_url": "http://portal/orders/42", **overrides}


def test_every_mail_has_a_text_body_and_an_html_alternative():
    names = {p.stem for p in mail.TEMPLATES.glob("*.txt") if not p.name.startswith("_")}
    assert names >= {"agreement_to_review", "agreement_reviewed", "order_status"}
    assert names == {p.stem for p in mail.TEMPLATES.glob("*.html") if not p.name.startswith("_")}


def test_a_mail_renders_its_subject_text_and_html_from_one_context():
    rendered = mail.render("order_status", **order_context())
    assert rendered.subject == "Order HW-000042 shipped: Bar & Grill <Roma>"
    assert rendered.text.startswith("Order HW-000042 (PO 7) for Bar & Grill <Roma> is now Shipped.\n")
    assert "Shipment date: 2026-09-03" in rendered.text and "Note: DHL 123" in rendered.text
    assert "http://portal/orders/42" in rendered.text
    # The HTML escapes what partners typed; the text keeps it as typed.
    assert "Bar &amp; Grill &lt;Roma&gt;" in rendered.html and "<Roma>" not in rendered.html
    assert '<a href="http://portal/orders/42">' in rendered.html
    assert "<title>Order HW-000042 shipped: Bar &amp; Grill &lt;Roma&gt;</title>" in rendered.html


def test_a_missing_context_value_is_an_error_not_an_empty_line():
    context = order_context()
    del context["changed_by"]
    with pytest.raises(Exception, match="changed_by"):
        mail.render("order_status", **context)


def test_enqueue_template_sends_one_mail_per_recipient_with_both_parts(session, tmp_path):
    queued = mail.enqueue_template(session, ["a@example.com", "A@example.com", "b@example.com"], "order_status",
                                   now=NOW, **order_context())
    assert [m.to for m in queued] == ["a@example.com", "b@example.com"]
    assert queued[0].html and queued[0].body.startswith("Order HW-000042")
    mail.send_pending(session, mail.MailDirectory(tmp_path, sender="hwaas@localhost"), NOW)
    message = email.message_from_bytes(Path(tmp_path, f"outbox-{queued[0].id:06d}.eml").read_bytes(),
                                       policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert "is now Shipped." in message.get_body(("plain",)).get_content()
    assert "is now Shipped." in message.get_body(("html",)).get_content()


def test_a_single_address_is_one_recipient(session):
    [queued] = mail.enqueue_template(session, "a@example.com", "order_status", now=NOW, **order_context())
    assert queued.to == "a@example.com" and queued.subject.startswith("Order HW-000042")


def test_each_recipient_gets_the_mail_in_their_language(session, make):
    make.user(email="giulia@example.com", language="it")
    make.user(email="john@example.com")
    queued = mail.enqueue_template(session, ["giulia@example.com", "john@example.com", "x@example.com"],
                                   "order_status", now=NOW, **order_context())
    by_address = {m.to: m for m in queued}
    italian = by_address["giulia@example.com"]
    assert italian.subject == "Ordine HW-000042 shipped: Bar & Grill <Roma>"
    assert "Data di spedizione: 03/09/2026" in italian.body and "Stato precedente: Approved" in italian.body
    assert '<html lang="it">' in italian.html
    for english in ("john@example.com", "x@example.com"):
        assert "Shipment date: 2026-09-03" in by_address[english].body
        assert '<html lang="en">' in by_address[english].html
