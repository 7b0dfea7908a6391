"""Account balance (the partner's invoices and standing) and the administrators' invoice desk."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from hwaas.models import Invoice, Partner
from hwaas.messages import N_
from hwaas.services import overdue
from hwaas.services.errors import InvalidTransition, NotFound, ValidationFailed
from hwaas.services.paging import Page, clamp
from hwaas.services.tenancy import PartnerScope

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    status: str  # Due, Overdue, Paid (English: a page shows it translated)
    days_overdue: int


@dataclass(frozen=True)
class Balance:
    rows: list[InvoiceRow]
    open_total: Decimal
    overdue_total: Decimal
    paid_total: Decimal
    standing: overdue.Standing
    oldest_overdue: InvoiceRow | None


def _row(invoice: Invoice, today: dt.date) -> InvoiceRow:
    return InvoiceRow(invoice, invoice.status(today), invoice.days_overdue(today))


def balance(scope: PartnerScope, today: dt.date, standing: overdue.Standing) -> Balance:
    """The partner's invoices, open ones first (oldest due first), then paid ones (latest first)."""
    invoices = scope.session.scalars(
        scope.select(Invoice).order_by(
            case((Invoice.paid_on.is_(None), 0), else_=1),
            case((Invoice.paid_on.is_(None), Invoice.due_on), else_=None),
            Invoice.due_on.desc(), Invoice.id.desc())
    ).all()
    rows = [_row(invoice, today) for invoice in invoices]
    open_rows = [r for r in rows if r.status != "Paid"]
    overdue_rows = [r for r in rows if r.status == "Overdue"]
    return Balance(
        rows=rows,
        open_total=sum((r.invoice.amount for r in open_rows), ZERO),
        overdue_total=sum((r.invoice.amount for r in overdue_rows), ZERO),
        paid_total=sum((r.invoice.amount for r in rows if r.status == "Paid"), ZERO),
        standing=standing,
        oldest_overdue=min(overdue_rows, key=lambda r: r.invoice.due_on, default=None),
    )


# --- administrators --------------------------------------------------------------------------

INVOICE_FILTERS = {"open": N_("Open"), "overdue": N_("Overdue"), "paid": N_("Paid"), "all": N_("All")}


@dataclass(frozen=True)
class InvoicePage(Page):
    """A page of invoice rows, and the amount of every invoice the filter matches."""

    amount: Decimal


def invoice_list(session: Session, today: dt.date, status: str = "open", partner_id: int | None = None,
                 page: int = 1, per_page: int = 20) -> InvoicePage:
    query = select(Invoice)
    if status == "open":
        query = query.where(Invoice.paid_on.is_(None))
    elif status == "overdue":
        query = query.where(Invoice.paid_on.is_(None), Invoice.due_on < today)
    elif status == "paid":
        query = query.where(Invoice.paid_on.is_not(None))
    if partner_id:
        query = query.where(Invoice.partner_id == partner_id)
    matching = query.subquery()
    total, amount = session.execute(
        select(func.count(), func.coalesce(func.sum(matching.c.amount), 0)).select_from(matching)).one()
    page = clamp(page, per_page, total)
    order = (Invoice.due_on, Invoice.id) if status in ("open", "overdue") else (Invoice.due_on.desc(), Invoice.id.desc())
    invoices = session.scalars(query.options(joinedload(Invoice.partner)).order_by(*order)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return InvoicePage(items=[_row(i, today) for i in invoices], number=page, size=per_page, total=total,
                       amount=Decimal(amount).quantize(Decimal("0.01")))


def partner_choices(session: Session) -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in session.execute(select(Partner.id, Partner.name).order_by(Partner.name))]


def mark_paid(session: Session, invoice_id: int, paid_on: dt.date, today: dt.date) -> Invoice:
    """Record the payment of an invoice: the partner's block lifts on their next request."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("No such invoice.")
    if invoice.paid_on is not None:
        raise InvalidTransition(N_("Invoice %(number)s was already paid on %(paid_on)s."), number=invoice.number,
                                paid_on=invoice.paid_on)
    if paid_on is None:
        raise ValidationFailed(N_("Enter the payment date."), field="paid_on")
    if paid_on > today:
        raise ValidationFailed(N_("The payment date cannot be in the future."), field="paid_on")
    if paid_on < invoice.issued_on:
        raise ValidationFailed(N_("The payment date cannot be before the invoice was issued."), field="paid_on")
    invoice.paid_on = paid_on
    session.flush()
    return invoice
