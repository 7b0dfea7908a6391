"""PBXs, the services bound to them (HWaaS lines, CLASSOUND) and the devices on them."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hwaas.extensions import db
from hwaas.messages import N_
from hwaas.models.catalogue import Product
from hwaas.models.partners import Customer, User
from hwaas.models.types import (
    SUBSCRIPTION_TERMS, TERMS, UTCDateTime, intpk, money, str200, term_check, timestamp,
)


class Pbx(db.Model):
    __tablename__ = "pbxs"
    __table_args__ = (
        term_check("term", TERMS),
        # A subscription PBX has an activation date; a lifetime one is not a subscription.
        CheckConstraint("term = 'lifetime' OR activated_on IS NOT NULL", name="subscription_activated"),
        ForeignKeyConstraint(["customer_id", "partner_id"], ["customers.id", "customers.partner_id"]),
        # Targets of composite keys: a service or cart names the PBX *and* its term, so a term
        # mismatch between a PBX and its services cannot be stored (DESIGN §3.2).
        UniqueConstraint("id", "term"),
        UniqueConstraint("id", "customer_id", "term"),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int] = mapped_column(index=True)
    customer_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str200]
    term: Mapped[str] = mapped_column(String(12))
    activated_on: Mapped[dt.date | None]
    created_at: Mapped[timestamp]

    customer: Mapped[Customer] = relationship(back_populates="pbxs")
    services: Mapped[list["PbxService"]] = relationship(back_populates="pbx", order_by="PbxService.id")
    devices: Mapped[list["Device"]] = relationship(back_populates="pbx", order_by="Device.id")

    @property
    def is_subscription(self) -> bool:
        return self.term in SUBSCRIPTION_TERMS


SERVICE_KINDS = ("hwaas", "classound")
SERVICE_STATUSES = ("active", "suspended", "cancelled")


class PbxService(db.Model):
    """A service bound to a PBX: it has the PBX's term and expires with it."""

    __tablename__ = "pbx_services"
    __table_args__ = (
        ForeignKeyConstraint(["pbx_id", "term"], ["pbxs.id", "pbxs.term"]),
        term_check("term", SUBSCRIPTION_TERMS),  # never on a lifetime PBX
        CheckConstraint("kind IN ('hwaas', 'classound')", name="kind_valid"),
        CheckConstraint("status IN ('active', 'suspended', 'cancelled')", name="status_valid"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # At most one CLASSOUND per PBX that has not ended (DESIGN §3.4.1).
        Index("uq_pbx_services_one_classound", "pbx_id", unique=True,
              sqlite_where=text("kind = 'classound' AND status <> 'cancelled'"),
              postgresql_where=text("kind = 'classound' AND status <> 'cancelled'")),
    )

    id: Mapped[intpk]
    pbx_id: Mapped[int] = mapped_column(index=True)
    term: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[money]  # per term, at the price list in force when ordered or renewed
    started_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(12), default="active")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)

    pbx: Mapped[Pbx] = relationship(back_populates="services")
    product: Mapped[Product | None] = relationship()

    @property
    def term_price(self) -> Decimal:
        return self.unit_price * self.quantity


DEVICE_STATUSES = ("active", "returned")


class Device(db.Model):
    """A physical device on a PBX, rented (an HWaaS service) or owned by the customer.

    `status` is 'active' while it is on the PBX and 'returned' once it has ended (cancelled or
    replaced) and is to be, or has been, sent back. "Replacement requested" and "Cancellation
    pending" are not statuses of their own: they follow from an open request.
    """

    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint("ownership IN ('rented', 'owned')", name="ownership_valid"),
        CheckConstraint("status IN ('active', 'returned')", name="status_valid"),
        CheckConstraint("ownership = 'owned' OR service_id IS NOT NULL", name="rented_has_service"),
        Index("ix_devices_pbx_id_product_id", "pbx_id", "product_id"),
        # A serial number names one device; devices without one yet (owned, imported) have ''.
        Index("uq_devices_serial", "serial", unique=True,
              sqlite_where=text("serial <> ''"), postgresql_where=text("serial <> ''")),
    )

    id: Mapped[intpk]
    pbx_id: Mapped[int] = mapped_column(ForeignKey("pbxs.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    ownership: Mapped[str] = mapped_column(String(8))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("pbx_services.id"), index=True)
    serial: Mapped[str] = mapped_column(String(40), default="")
    mac: Mapped[str] = mapped_column(String(17), default="")
    status: Mapped[str] = mapped_column(String(12), default="active", server_default="active")
    # The cancellation that ends (or, once effective, ended) this device; cleared on withdrawal.
    cancellation_id: Mapped[int | None] = mapped_column(ForeignKey("device_cancellations.id"), index=True)
    created_at: Mapped[timestamp]

    pbx: Mapped[Pbx] = relationship(back_populates="devices")
    product: Mapped[Product] = relationship()
    service: Mapped[PbxService | None] = relationship()
    cancellation: Mapped["DeviceCancellation | None"] = relationship(back_populates="devices")


CANCELLATION_STATUSES = {"pending": N_("Pending"), "withdrawn": N_("Withdrawn"), "effective": N_("Effective")}


class DeviceCancellation(db.Model):
    """Devices of one service cancelled by a partner (DESIGN §3.8): they stop renewing on the
    PBX's next expiration date (`effective_on`) and are to be returned; `fee` is the minimum
    rental fee computed at confirmation (`pricing.cancellation_fee`)."""

    __tablename__ = "device_cancellations"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'withdrawn', 'effective')", name="status_valid"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        CheckConstraint("(status = 'withdrawn') = (withdrawn_at IS NOT NULL)", name="withdrawn_at_set"),
        # The renewal job reads pending cancellations by date.
        Index("ix_device_cancellations_status_effective_on", "status", "effective_on"),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    pbx_id: Mapped[int] = mapped_column(ForeignKey("pbxs.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("pbx_services.id"), index=True)
    effective_on: Mapped[dt.date]
    quantity: Mapped[int]
    fee: Mapped[money]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[timestamp]
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    pbx: Mapped[Pbx] = relationship()
    service: Mapped[PbxService] = relationship()
    requested_by: Mapped[User] = relationship()
    devices: Mapped[list[Device]] = relationship(back_populates="cancellation", order_by="Device.id")

    @property
    def status_label(self) -> str:
        return CANCELLATION_STATUSES[self.status]
