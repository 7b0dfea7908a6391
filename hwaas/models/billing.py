"""The partner's invoices, which drive the overdue ladder (DESIGN §3.5)."""
import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hwaas.extensions import db
from hwaas.models.partners import Partner
from hwaas.models.types import intpk, money, timestamp


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        Index("ix_invoices_partner_id_paid_on_due_on", "partner_id", "paid_on", "due_on"),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    number: Mapped[str] = mapped_column(String(30), unique=True)
    issued_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    amount: Mapped[money]
    paid_on: Mapped[dt.date | None]
    created_at: Mapped[timestamp]

    partner: Mapped[Partner] = relationship()

    def status(self, today: dt.date) -> str:
        if self.paid_on is not None:
            return "Paid"
        return "Overdue" if today > self.due_on else "Due"

    def days_overdue(self, today: dt.date) -> int:
        if self.paid_on is not None or today <= self.due_on:
            return 0
        return (today - self.due_on).days
