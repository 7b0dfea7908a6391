"""Template filters: money, dates and terms as partners read them (the same formatting as the
PDFs, from hwaas.services.documents)."""
from flask import Flask

from hwaas.services.documents import format_date, format_money
from hwaas.services.pricing import TERM_LABELS


def init_app(app: Flask) -> None:
    currency = app.config["CURRENCY"]
    app.add_template_filter(lambda v: format_money(v, currency), "money")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(lambda term: TERM_LABELS.get(term, term), "term")
    app.add_template_filter(format_percent, "percent")


def format_percent(value) -> str:
    """5.00 → "5%", 7.50 → "7.5%": a discount as people write it."""
    return f"{value.normalize():f}%"
