"""Security bookkeeping shared by every worker: embed launch tokens already used."""
import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hwaas.extensions import db
from hwaas.models.types import UTCDateTime, timestamp


class EmbedTokenUse(db.Model):
    """A redeemed embed launch token: its id may not be used again before it expires.
    Kept in the database, not in memory, so a replay is refused by every worker and host."""

    __tablename__ = "embed_token_uses"

    jti: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[timestamp]
