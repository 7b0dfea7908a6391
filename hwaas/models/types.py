"""Column types shared by the models: money is NUMERIC(12, 2) read back as Decimal."""
import datetime as dt
from decimal import Decimal
from typing import Annotated

from sqlalchemy import CheckConstraint, DateTime, Numeric, String
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator

TERMS = ("monthly", "yearly", "five_years", "lifetime")
SUBSCRIPTION_TERMS = ("monthly", "yearly", "five_years")


class Money(TypeDecorator):
    """NUMERIC(12, 2) that refuses floats: a float near a price is a bug."""

    impl = Numeric(12, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be a Decimal, not a float")
        return Decimal(value).quantize(Decimal("0.01"))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value).quantize(Decimal("0.01"))


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and read back timezone-aware on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no zone
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def term_check(column: str, terms=TERMS, name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{t}'" for t in terms)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_valid")


intpk = Annotated[int, mapped_column(primary_key=True)]
money = Annotated[Decimal, mapped_column(Money())]
str80 = Annotated[str, mapped_column(String(80))]
str200 = Annotated[str, mapped_column(String(200))]
timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]
