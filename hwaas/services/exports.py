"""Lists exported as CSV or EXCEL, streamed: rows come from an iterator and are never all in memory.

EXCEL goes through openpyxl's write-only mode into a spooled temporary file (memory up to 8 MB,
then disk), with a real header row, typed cells (dates and amounts are numbers with a format, text
is text that no spreadsheet will run as a formula) and document properties. When the shared
accessible-workbook module (`hwaas.services.spreadsheets`, issue 14) is on main, `xlsx_file` is
the one function to move onto it: the callers pass the same title, columns and rows.
"""
import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMATS = {"EUR": '"€"#,##0.00', "USD": '"$"#,##0.00', "GBP": '"£"#,##0.00'}
DATE_FORMAT = "yyyy-mm-dd"
CSV_BATCH = 500  # rows per chunk sent


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, date, money, int
    width: int = 16


def safe_text(value: str | None) -> str:
    """Text that no spreadsheet runs as a formula: a leading = + - @ gets a quote before it."""
    value = value or ""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _csv_value(column: Column, value) -> str:
    if value is None:
        return ""
    if column.kind == "date":
        return value.isoformat()
    if column.kind in ("money", "int"):
        return str(value)
    return safe_text(str(value))


def csv_stream(columns: Sequence[Column], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text, a batch of rows at a time: header first, dates ISO, amounts with a dot."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(c, v) for c, v in zip(columns, row)])
        if n % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(title: str, columns: Sequence[Column], rows: Iterable[Sequence], currency: str,
              lang: str = "en") -> tempfile.SpooledTemporaryFile:
    """An .xlsx of one sheet named `title`, written row by row; the file is rewound, ready to send."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    book.properties.title = title
    book.properties.language = lang
    book.properties.creator = "hwaas"
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    money_format = MONEY_FORMATS.get(currency, f'"{currency} "#,##0.00')
    for row in rows:
        cells = []
        for column, value in zip(columns, row):
            if column.kind == "text":
                value = ILLEGAL_CHARACTERS_RE.sub("", safe_text(None if value is None else str(value)))
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind == "money" and isinstance(value, Decimal):
                cell.number_format = money_format
            elif column.kind == "date" and isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        sheet.append(cells)
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(target)
    target.seek(0)
    return target
