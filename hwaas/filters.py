"""Template filters: money, dates and terms as partners read them."""
import datetime as dt
from decimal import Decimal

from flask import Flask

from hwaas.services.pricing import TERM_LABELS

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF "}


def money(value: Decimal | None, currency: str = "EUR") -> str:
    if value is None:
        return "—"
    if not isinstance(value, Decimal):
        raise TypeError("money must be a Decimal")
    sign = "−" if value < 0 else ""
    return f"{sign}{_SYMBOLS.get(currency, currency + ' ')}{abs(value):,.2f}"


def date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def init_app(app: Flask) -> None:
    currency = app.config["CURRENCY"]
    app.add_template_filter(lambda v: money(v, currency), "money")
    app.add_template_filter(date, "date")
    app.add_template_filter(lambda term: TERM_LABELS.get(term, term), "term")
