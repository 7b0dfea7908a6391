"""Invoices and the partner's standing on the overdue ladder."""
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.models import Invoice
from hwaas.services import overdue


def oldest_open_due_date(session: Session, partner_id: int) -> dt.date | None:
    return session.scalar(
        select(func.min(Invoice.due_on)).where(Invoice.partner_id == partner_id, Invoice.paid_on.is_(None))
    )


def partner_standing(
    session: Session, partner_id: int, today: dt.date, thresholds: overdue.Thresholds = overdue.Thresholds()
) -> overdue.Standing:
    oldest = oldest_open_due_date(session, partner_id)
    days = overdue.days_overdue([oldest] if oldest else [], today)
    return overdue.standing(days, thresholds)
