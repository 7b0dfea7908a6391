"""The agreement page: prefilled PDF, signed upload (checked by content, ≤ 10 MB), the area
manager's mail through a real SMTP server, and who may see the signed file."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from hwaas.models import Agreement, OutboxMail
from hwaas.models.types import utcnow
from hwaas.services import mail
from tests.helpers import csrf_token, login
from tests.mailserver import smtp_server  # noqa: F401  (fixture)

SIGNED = b"%PDF-1.7\n% signed by Acme Srl\n" + bytes(range(256)) * 64 + b"%%EOF\n"


@pytest.fixture
def acme(make, session):
    am = make.staff(email="manager@example.com", name="Marco Bianchi")
    partner = make.partner(name="Demo Partner", area_manager_id=am.id)
    user = make.user(partner=partner, email="partner@example.com", name="Paola Rossi")
    customer = make.customer(partner=partner, name="Acme Srl", vat_number="IT01234567897")
    make.pbx(customer=customer, name="acme-hq.pbx.example")
    session.commit()
    return am, partner, user, customer


def upload(client, customer, data, filename="signed.pdf", content_type="application/pdf"):
    url = f"/customers/{customer.id}/agreement"
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(data), filename, content_type)},
                       content_type="multipart/form-data")


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_the_page_offers_the_prefilled_agreement_and_the_upload(client, acme):
    _, _, user, customer = acme
    login(client, user)
    page = client.get(f"/customers/{customer.id}/agreement")
    assert page.status_code == 200
    assert "Acme Srl" in page.text and "Not uploaded" in page.text
    assert f'href="/customers/{customer.id}/agreement.pdf"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text
    pdf = client.get(f"/customers/{customer.id}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == "attachment; filename=hwaas-agreement-acme-srl.pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Demo Partner" in text and "Acme Srl" in text and "acme-hq.pbx.example" in text


def test_upload_mails_the_area_manager_through_smtp_and_survives_an_outage(app, client, session, acme, smtp_server):
    """Done when: the area manager's mail arrives with the file; with SMTP down it waits and arrives later."""
    _, _, user, customer = acme
    login(client, user)
    response = upload(client, customer, SIGNED, filename="Acme signed.pdf")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/customers/{customer.id}/agreement"
    page = client.get(response.headers["Location"])
    assert "Awaiting review" in page.text and "Your area manager has been notified" in page.text

    runner = app.test_cli_runner()
    assert "1 mail(s) sent" in runner.invoke(args=["send-mail"]).output
    [message] = smtp_server.to("manager@example.com")
    assert message["Subject"] == "HWaaS agreement to review: Acme Srl (Demo Partner)"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == SIGNED
    assert attachment.get_filename() == "Acme_signed.pdf"

    # A second upload while the SMTP server is down: the mail waits in the outbox …
    smtp_server.stop()
    assert upload(client, customer, b"\x89PNG\r\n\x1a\n" + b"scan" * 100, "photo.png", "image/png").status_code == 303
    assert "0 mail(s) sent, 1 waiting for a retry" in runner.invoke(args=["send-mail"]).output
    session.expire_all()
    waiting = session.scalar(select(OutboxMail).where(OutboxMail.sent_at.is_(None)))
    assert waiting.attempts == 1 and waiting.next_attempt_at > utcnow()
    assert len(smtp_server.messages) == 1

    # … and arrives, once, when the server is back and the retry is due.
    smtp_server.start()
    settings = mail.SmtpSettings.from_config(app.config)
    assert mail.send_pending(session, settings, utcnow() + dt.timedelta(minutes=1)).sent == 1
    session.commit()
    assert "0 mail(s) sent" in runner.invoke(args=["send-mail"]).output
    assert len(smtp_server.to("manager@example.com")) == 2
    assert list(smtp_server.messages[1].iter_attachments())[0].get_content_type() == "image/png"


@pytest.mark.parametrize("data, filename", [
    (b"GIF89a\x01\x00\x01\x00", "signed.pdf"),  # named like a PDF, is not one
    (b"PK\x03\x04" + b"\x00" * 100, "agreement.docx"),
    (b"MZ\x90\x00 executable", "agreement.png"),
    (b"<svg onload=alert(1)>", "agreement.jpg"),
])
def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused_and_nothing_is_stored(client, session, acme, data, filename):
    _, _, user, customer = acme
    login(client, user)
    response = upload(client, customer, data, filename, "application/pdf")
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "The file must be a PDF, JPEG or PNG" in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(session, Agreement) == 0 and count(session, OutboxMail) == 0


