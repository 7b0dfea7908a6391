"""Partners, their users, customers and delivery addresses."""
import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask_login import UserMixin

from hwaas.extensions import db
from hwaas.models.catalogue import PriceTier
from hwaas.models.types import UTCDateTime, intpk, str80, str200, timestamp

ROLES = ("partner", "area_manager", "admin")
TEAM_ROLES = ("owner", "orderer", "viewer")  # a partner user's role inside the partner (DESIGN §3.9)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('partner', 'area_manager', 'admin')", name="role_valid"),
        # A partner user belongs to a partner; staff do not.
        CheckConstraint(
            "(role = 'partner' AND partner_id IS NOT NULL) OR (role <> 'partner' AND partner_id IS NULL)",
            name="partner_role",
        ),
        # Inside a partner: owner (everything, and the team), orderer (orders), viewer (reads).
        CheckConstraint(
            "(role = 'partner' AND team_role IN ('owner', 'orderer', 'viewer')) "
            "OR (role <> 'partner' AND team_role IS NULL)",
            name="team_role_valid",
        ),
    )

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str200]
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout and password change: sessions carry it, so a copied cookie dies with it.
    session_version: Mapped[int] = mapped_column(default=1)
    # Base32 TOTP secret once the user has set up a second factor (RFC 6238).
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_last_step: Mapped[int | None]  # the last accepted time step: a code works once
    team_role: Mapped[str | None] = mapped_column(String(10))  # partner users only, see TEAM_ROLES
    # Set while an invitation is waiting to be accepted (the invitee has no password yet).
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(8))  # chosen by the user; None: the browser's
    created_at: Mapped[timestamp]

    partner: Mapped["Partner | None"] = relationship(foreign_keys=[partner_id], back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_partner(self) -> bool:
        return self.role == "partner"

    @property
    def is_owner(self) -> bool:
        return self.role == "partner" and self.team_role == "owner"

    @property
    def can_order(self) -> bool:
        """Owners and orderers change the partner's data; viewers only read it."""
        return self.role == "partner" and self.team_role in ("owner", "orderer")

    @property
    def invitation_pending(self) -> bool:
        return self.invited_at is not None

    @property
    def is_area_manager(self) -> bool:
        return self.role == "area_manager"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Partner(db.Model):
    __tablename__ = "partners"

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(unique=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("price_tiers.id"))
    area_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    # An admin may require a second factor (TOTP) for every user of the partner.
    totp_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[timestamp]

    tier: Mapped[PriceTier] = relationship()
    area_manager: Mapped[User | None] = relationship(foreign_keys=[area_manager_id])
    users: Mapped[list[User]] = relationship(foreign_keys=[User.partner_id], back_populates="partner")


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        # Target of composite foreign keys: whatever hangs off a customer carries its partner.
        UniqueConstraint("id", "partner_id"),
        # The Customers page: a partner's customers by name, a page at a time, read in index order
        # however many customers the partner has (docs/performance.md).
        Index("ix_customers_partner_id_lower_name_id", "partner_id", text("lower(name)"), "id"),
        # Customer search (ILIKE '%text%' on name, city or VAT number) on PostgreSQL: trigram
        # indexes find the few matching rows instead of reading every customer of the partner.
        *(Index(f"ix_customers_{column}_trgm", text(f"{column} gin_trgm_ops"),
                postgresql_using="gin").ddl_if(dialect="postgresql")
          for column in ("name", "city", "vat_number")),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str200] = mapped_column(index=True)
    vat_number: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str80] = mapped_column(default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[timestamp]

    partner: Mapped[Partner] = relationship()
    pbxs: Mapped[list["Pbx"]] = relationship(back_populates="customer", order_by="Pbx.id")  # noqa: F821


class Address(db.Model):
    """An entry of the partner's delivery address book."""

    __tablename__ = "addresses"

    id: Mapped[intpk]
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    label: Mapped[str80]
    recipient: Mapped[str200]
    street: Mapped[str200]
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str80]
    country: Mapped[str] = mapped_column(String(2), default="IT")
    created_at: Mapped[timestamp]

    def one_line(self) -> str:
        return f"{self.recipient}, {self.street}, {self.postcode} {self.city}, {self.country}"
