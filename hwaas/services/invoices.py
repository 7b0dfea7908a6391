"""Invoices and the partner's standing on the overdue ladder."""
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.models import Invoice
from hwaas.services import overdue


def oldest_open_due(partner_id):
    """The due date of the partner's oldest unpaid invoice (NULL when every one is paid), as a
    scalar subquery: `partner_id` may be a value or a column it is correlated to."""
    return (select(func.min(Invoice.due_on))
            .where(Invoice.partner_id == partner_id, Invoice.paid_on.is_(None)).scalar_subquery())


def oldest_open_due_date(session: Session, partner_id: int) -> dt.date | None:
    return session.scalar(select(oldest_open_due(partner_id)))


def standing_from(oldest: dt.date | None, today: dt.date,
                  thresholds: overdue.Thresholds = overdue.Thresholds()) -> overdue.Standing:
    """The rung of the overdue ladder, from the oldest unpaid invoice's due date."""
    days = overdue.days_overdue([oldest] if oldest else [], today)
    return overdue.standing(days, thresholds)


def partner_standing(
    session: Session, partner_id: int, today: dt.date, thresholds: overdue.Thresholds = overdue.Thresholds()
) -> overdue.Standing:
    return standing_from(oldest_open_due_date(session, partner_id), today, thresholds)
