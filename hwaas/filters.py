"""Template filters: money, dates and terms as partners read them, in the request's language (the
same formatting as the PDFs and mails, from hwaas.i18n import language
from hwaas.services.documents)."""
from flask import Flask
from flask_babel import gettext

from hwaas.i18n import language
from hwaas.services.documents import format_date, format_money
from hwaas.services.pricing import TERM_LABELS


def init_app(app: Flask) -> None:
    currency = app.config["CURRENCY"]
    app.add_template_filter(lambda v: format_money(v, currency, language()), "money")
    app.add_template_filter(lambda v: format_date(v, language()), "date")
    app.add_template_filter(lambda term: gettext(TERM_LABELS[term]) if term in TERM_LABELS else term, "term")
    app.add_template_filter(format_percent, "percent")


def format_percent(value) -> str:
    """5.00 → "5%", 7.50 → "7.5%": a discount as people write it."""
    return f"{value.normalize():f}%"
