"""Carts: one per customer + PBX + duration while open; many per partner."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hwaas.extensions import db
from hwaas.models.catalogue import Product
from hwaas.models.partners import Customer
from hwaas.models.pbx import Pbx
from hwaas.models.types import SUBSCRIPTION_TERMS, UTCDateTime, intpk, money, term_check, timestamp


class Cart(db.Model):
    __tablename__ = "carts"
    __table_args__ = (
        term_check("term", SUBSCRIPTION_TERMS),
        CheckConstraint("status IN ('open', 'saved', 'ordered')", name="status_valid"),
        ForeignKeyConstraint(["customer_id", "partner_id"], ["customers.id", "customers.partner_id"]),
        # The cart's PBX belongs to its customer and has the cart's duration.
        ForeignKeyConstraint(["pbx_id", "customer_id", "term"], ["pbxs.id", "pbxs.customer_id", "pbxs.term"]),
        # At most one live cart per PBX and duration; ordered carts are history.
        Index(
            "uq_carts_live_pbx_term", "partner_id", "pbx_id", "term", unique=True,
            sqlite_where=text("status <> 'ordered'"), postgresql_where=text("status <> 'ordered'"),
        ),
        Index("ix_carts_partner_id_status", "partner_id", "status"),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int]
    customer_id: Mapped[int] = mapped_column(index=True)
    pbx_id: Mapped[int] = mapped_column(index=True)
    term: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(14), default="open")
    priced_on: Mapped[dt.date | None]  # the day the lines' prices were last computed
    bands_applied: Mapped[bool] = mapped_column(default=False)  # Save & Recalculate
    created_at: Mapped[timestamp]
    updated_at: Mapped[timestamp]
    saved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    customer: Mapped[Customer] = relationship()
    pbx: Mapped[Pbx] = relationship(overlaps="customer")
    lines: Mapped[list["CartLine"]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id"),
        CheckConstraint("quantity > 0 AND quantity <= 999", name="quantity_range"),
    )

    id: Mapped[intpk]
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]
    # Unit price per full term as last priced (tier and, after Save & Recalculate, band applied).
    unit_price: Mapped[money]

    cart: Mapped[Cart] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    @property
    def full_price(self) -> Decimal:
        return self.unit_price * self.quantity
