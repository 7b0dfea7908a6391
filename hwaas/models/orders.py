"""Orders, their price-snapshot lines and their status history (DESIGN §3.8)."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hwaas.extensions import db
from hwaas.models.partners import Customer, User
from hwaas.models.pbx import Pbx
from hwaas.messages import N_
from hwaas.models.types import SUBSCRIPTION_TERMS, UTCDateTime, intpk, money, str80, str200, term_check, timestamp

ORDER_STATUSES = {
    "awaiting_approval": N_("Awaiting approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "shipped": N_("Shipped"),
    "active": N_("Active"),
    "cancelled": N_("Cancelled"),
}
_STATUS_SQL = ", ".join(f"'{s}'" for s in ORDER_STATUSES)


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        term_check("term", SUBSCRIPTION_TERMS),
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status_valid"),
        ForeignKeyConstraint(["customer_id", "partner_id"], ["customers.id", "customers.partner_id"]),
        ForeignKeyConstraint(["pbx_id", "customer_id", "term"], ["pbxs.id", "pbxs.customer_id", "pbxs.term"]),
        Index("ix_orders_partner_id_status_id", "partner_id", "status", "id"),
        Index("ix_orders_partner_id_id", "partner_id", "id"),
    )

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(20), unique=True)  # HW-2026-000042
    partner_id: Mapped[int]
    customer_id: Mapped[int] = mapped_column(index=True)
    pbx_id: Mapped[int] = mapped_column(index=True)
    term: Mapped[str] = mapped_column(String(12))
    # One order per cart, whatever the number of submits, tabs or retries.
    cart_id: Mapped[int | None] = mapped_column(ForeignKey("carts.id"), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    reference: Mapped[str80]  # the partner's own order reference
    status: Mapped[str] = mapped_column(String(20), default="awaiting_approval")
    ordered_on: Mapped[dt.date]
    total: Mapped[money]
    # Delivery address, copied from the address book at checkout.
    delivery_recipient: Mapped[str200]
    delivery_street: Mapped[str200]
    delivery_postcode: Mapped[str] = mapped_column(String(20))
    delivery_city: Mapped[str80]
    delivery_country: Mapped[str] = mapped_column(String(2))
    # The book entry it was copied from: checkout's default for the customer's next order. An
    # entry deleted from the book leaves the copy above (SET NULL, and addresses.delete says so).
    delivery_address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id", ondelete="SET NULL"))
    terms_accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    shipment_date: Mapped[dt.date | None]
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[timestamp]

    customer: Mapped[Customer] = relationship()
    pbx: Mapped[Pbx] = relationship(overlaps="customer")
    placed_by: Mapped[User] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    history: Mapped[list["OrderStatusChange"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderStatusChange.id"
    )

    @property
    def status_label(self) -> str:
        return ORDER_STATUSES[self.status]

    @property
    def delivery_address(self) -> str:
        if not self.delivery_street:  # an order of CLASSOUND only: nothing to deliver
            return "None: nothing is delivered"
        return (f"{self.delivery_recipient}, {self.delivery_street}, "
                f"{self.delivery_postcode} {self.delivery_city}, {self.delivery_country}")


class OrderLine(db.Model):
    """A line as it was priced at checkout: later catalogue changes do not touch it."""

    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str200]
    quantity: Mapped[int]
    unit_price: Mapped[money]  # full term price of one unit
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]  # the PBX's expiration date
    days: Mapped[int]  # days charged: period_end - ordered_on
    period_days: Mapped[int]
    amount: Mapped[money]  # prorated, half-up to the cent

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def full_price(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderStatusChange(db.Model):
    __tablename__ = "order_status_changes"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[timestamp]
    note: Mapped[str] = mapped_column(String(500), default="")

    order: Mapped[Order] = relationship(back_populates="history")
    changed_by: Mapped[User] = relationship()

    @property
    def from_label(self) -> str:
        return ORDER_STATUSES[self.from_status] if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return ORDER_STATUSES[self.to_status]


class ShippedUnit(db.Model):
    """A unit of an order line as shipped: its serial number (and MAC where the model has one),
    entered by the area manager at shipment; the device provisioned at activation carries them."""

    __tablename__ = "shipped_units"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    mac: Mapped[str] = mapped_column(String(17), default="")
