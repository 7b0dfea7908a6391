"""HWaaS agreements (DESIGN §3.6): the prefilled PDF, the signed upload, the area manager's review.

The signed file is judged by its content (magic bytes), never by its name or the browser's
content type, and is stored in the database so that every worker and host can serve it.
"""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer
from werkzeug.utils import secure_filename

from hwaas.models import Agreement, Customer, Order, Partner, Pbx, User
from hwaas.models.types import utcnow
from hwaas.services import documents, mail, overdue
from hwaas.messages import N_
from hwaas.services.errors import AgreementMissing, InvalidTransition, NotFound, ValidationFailed
from hwaas.services.pricing import expiration_date
from hwaas.services.tenancy import PartnerScope

MAX_BYTES = 10 * 1024 * 1024
# (leading bytes, content type, file extension): the only kinds of file accepted.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
NOT_ACCEPTED = N_("The file must be a PDF, JPEG or PNG. This file is none of these, so it was not uploaded.")
# Products of these categories are HWaaS services that need no agreement (DESIGN §3.6 is about hardware).
NO_AGREEMENT_CATEGORIES = ("classound",)


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a PDF, JPEG or PNG, from its first bytes; ValidationFailed otherwise."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    raise ValidationFailed(NOT_ACCEPTED, field="file")


def check_file(data: bytes) -> tuple[str, str]:
    if not data:
        raise ValidationFailed(N_("The selected file is empty. Choose the signed agreement."), field="file")
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            N_("The file is %(size)s MB; the largest allowed is 10 MB. "
               "Scan it at a lower resolution, or save it as a PDF, and upload it again."),
            field="file", size=f"{len(data) / 1024 / 1024:.1f}")
    return sniff(data)


# --- reading ---------------------------------------------------------------------------------


def latest(session: Session, customer_id: int) -> Agreement | None:
    """The customer's most recent upload: the one that counts."""
    return session.scalar(select(Agreement).where(Agreement.customer_id == customer_id)
                          .order_by(Agreement.id.desc()).limit(1))


def history(scope: PartnerScope, customer_id: int) -> list[Agreement]:
    return list(scope.session.scalars(
        scope.select(Agreement).where(Agreement.customer_id == customer_id).order_by(Agreement.id.desc())))


def is_approved(session: Session, customer_id: int) -> bool:
    agreement = latest(session, customer_id)
    return agreement is not None and agreement.status == "approved"


def has_signed(session: Session, customer_id: int) -> bool:
    """A signed agreement has been uploaded and not rejected: enough to check out an HWaaS order."""
    agreement = latest(session, customer_id)
    return agreement is not None and agreement.status in ("uploaded", "approved")


def order_needs_agreement(order: Order) -> bool:
    """An order with any device (not only CLASSOUND) is HWaaS and needs the customer's agreement."""
    from hwaas.models import Product

    session = Session.object_session(order)
    categories = session.scalars(
        select(Product.category).where(Product.id.in_([line.product_id for line in order.lines]))
    ).all()
    return not categories or any(c not in NO_AGREEMENT_CATEGORIES for c in categories)


def require_approved_for(session: Session, order: Order) -> None:
    """Refuse to approve an HWaaS order until its customer's latest agreement is approved."""
    if not order_needs_agreement(order):
        return
    agreement = latest(session, order.customer_id)
    name = order.customer.name
    if agreement is None:
        reason = N_("This order cannot be approved yet: %(customer)s has no signed HWaaS agreement yet; "
                    "the partner must upload one.")
    elif agreement.status == "uploaded":
        reason = N_("This order cannot be approved yet: the HWaaS agreement of %(customer)s is awaiting "
                    "review: approve it first.")
    elif agreement.status == "rejected":
        reason = N_("This order cannot be approved yet: the HWaaS agreement of %(customer)s was rejected; "
                    "the partner must upload a new one.")
    else:
        return
    raise AgreementMissing(reason, field="action", customer=name)


def file_for(scope, agreement_id: int) -> Agreement:
    """The agreement with its bytes, if `scope` (a partner's, or a manager's) sees its partner."""
    return scope.get(Agreement, agreement_id, undefer(Agreement.data))


def download_name(agreement: Agreement) -> str:
    extension = {ct: ext for _, ct, ext in SIGNATURES}[agreement.content_type]
    return f"agreement-{documents.safe_filename(agreement.customer.name)}-{agreement.id}.{extension}"


# --- the prefilled agreement -----------------------------------------------------------------


@dataclass(frozen=True)
class PbxLine:
    pbx: Pbx
    expires: dt.date | None


