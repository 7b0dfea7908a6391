"""Sign-in bookkeeping kept in the database, so every worker and host sees the same."""
import datetime as dt

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hwaas.extensions import db
from hwaas.models.types import UTCDateTime, intpk


class LoginFailure(db.Model):
    """One failed sign-in, counted per account and per client address for throttling."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_ip_at", "ip", "at"),
    )

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # What was attempted: "sign_in" (a wrong password or code) or "reset" (a password reset request).
    kind: Mapped[str] = mapped_column(String(10), default="sign_in", server_default="sign_in")
