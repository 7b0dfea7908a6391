"""Replacement requests (DESIGN §3.8): up to 5 rented devices of one model on one PBX, replaced
free of charge; Requested → Approved / Rejected → Shipped (new serials) → Completed."""
import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hwaas.extensions import db
from hwaas.messages import N_
from hwaas.models.catalogue import Product
from hwaas.models.partners import User
from hwaas.models.pbx import Device, Pbx
from hwaas.models.types import intpk, str80, str200, timestamp

REPLACEMENT_STATUSES = {
    "requested": N_("Requested"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "shipped": N_("Shipped"),
    "completed": N_("Completed"),
}
OPEN_REPLACEMENT_STATUSES = ("requested", "approved", "shipped")
REPLACEMENT_REASONS = {"faulty": N_("Faulty"), "damaged": N_("Damaged"), "other": N_("Other")}
MAX_REPLACED_DEVICES = 5


class ReplacementRequest(db.Model):
    __tablename__ = "replacement_requests"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'approved', 'rejected', 'shipped', 'completed')",
                        name="status_valid"),
        CheckConstraint("reason IN ('faulty', 'damaged', 'other')", name="reason_valid"),
        CheckConstraint("reason <> 'other' OR note <> ''", name="other_has_note"),
        Index("ix_replacement_requests_partner_id_status", "partner_id", "status"),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    pbx_id: Mapped[int] = mapped_column(ForeignKey("pbxs.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    reason: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default="requested")
    delivery_recipient: Mapped[str200]
    delivery_street: Mapped[str200]
    delivery_postcode: Mapped[str] = mapped_column(String(20))
    delivery_city: Mapped[str80]
    delivery_country: Mapped[str] = mapped_column(String(2))
    shipment_date: Mapped[dt.date | None]
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[timestamp]

    pbx: Mapped[Pbx] = relationship()
    product: Mapped[Product] = relationship()
    requested_by: Mapped[User] = relationship()
    items: Mapped[list["ReplacementItem"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ReplacementItem.id")
    history: Mapped[list["ReplacementStatusChange"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ReplacementStatusChange.id")

    @property
    def number(self) -> str:
        return f"RR-{self.id:06d}"

    @property
    def status_label(self) -> str:
        return REPLACEMENT_STATUSES[self.status]

    @property
    def reason_label(self) -> str:
        return REPLACEMENT_REASONS[self.reason]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPLACEMENT_STATUSES

    @property
    def delivery_address(self) -> str:
        return (f"{self.delivery_recipient}, {self.delivery_street}, "
                f"{self.delivery_postcode} {self.delivery_city}, {self.delivery_country}")


class ReplacementItem(db.Model):
    """One device to replace, and the device that replaces it once shipped."""

    __tablename__ = "replacement_items"
    __table_args__ = (
        # A device is in at most one open request: `open` is cleared when the request closes.
        Index("uq_replacement_items_open_device", "device_id", unique=True,
              sqlite_where=text("open"), postgresql_where=text("open")),
    )

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("replacement_requests.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    new_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    open: Mapped[bool] = mapped_column(default=True)

    request: Mapped[ReplacementRequest] = relationship(back_populates="items")
    device: Mapped[Device] = relationship(foreign_keys=[device_id])
    new_device: Mapped[Device | None] = relationship(foreign_keys=[new_device_id])


class ReplacementStatusChange(db.Model):
    __tablename__ = "replacement_status_changes"

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("replacement_requests.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[timestamp]
    note: Mapped[str] = mapped_column(String(500), default="")

    request: Mapped[ReplacementRequest] = relationship(back_populates="history")
    changed_by: Mapped[User] = relationship()

    @property
    def from_label(self) -> str:
        return REPLACEMENT_STATUSES.get(self.from_status, N_("New")) if self.from_status else N_("New")

    @property
    def to_label(self) -> str:
        return REPLACEMENT_STATUSES[self.to_status]