def prefilled_pdf(scope: PartnerScope, customer_id: int, today: dt.date,
                  lang: str = documents.DEFAULT_LANG) -> documents.Document:
    """The HWaaS agreement as a PDF, filled in with the partner, the customer and its PBXs."""
    customer = scope.get(Customer, customer_id)
    partner = scope.session.get(Partner, scope.partner_id)
    pbxs = []
    for pbx in scope.session.scalars(scope.select(Pbx).where(Pbx.customer_id == customer.id).order_by(Pbx.name)):
        expires = None
        if pbx.is_subscription and pbx.activated_on and pbx.activated_on <= today:
            expires = expiration_date(pbx.activated_on, pbx.term, today)
        pbxs.append(PbxLine(pbx, expires))
    data = documents.render_pdf("agreement.html", lang=lang, partner=partner, customer=customer, pbxs=pbxs, today=today,
                                reference=f"HWAAS-{partner.id}-{customer.id}")
    return documents.Document(
        f"hwaas-agreement-{documents.safe_filename(customer.name)}.pdf", "application/pdf", data)


# --- upload and review -----------------------------------------------------------------------


def upload(
    scope: PartnerScope, customer_id: int, by: User, filename: str, data: bytes,
    standing: overdue.Standing | None = None, review_url: str | None = None, now: dt.datetime | None = None,
) -> Agreement:
    """Store the signed agreement and mail it to the customer's area manager (outbox)."""
    session = scope.session
    customer = scope.get(Customer, customer_id)
    if standing is not None:
        overdue.check_writable(standing)
    current = latest(session, customer.id)
    if current is not None and current.status == "approved":
        raise InvalidTransition(
            N_("The HWaaS agreement of %(customer)s is already approved; there is nothing to upload."),
            field="file", customer=customer.name)
    content_type, extension = check_file(data)
    name = secure_filename(filename or "") or f"agreement.{extension}"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    name = f"{stem[:150]}.{extension}"  # the extension says what the content is
    now = now or utcnow()
    agreement = Agreement(
        partner_id=scope.partner_id, customer_id=customer.id, filename=name, content_type=content_type,
        size=len(data), data=data, status="uploaded", uploaded_by_id=by.id, uploaded_at=now,
    )
    session.add(agreement)
    session.flush()
    _mail_reviewers(session, agreement, customer, by, review_url, now)
    return agreement


def reviewers(session: Session, partner: Partner) -> list[str]:
    """The partner's area manager; the administrators when it has none, so no upload goes unseen."""
    if partner.area_manager is not None and partner.area_manager.active:
        return [partner.area_manager.email]
    return list(session.scalars(
        select(User.email).where(User.role == "admin", User.active.is_(True)).order_by(User.id)))


def _mail_reviewers(session, agreement, customer, by, review_url, now) -> None:
    partner = customer.partner
    mail.enqueue_template(
        session, reviewers(session, partner), "agreement_to_review",
        attachments=[(agreement.filename, agreement.content_type, agreement.data)], now=now,
        agreement=agreement, customer=customer, partner=partner, by=by, review_url=review_url,
        size_kb=max(1, round(agreement.size / 1024)),
    )


def review(
    session: Session, agreement: Agreement, by: User, decision: str, note: str = "",
    agreement_url: str | None = None, now: dt.datetime | None = None,
) -> Agreement:
    """Approve or reject an uploaded agreement (a reason is required to reject); the partner is mailed."""
    if decision not in ("approved", "rejected"):
        raise ValidationFailed(N_("Choose Approve or Reject."), field="decision")
    note = (note or "").strip()
    if decision == "rejected" and not note:
        raise ValidationFailed(N_("Enter the reason for rejecting the agreement; the partner will see it."),
                               field="note")
    if len(note) > 500:
        raise ValidationFailed(N_("The reason can be at most 500 characters."), field="note")
    if agreement.status != "uploaded":
        raise InvalidTransition(N_("This agreement has already been approved.") if agreement.status == "approved"
                                else N_("This agreement has already been rejected."))
    newest = latest(session, agreement.customer_id)
    if newest is not None and newest.id != agreement.id:
        raise InvalidTransition(N_("The partner has uploaded a newer agreement for this customer: review that one."))
    now = now or utcnow()
    agreement.status = decision
    agreement.reviewed_by_id = by.id
    agreement.reviewed_at = now
    agreement.review_note = note
    session.flush()

    customer = agreement.customer
    mail.enqueue_template(session, mail.partner_recipients(session, customer.partner), "agreement_reviewed",
                          now=now, customer=customer, by=by, note=note, approved=decision == "approved",
                          agreement_url=agreement_url)
    return agreement


def overview(scope: PartnerScope) -> list[Agreement]:
    """The latest agreement of each of the partner's customers that has one, by customer name."""
    from sqlalchemy import func
    from sqlalchemy.orm import joinedload

    newest = scope.select(Agreement, func.max(Agreement.id)).group_by(Agreement.customer_id)
    return list(scope.session.scalars(
        select(Agreement).join(Agreement.customer).where(Agreement.id.in_(newest))
        .options(joinedload(Agreement.customer), joinedload(Agreement.reviewed_by)).order_by(Customer.name)))
