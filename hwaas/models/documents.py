"""Signed agreements (stored in the database) and the mail outbox."""
import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, deferred

from hwaas.extensions import db
from hwaas.models.partners import Customer, User
from hwaas.models.types import UTCDateTime, intpk, str200, timestamp

AGREEMENT_STATUSES = {"uploaded": "Awaiting review", "approved": "Approved", "rejected": "Rejected"}


class Agreement(db.Model):
    """A signed HWaaS agreement for a customer, as uploaded by the partner."""

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("status IN ('uploaded', 'approved', 'rejected')", name="status_valid"),
        CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="content_type_valid"),
        ForeignKeyConstraint(["customer_id", "partner_id"], ["customers.id", "customers.partner_id"]),
        Index("ix_agreements_partner_id_customer_id", "partner_id", "customer_id"),
    )

    id: Mapped[intpk]
    partner_id: Mapped[int]
    customer_id: Mapped[int]
    filename: Mapped[str200]
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(10), default="uploaded", index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[timestamp]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(String(500), default="")

    customer: Mapped[Customer] = relationship()
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def status_label(self) -> str:
        return AGREEMENT_STATUSES[self.status]


class OutboxMail(db.Model):
    """A mail waiting to be sent; the sender retries until the SMTP server takes it."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),)

    id: Mapped[intpk]
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str200]
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # the HTML alternative of `body`, when there is one
    created_at: Mapped[timestamp]
    next_attempt_at: Mapped[timestamp]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        back_populates="mail", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )


class OutboxAttachment(db.Model):
    __tablename__ = "outbox_attachments"

    id: Mapped[intpk]
    mail_id: Mapped[int] = mapped_column(ForeignKey("outbox_mails.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str200]
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    mail: Mapped[OutboxMail] = relationship(back_populates="attachments")


class DocumentCache(db.Model):
    """Generated documents (price lists), shared by every worker and host.

    `key` names the document and everything it depends on (kind, format, catalogue version,
    tier, …): a catalogue change makes a new key, and older versions' rows are pruned.
    """

    __tablename__ = "document_cache"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(200), unique=True)
    catalogue_version: Mapped[int] = mapped_column(index=True)
    filename: Mapped[str200]
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[timestamp]
