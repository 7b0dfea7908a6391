"""The partner's Orders list, as filtered on the page, exported to EXCEL (.xlsx) and CSV.

Rows are read from the database in batches and written as they come: a CSV is streamed line by
line; a workbook is written by the accessible-workbook module (services/spreadsheets.py, openpyxl's
write-only mode: rows are not kept in memory) into a temporary file that is then streamed. Numbers
and dates are real number and date cells.
"""
import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal


from hwaas.messages import N_
from hwaas.models import Customer, Order, Pbx
from hwaas.models.orders import ORDER_STATUSES
from hwaas.services.documents import DEFAULT_LANG, gettext
from hwaas.services.partner_orders import filtered
from hwaas.services import spreadsheets as xl
from hwaas.services.spreadsheets import safe_text
from hwaas.services.pricing import TERM_LABELS
from hwaas.services.tenancy import PartnerScope

BATCH = 500
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Column:
    header: str  # English, marked N_: the export writes it in its language
    kind: str  # text, date, money
    width: int


COLUMNS = (
    Column(N_("Order"), "text", 18), Column(N_("Reference"), "text", 24), Column(N_("Customer"), "text", 30),
    Column(N_("PBX"), "text", 28), Column(N_("Duration"), "text", 14), Column(N_("Status"), "text", 18),
    Column(N_("Ordered on"), "date", 12), Column(N_("Shipment date"), "date", 14), Column(N_("Total"), "money", 14),
)


def _header(column: Column, currency: str, lang: str) -> str:
    _ = gettext(lang)
    if column.kind == "money":
        return _("%(label)s (%(currency)s)") % {"label": _(column.header), "currency": currency}
    return _(column.header)


def rows(scope: PartnerScope, status: str | None, query: str | None, lang: str = DEFAULT_LANG) -> Iterator[tuple]:
    """The filtered orders, newest first, as typed values (str, date, Decimal), in batches; the
    duration and status in `lang`."""
    _ = gettext(lang)
    stmt = filtered(scope, scope.select(
        Order, Order.number, Order.reference, Customer.name, Pbx.name, Order.term, Order.status,
        Order.ordered_on, Order.shipment_date, Order.total,
    ).join(Customer, Customer.id == Order.customer_id).join(Pbx, Pbx.id == Order.pbx_id), status, query)
    result = scope.session.execute(stmt.order_by(Order.id.desc()).execution_options(yield_per=BATCH))
    for number, reference, customer, pbx, term, state, ordered_on, shipped, total in result:
        yield (number, reference, customer, pbx, _(TERM_LABELS[term]) if term in TERM_LABELS else term,
               _(ORDER_STATUSES[state]) if state in ORDER_STATUSES else state, ordered_on, shipped, total)


def filename(fmt: str, today: dt.date) -> str:
    return f"hwaas-orders-{today.isoformat()}.{fmt}"


def csv_chunks(rows: Iterator[tuple], currency: str, lang: str = DEFAULT_LANG) -> Iterator[str]:
    """CSV text, a header line (in `lang`) then one line per order (UTF-8 with a BOM so spreadsheets
    read the accents; dates ISO, amounts with a dot). Text that a spreadsheet would run as a formula
    is quoted with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_header(c, currency, lang) for c in COLUMNS])
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_value(v) for v in row])
        yield buffer.getvalue()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, Decimal)):
        return value.isoformat() if isinstance(value, dt.date) else f"{value:.2f}"
    return safe_text(str(value))


def xlsx_file(rows: Iterator[tuple], currency: str, title: str, today: dt.date | None = None,
              lang: str = "en") -> "tempfile.SpooledTemporaryFile":
    """The workbook (services/spreadsheets.py: a table over the list, frozen header, typed cells,
    properties, an About sheet) in a temporary file, positioned at its start. Headers, the sheet's
    name and the notes in `lang`; `title` is given in it."""
    _ = gettext(lang)
    formats = {"text": None, "date": xl.DATE_FORMAT, "money": xl.money_format(currency)}
    columns = [xl.Column(_header(c, currency, lang), width=c.width,
                         number_format=formats[c.kind], text=c.kind == "text") for c in COLUMNS]
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    xl.write_workbook(spool, title=title, lang=lang, sheets=[xl.DataSheet(_("Orders"), columns, rows)],
                      about=[(N_("List"), title), (N_("Exported on"), today or dt.date.today()),
                             (N_("Notes"), _("The orders of the list as filtered on the Orders page, newest first."))])
    spool.seek(0)
    return spool


def file_chunks(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()
