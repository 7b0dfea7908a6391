"""Charges: every amount a service costs, one row each (DESIGN §3.4), and the renewal job's runs."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hwaas.extensions import db
from hwaas.messages import N_
from hwaas.models.partners import Customer
from hwaas.models.pbx import Pbx, PbxService
from hwaas.models.types import SUBSCRIPTION_TERMS, UTCDateTime, intpk, money, term_check, timestamp

CHARGE_KINDS = {
    "initial": N_("Initial"),
    "renewal": N_("Renewal"),
    "cancellation_fee": N_("Cancellation fee"),
}
_KINDS_SQL = ", ".join(f"'{k}'" for k in CHARGE_KINDS)


class Charge(db.Model):
    """One amount a service costs: its prorated order line, a renewal, or a cancellation fee.

    Unique per (service, kind, period start): the renewal job run twice, or on two hosts at
    once, cannot charge a period twice.
    """

    __tablename__ = "charges"
    __table_args__ = (
        UniqueConstraint("service_id", "kind", "period_start"),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind_valid"),
        term_check("term", SUBSCRIPTION_TERMS),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount >= 0 AND unit_price >= 0", name="amount_positive"),
        CheckConstraint("period_start < period_end", name="period_valid"),
        ForeignKeyConstraint(["customer_id", "partner_id"], ["customers.id", "customers.partner_id"]),
        ForeignKeyConstraint(["pbx_id", "customer_id", "term"], ["pbxs.id", "pbxs.customer_id", "pbxs.term"]),
        # The Charges page: a partner's charges by month (period start), newest first.
        Index("ix_charges_partner_id_period_start_id", "partner_id", "period_start", "id"),
        Index("ix_charges_customer_id_period_start", "customer_id", "period_start"),
        Index("ix_charges_pbx_id_period_start", "pbx_id", "period_start"),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int]
    customer_id: Mapped[int]
    pbx_id: Mapped[int]
    service_id: Mapped[int] = mapped_column(ForeignKey("pbx_services.id"))
    term: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]  # exclusive: the PBX's expiration date for that period
    quantity: Mapped[int]
    # initial and renewal: one unit for one full term; cancellation_fee: the monthly price.
    unit_price: Mapped[money]
    amount: Mapped[money]
    note: Mapped[str] = mapped_column(String(200), default="")  # why, in words (no money: shown per language)
    created_at: Mapped[timestamp]

    customer: Mapped[Customer] = relationship()
    pbx: Mapped[Pbx] = relationship(overlaps="customer")
    service: Mapped[PbxService] = relationship()

    @property
    def kind_label(self) -> str:
        return CHARGE_KINDS[self.kind]

    @property
    def full_price(self) -> Decimal:
        return self.unit_price * self.quantity


class JobRun(db.Model):
    """A day a daily job has processed (the renewal job): where the next run starts catching up.

    In the database, not a file, so every host sees the same last run.
    """

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