def test_a_file_over_10_mb_is_refused_with_a_clear_message(client, session, acme):
    _, _, user, customer = acme
    login(client, user)
    response = upload(client, customer, b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 422
    assert "the largest allowed is 10 MB" in response.text
    assert count(session, Agreement) == 0 and count(session, OutboxMail) == 0


def test_a_request_over_the_limit_gets_the_upload_page_back_with_the_reason(client, session, acme):
    _, _, user, customer = acme
    login(client, user)
    response = upload(client, customer, b"%PDF-" + b"0" * (12 * 1024 * 1024))
    assert response.status_code == 413
    assert "Acme Srl" in response.text  # the same page, not a bare error
    assert "The file is larger than 10 MB, so it was not uploaded" in response.text
    assert 'type="file"' in response.text
    assert count(session, Agreement) == 0


def test_no_file_chosen(client, acme):
    _, _, user, customer = acme
    login(client, user)
    url = f"/customers/{customer.id}/agreement"
    response = client.post(url, data={"csrf_token": csrf_token(client.get(url).text)})
    assert response.status_code == 422
    assert "Choose the signed agreement to upload." in response.text


def test_upload_needs_the_csrf_token(client, session, acme):
    _, _, user, customer = acme
    login(client, user)
    response = client.post(f"/customers/{customer.id}/agreement",
                           data={"file": (io.BytesIO(SIGNED), "a.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(session, Agreement) == 0


def test_signed_file_is_served_only_to_its_partner_its_area_manager_and_admins(app, make, session, acme):
    am, partner, user, customer = acme
    agreement = make.agreement(customer, data=SIGNED, uploaded_by=user)
    other_partner_user = make.user()
    other_manager = make.staff()
    admin = make.staff(role="admin")
    session.commit()
    url = f"/agreements/{agreement.id}/file"

    for who, status in ((user, 200), (am, 200), (admin, 200), (other_partner_user, 404), (other_manager, 404)):
        client = app.test_client()
        login(client, who)
        response = client.get(url)
        assert response.status_code == status, who.email
        if status == 200:
            assert response.data == SIGNED
            assert response.headers["Content-Disposition"].startswith("attachment;")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.mimetype == "application/pdf"
    assert app.test_client().get(url).status_code == 302  # not signed in


def test_another_partners_customer_and_staff_get_404(app, make, session, acme):
    am, _, _, customer = acme
    stranger = make.user()
    session.commit()
    for who in (stranger, am):
        client = app.test_client()
        login(client, who)
        assert client.get(f"/customers/{customer.id}/agreement").status_code == 404
        assert client.get(f"/customers/{customer.id}/agreement.pdf").status_code == 404


def test_the_partner_sees_the_rejection_and_its_reason_then_uploads_again(client, make, session, acme):
    _, _, user, customer = acme
    make.agreement(customer, status="rejected", review_note="The signature is missing.",
                   reviewed_at=utcnow(), uploaded_by=user)
    session.commit()
    login(client, user)
    page = client.get(f"/customers/{customer.id}/agreement")
    assert "Rejected" in page.text and "The signature is missing." in page.text
    assert upload(client, customer, SIGNED).status_code == 303
    overview = client.get("/agreements")
    assert "Acme Srl" in overview.text and "Awaiting review" in overview.text


def test_an_approved_agreement_shows_no_upload_form(client, make, session, acme):
    _, _, user, customer = acme
    make.agreement(customer, status="approved", reviewed_at=utcnow(), uploaded_by=user)
    session.commit()
    login(client, user)
    page = client.get(f"/customers/{customer.id}/agreement")
    assert "Approved" in page.text and 'type="file"' not in page.text
    assert upload(client, customer, SIGNED).status_code == 422


def test_links_in_mails_come_from_the_configured_address_not_the_requests_host(app, session, acme, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_BASE_URL", "https://hwaas.example.com")
    _, _, user, customer = acme
    forged = app.test_client()
    forged.environ_base["HTTP_HOST"] = "evil.example"
    login(forged, user)
    assert upload(forged, customer, SIGNED).status_code == 303
    body = session.scalars(select(OutboxMail.body)).one()
    assert "https://hwaas.example.com/manager/agreements" in body and "evil.example" not in body
