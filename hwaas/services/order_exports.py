"""The partner's Orders list, as filtered on the page, exported to EXCEL (.xlsx) and CSV.

Rows are read from the database in batches and written as they come: a CSV is streamed line by
line; a workbook is written by openpyxl's write-only mode (rows are not kept in memory) into a
temporary file that is then streamed. Numbers and dates are real number and date cells.
"""
import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal


from hwaas.models import Customer, Order, Pbx
from hwaas.models.orders import ORDER_STATUSES
from hwaas.services.partner_orders import filtered
from hwaas.services.pricelist import EXCEL_CURRENCY_FORMATS, safe_text
from hwaas.services.pricing import TERM_LABELS
from hwaas.services.tenancy import PartnerScope

BATCH = 500
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # text, date, money
    width: int


COLUMNS = (
    Column("Order", "text", 18), Column("Reference", "text", 24), Column("Customer", "text", 30),
    Column("PBX", "text", 28), Column("Duration", "text", 14), Column("Status", "text", 18),
    Column("Ordered on", "date", 12), Column("Shipment date", "date", 14), Column("Total", "money", 14),
)


def rows(scope: PartnerScope, status: str | None, query: str | None) -> Iterator[tuple]:
    """The filtered orders, newest first, as typed values (str, date, Decimal), in batches."""
    stmt = filtered(scope, scope.select(
        Order, Order.number, Order.reference, Customer.name, Pbx.name, Order.term, Order.status,
        Order.ordered_on, Order.shipment_date, Order.total,
    ).join(Customer, Customer.id == Order.customer_id).join(Pbx, Pbx.id == Order.pbx_id), status, query)
    result = scope.session.execute(stmt.order_by(Order.id.desc()).execution_options(yield_per=BATCH))
    for number, reference, customer, pbx, term, state, ordered_on, shipped, total in result:
        yield (number, reference, customer, pbx, TERM_LABELS.get(term, term), ORDER_STATUSES.get(state, state),
               ordered_on, shipped, total)


def filename(fmt: str, today: dt.date) -> str:
    return f"hwaas-orders-{today.isoformat()}.{fmt}"


def csv_chunks(rows: Iterator[tuple], currency: str) -> Iterator[str]:
    """CSV text, a header line then one line per order (UTF-8 with a BOM so spreadsheets read the
    accents; dates ISO, amounts with a dot). Text that a spreadsheet would run as a formula is
    quoted with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header + (f" ({currency})" if c.kind == "money" else "") for c in COLUMNS])
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


def xlsx_file(rows: Iterator[tuple], currency: str, title: str) -> "tempfile.SpooledTemporaryFile":
    """The workbook in a temporary file, positioned at its start: a header row (bold, frozen,
    filtered, repeated on print), then one row per order."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Orders")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header + (f" ({currency})" if column.kind == "money" else ""))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    money_format = EXCEL_CURRENCY_FORMATS.get(currency, f'"{currency} "#,##0.00')
    count = 0
    for row in rows:
        cells = []
        for column, value in zip(COLUMNS, row):
            if column.kind == "text":
                value = safe_text(value) if value is not None else None
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind == "date" and value is not None:
                cell.number_format = "yyyy-mm-dd"
            elif column.kind == "money" and value is not None:
                cell.number_format = money_format
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    workbook.properties.title = title
    workbook.properties.creator = "hwaas"
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()
