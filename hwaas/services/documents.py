"""PDF documents: Jinja2 templates (hwaas/templates/pdf/) rendered to tagged PDF with WeasyPrint.

No Flask here, so documents can be made from a view, the CLI or a test alike. WeasyPrint is
given no way to fetch anything (no files, no network): a document is its HTML and nothing else.
Every PDF is PDF/UA-1: a structure tree (headings, tables with header cells, lists) built from
the HTML, marked content, the document's language and its title shown as the window title, so
a screen reader reads it as a structured document (docs/documents.md, "Accessible documents").
"""
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2

from hwaas.services.pricing import TERM_LABELS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pdf"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# PDF/UA-1 (PDF 1.7) rather than UA-2 (PDF 2.0): every reader and screen reader in use reads 1.7,
# and WeasyPrint tags both the same way.
PDF_VARIANT = "pdf/ua-1"
# The language of a document when its caller names none; a view passes the request's language.
DEFAULT_LANG = "en"
# Part of every cache key of a generated document: bumped when the way documents are made changes
# (r2: tagged PDF/UA and accessible workbooks), so a copy made the old way is never served again.
DOCUMENT_REVISION = "r2"


@dataclass(frozen=True)
class Document:
    """A generated file, ready to be sent as a download."""

    filename: str
    content_type: str
    data: bytes


# How money and dates read in each language (Babel patterns); a language not listed here gets
# its locale's own. English keeps ISO dates, which partners and the vendor's tools already read.
_MONEY_PATTERNS = {"en": "¤#,##0.00", "it": "¤ #,##0.00"}  # € 1.234,56 in Italian (DESIGN §3.9)
_DATE_PATTERNS = {"en": "yyyy-MM-dd", "it": "dd/MM/yyyy"}


def format_money(value: Decimal | None, currency: str = "EUR", language: str = "en") -> str:
    from babel.numbers import format_currency

    if value is None:
        return "—"
    if not isinstance(value, Decimal):
        raise TypeError("money must be a Decimal")
    sign = "−" if value < 0 else ""
    return sign + format_currency(abs(value), currency, format=_MONEY_PATTERNS.get(language), locale=language,
                                  currency_digits=False)


def format_date(value: dt.date | dt.datetime | None, language: str = "en") -> str:
    from babel.dates import format_date as babel_date, format_datetime

    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        pattern = f"{_DATE_PATTERNS[language]} HH:mm 'UTC'" if language in _DATE_PATTERNS else "medium"
        return format_datetime(value, pattern, tzinfo=dt.timezone.utc, locale=language)
    return babel_date(value, _DATE_PATTERNS.get(language, "medium"), locale=language)


def format_percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f} %"


@functools.cache
def translations(lang: str = DEFAULT_LANG):
    """The catalogue of `lang` (hwaas/translations), for what is written outside a request: PDFs,
    workbooks, CSV headers. English, or a language without a catalogue, reads the text as written."""
    from babel.support import Translations

    return Translations.load(str(TRANSLATIONS), [lang])


def gettext(lang: str = DEFAULT_LANG):
    """`_ = documents.gettext(lang)`, then `_("Text")`: the text in `lang` (`_` is what the
    catalogue's extraction looks for)."""
    return translations(lang).gettext


def ngettext(lang: str = DEFAULT_LANG):
    return translations(lang).ngettext


@functools.cache
def _environment(lang: str = DEFAULT_LANG) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=True)
    env.filters["money"] = lambda value, currency="EUR": format_money(value, currency, lang)
    env.filters["date"] = lambda value: format_date(value, lang)
    env.filters["percent"] = format_percent
    env.filters["term"] = lambda term: catalogue.gettext(TERM_LABELS[term]) if term in TERM_LABELS else term
    return env


def render_html(template: str, lang: str = DEFAULT_LANG, **context) -> str:
    """Render one of the PDF templates to an HTML string in `lang`: its text translated, money and
    dates written as `lang` writes them, and `<html lang>` set."""
    return _environment(lang).get_template(template).render(lang=lang, **context)


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"documents fetch nothing: {url[:80]}")


def html_to_pdf(html: str, tagged: bool = True) -> bytes:
    """The HTML as a PDF/UA-1 document (`tagged=False`, the old untagged PDF, is for measuring
    what tagging costs, nothing else)."""
    import weasyprint  # heavy: loaded on first use only

    options = {"pdf_variant": PDF_VARIANT} if tagged else {}
    return weasyprint.HTML(string=html, url_fetcher=_no_fetching, base_url=str(TEMPLATES)).write_pdf(**options)


def render_pdf(template: str, lang: str = DEFAULT_LANG, **context) -> bytes:
    return html_to_pdf(render_html(template, lang=lang, **context))


def safe_filename(text: str) -> str:
    """A download filename fragment: letters, digits and dashes only."""
    cleaned = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "document"


def order_confirmation(order, currency: str, today: dt.date, lang: str = DEFAULT_LANG) -> Document:
    """The order confirmation PDF: the order as priced at checkout, its delivery and its history."""
    data = render_pdf("order_confirmation.html", lang=lang, order=order, partner=order.customer.partner,
                      currency=currency, today=today)
    return Document(f"hwaas-order-{safe_filename(order.number)}.pdf", "application/pdf", data)
