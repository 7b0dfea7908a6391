"""Agreements: files judged by content, the area manager mailed with the file, reviews, and the
rule that an HWaaS order waits for an approved agreement."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from hwaas.models import Agreement, OutboxMail
from hwaas.services import agreements, manager, overdue
from hwaas.services.errors import (AgreementMissing, InvalidTransition, NotFound, ReadOnlyAccount,
                                   ValidationFailed)
from hwaas.services.tenancy import PartnerScope
from tests.ordering import serials_for

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(make):
    am = make.staff(email="am@example.com", name="Marco Bianchi")
    partner = make.partner(name="Demo Partner", area_manager_id=am.id, email="orders@demo.example")
    user = make.user(partner=partner, email="partner@example.com", name="Paola Rossi")
    customer = make.customer(partner=partner, name="Acme Srl", vat_number="IT01234567897", city="Milano")
    return am, partner, user, customer


@pytest.mark.parametrize("data, content_type", [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")])
def test_files_are_recognised_by_their_content(data, content_type):
    assert agreements.check_file(data)[0] == content_type


@pytest.mark.parametrize("data", [b"GIF89a....", b"PK\x03\x04 a zip or docx", b"<html>%PDF-</html>",
                                  b"hello", b"\xff\xd8"])
def test_other_files_are_refused_whatever_their_name(data):
    with pytest.raises(ValidationFailed) as error:
        agreements.check_file(data)
    assert error.value.field == "file" and "PDF, JPEG or PNG" in error.value.message


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(ValidationFailed, match="empty"):
        agreements.check_file(b"")
    with pytest.raises(ValidationFailed, match="largest allowed is 10 MB"):
        agreements.check_file(b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert agreements.check_file(b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5))[0] == "application/pdf"


def test_upload_stores_the_file_and_mails_it_to_the_area_manager(session, world):
    am, partner, user, customer = world
    agreement = agreements.upload(PartnerScope(session, partner.id), customer.id, user, "scan.PDF.exe", PDF,
                                  review_url="http://portal/manager/agreements")
    assert agreement.status == "uploaded" and agreement.data == PDF and agreement.size == len(PDF)
    assert agreement.content_type == "application/pdf"
    assert agreement.filename == "scan.PDF.pdf"  # the extension follows the content

    [queued] = session.scalars(select(OutboxMail)).all()
    assert queued.to == "am@example.com"
    assert queued.subject == "HWaaS agreement to review: Acme Srl (Demo Partner)"
    assert "Paola Rossi" in queued.body and "http://portal/manager/agreements" in queued.body
    assert [(a.filename, a.content_type, a.data) for a in queued.attachments] == [
        ("scan.PDF.pdf", "application/pdf", PDF)]


def test_without_an_area_manager_the_admins_are_mailed(session, make):
    make.staff(role="admin", email="admin@example.com")
    partner = make.partner()
    user = make.user(partner=partner)
    customer = make.customer(partner=partner)
    agreements.upload(PartnerScope(session, partner.id), customer.id, user, "a.png", PNG)
    assert session.scalars(select(OutboxMail.to)).all() == ["admin@example.com"]


def test_a_refused_file_stores_and_mails_nothing(session, world):
    _, partner, user, customer = world
    with pytest.raises(ValidationFailed):
        agreements.upload(PartnerScope(session, partner.id), customer.id, user, "agreement.pdf", b"MZ\x90\x00")
    assert session.scalar(select(func.count()).select_from(Agreement)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_another_partners_customer_is_not_found(session, world, make):
    _, partner, user, _ = world
    stranger = make.customer()
    with pytest.raises(NotFound):
        agreements.upload(PartnerScope(session, partner.id), stranger.id, user, "a.pdf", PDF)


def test_a_read_only_partner_cannot_upload(session, world):
    _, partner, user, customer = world
    with pytest.raises(ReadOnlyAccount):
        agreements.upload(PartnerScope(session, partner.id), customer.id, user, "a.pdf", PDF,
                          standing=overdue.standing(30))


def test_an_approved_agreement_is_not_replaced(session, world, make):
    _, partner, user, customer = world
    make.agreement(customer, status="approved")
    with pytest.raises(InvalidTransition, match="already approved"):
        agreements.upload(PartnerScope(session, partner.id), customer.id, user, "a.pdf", PDF)


def test_review_approves_or_rejects_with_a_reason_and_tells_the_partner(session, world, make):
    am, partner, user, customer = world
    scope = manager.ManagerScope(session, am)
    first = make.agreement(customer)
    with pytest.raises(ValidationFailed) as error:
        manager.review_agreement(scope, first.id, "rejected", "  ")
    assert error.value.field == "note"
    manager.review_agreement(scope, first.id, "rejected", "The customer's signature is missing.")
    assert first.status == "rejected" and first.reviewed_by_id == am.id and first.reviewed_at is not None
    with pytest.raises(InvalidTransition):
        manager.review_agreement(scope, first.id, "approved")

    second = agreements.upload(PartnerScope(session, partner.id), customer.id, user, "b.jpg", JPEG)
    manager.review_agreement(scope, second.id, "approved", "Thanks")
    assert agreements.is_approved(session, customer.id)
    partner_mails = session.scalars(select(OutboxMail).where(OutboxMail.to == "partner@example.com")
                                    .order_by(OutboxMail.id)).all()
    assert [m.subject for m in partner_mails] == ["HWaaS agreement rejected: Acme Srl",
                                                  "HWaaS agreement approved: Acme Srl"]
    assert "The customer's signature is missing." in partner_mails[0].body


def test_only_the_latest_upload_can_be_reviewed(session, world, make):
    am, _, _, customer = world
    old = make.agreement(customer)
    make.agreement(customer)
    with pytest.raises(InvalidTransition, match="newer agreement"):
        manager.review_agreement(manager.ManagerScope(session, am), old.id, "approved")


def test_a_manager_sees_only_their_partners(session, world, make):
    am, partner, _, customer = world
    mine = make.agreement(customer)
    other_am = make.staff()
    other_partner = make.partner(area_manager_id=other_am.id)
    theirs = make.agreement(make.customer(partner=other_partner))
    scope = manager.ManagerScope(session, am)
    assert [a.id for a in manager.agreement_list(scope)] == [mine.id]
    with pytest.raises(NotFound):
        manager.review_agreement(scope, theirs.id, "approved")
    admin = make.staff(role="admin")
    assert {a.id for a in manager.agreement_list(manager.ManagerScope(session, admin))} == {mine.id, theirs.id}
    with pytest.raises(NotFound):
        manager.ManagerScope(session, make.user(partner=partner))


def test_an_order_is_approved_only_after_the_agreement(session, world, make):
    am, partner, user, customer = world
    order = make.order(pbx=make.pbx(customer=customer))
    scope = manager.ManagerScope(session, am)
    with pytest.raises(AgreementMissing, match="no signed HWaaS agreement"):
        manager.change_order_status(scope, order.id, "approve")
    agreement = make.agreement(customer)
    with pytest.raises(AgreementMissing, match="awaiting review"):
        manager.change_order_status(scope, order.id, "approve")
    assert order.status == "awaiting_approval" and len(order.history) == 1

    manager.review_agreement(scope, agreement.id, "approved")
    change = manager.change_order_status(scope, order.id, "approve", "Go ahead")
    assert order.status == "approved" and change.changed_by_id == am.id
    with pytest.raises(ValidationFailed) as error:
        manager.change_order_status(scope, order.id, "ship")
    assert error.value.field == "shipment_date"
    manager.change_order_status(scope, order.id, "ship", shipment_date=dt.date(2026, 9, 3),
                                units=serials_for(session, order), today=dt.date(2026, 9, 3))
    manager.change_order_status(scope, order.id, "activate")
    assert [(c.from_status, c.to_status) for c in order.history] == [
        (None, "awaiting_approval"), ("awaiting_approval", "approved"), ("approved", "shipped"), ("shipped", "active")]
    assert order.shipment_date == dt.date(2026, 9, 3)
    subjects = session.scalars(select(OutboxMail.subject).where(OutboxMail.to == "partner@example.com")
                               .order_by(OutboxMail.id)).all()
    assert subjects[-3:] == [f"Order {order.number} approved: Acme Srl", f"Order {order.number} shipped: Acme Srl",
                             f"Order {order.number} active: Acme Srl"]


def test_rejecting_or_cancelling_an_order_needs_a_reason(session, world, make):
    am, _, _, customer = world
    order = make.order(pbx=make.pbx(customer=customer))
    scope = manager.ManagerScope(session, am)
    with pytest.raises(ValidationFailed, match="reason"):
        manager.change_order_status(scope, order.id, "reject")
    manager.change_order_status(scope, order.id, "reject", "Out of stock for months")
    assert order.status == "rejected"
    with pytest.raises(InvalidTransition):
        manager.change_order_status(scope, order.id, "cancel", "Too late")


def test_a_classound_only_order_needs_no_agreement(session, world, make):
    am, _, _, customer = world
    plan = make.product(sku="CLS-1", category="classound")
    order = make.order(pbx=make.pbx(customer=customer), lines=[(plan, 1)])
    manager.change_order_status(manager.ManagerScope(session, am), order.id, "approve")
    assert order.status == "approved"


def test_status_mail_goes_to_the_partner_address_when_it_has_no_users(session, make):
    am = make.staff()
    partner = make.partner(area_manager_id=am.id, email="orders@partner.example")
    customer = make.customer(partner=partner)
    staff_placed = make.staff(role="admin")
    order = make.order(pbx=make.pbx(customer=customer), placed_by=staff_placed)
    manager.change_order_status(manager.ManagerScope(session, am), order.id, "cancel", "Duplicate order")
    assert session.scalars(select(OutboxMail.to)).all() == ["orders@partner.example"]


def test_the_prefilled_agreement_names_partner_customer_and_pbxs(session, world, make):
    _, partner, _, customer = world
    make.pbx(customer=customer, name="acme-hq.pbx.example", term="yearly", activated_on=dt.date(2026, 8, 25))
    make.pbx(customer=customer, name="acme-old.pbx.example", term="lifetime")
    doc = agreements.prefilled_pdf(PartnerScope(session, partner.id), customer.id, dt.date(2026, 11, 25))
    assert doc.filename == "hwaas-agreement-acme-srl.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.data)).pages)
    for expected in ("Demo Partner", "Acme Srl", "IT01234567897", "acme-hq.pbx.example", "2027-08-25",
                     "acme-old.pbx.example", "Marco Bianchi", "automatically renewed"):
        assert expected in text, expected


def test_prefilled_agreement_of_another_partners_customer_is_not_found(session, world, make):
    _, partner, _, _ = world
    with pytest.raises(NotFound):
        agreements.prefilled_pdf(PartnerScope(session, partner.id), make.customer().id, dt.date(2026, 11, 25))


def test_amount_sanity_of_the_order_factory(make):
    order = make.order()
    assert order.total == sum(line.amount for line in order.lines) and order.total > Decimal("0")
