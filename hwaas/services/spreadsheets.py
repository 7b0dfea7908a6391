"""Accessible spreadsheets: every .xlsx hwaas exports is made here, so every one follows the rules.

A screen reader (and any spreadsheet user) finds in each workbook: one named sheet per list whose
first row is a real header (an Excel table object over the data, and the row as print title, so it
repeats on every printed page), the header row frozen, one value per cell (no merged cells; money
and dates as numbers with a format, text as text that can never run as a formula), document
properties (title, subject, language, author) and the explanatory text on a sheet of its own,
"About", after the data.

    from hwaas.services import spreadsheets as xl
    data = xl.workbook_bytes(
        title="Orders", lang="en",
        sheets=[xl.DataSheet("Orders", [xl.Column("Order", text=True), xl.Column("Total (EUR)", number_format=xl.money_format("EUR"))],
                             rows=((o.number, o.total) for o in orders))],
        about=[("Exported on", today), ("Notes", "…")])

The workbook is always written in openpyxl's write-only mode: rows may be any iterable (a generator
over a query with `yield_per`), never held in memory as cells, so an export of 100,000 rows costs
the same memory as one of 10. The table object still works there: its columns are declared by hand
and its range is set once the rows are written (docs/documents.md, "Accessible spreadsheets").
"""
import datetime as dt
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

CURRENCY_FORMATS = {
    "EUR": '"€"#,##0.00', "USD": '"$"#,##0.00', "GBP": '"£"#,##0.00', "CHF": '"CHF "#,##0.00',
}
DATE_FORMAT = "yyyy-mm-dd"
# A spreadsheet treats text starting with these as a formula (or DDE): such text gets a leading quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = "DDE6F0"
TABLE_STYLE = "TableStyleLight9"


def money_format(currency: str) -> str:
    """The number format of an amount in `currency` ("€"#,##0.00 for EUR)."""
    return CURRENCY_FORMATS.get(currency, f'"{currency} "#,##0.00')


def safe_text(value: str | None) -> str:
    """Text for a cell that no spreadsheet will run as a formula, and valid XML."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column of a data sheet: its header, width, and what its cells hold.

    `text=True` writes every value as text, whatever it looks like (SKUs, names, references);
    otherwise Decimal, int, date values are number cells shown with `number_format`."""

    header: str
    width: int = 16
    number_format: str | None = None
    text: bool = False


@dataclass
class DataSheet:
    """One list: a named sheet, its columns and its rows (any iterable of sequences, one value per
    column; None is an empty cell, never 0)."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    landscape: bool = True
    rows_written: int = field(default=0, init=False)


def check_sheet_name(name: str) -> str:
    if not name or len(name) > 31 or _SHEET_NAME_FORBIDDEN.search(name) or name.lower() == "about":
        raise ValueError(f"not a sheet name: {name!r} (1–31 characters, none of []:*?/\\, not 'About')")
    return name


def _table_name(sheet_name: str) -> str:
    """A table's display name: letters, digits and underscores, starting with a letter (so it can
    never read as a cell reference such as A1)."""
    return "List_" + re.sub(r"\W", "_", sheet_name, flags=re.ASCII)


def write_workbook(target: BinaryIO, *, title: str, sheets: Sequence[DataSheet],
                   about: Sequence[tuple[str, object]], lang: str = "en", subject: str = "") -> None:
    """Write an accessible workbook to `target` (a file or BytesIO): each DataSheet as a named
    sheet holding one table, then the "About" sheet (label, value per row).

    The caller writes titles, headers and values in `lang`; the About sheet's name and its labels
    (English, marked N_ where they are written) are translated here."""
    from openpyxl import Workbook

    from hwaas.services.documents import gettext

    _ = gettext(lang)
    names = [check_sheet_name(sheet.name) for sheet in sheets]
    if any(name.lower() == _("About").lower() for name in names):  # the About sheet in `lang`
        raise ValueError(f"not a sheet name in this language: {_('About')!r} is the About sheet's")
    if len({n.lower() for n in names}) != len(names) or not sheets:
        raise ValueError(f"sheet names must be unique, and there must be one at least: {names}")
    for sheet in sheets:
        headers = [safe_text(column.header) for column in sheet.columns]
        if len(set(headers)) != len(headers) or not all(headers):
            raise ValueError(f"a table's headers must be unique and not empty: {headers}")
    book = Workbook(write_only=True)
    try:
        for sheet in sheets:
            _write_data_sheet(book, sheet)
        _write_about(book, [(_(label), value) for label, value in about], _("About"))
    except Exception:
        for ws in book.worksheets:  # end the half-written sheets' temporary files, then say why
            ws.close()
        raise
    book.properties.title = title
    book.properties.subject = subject or None
    book.properties.language = lang
    book.properties.creator = "hwaas"
    book.properties.description = next((str(v) for k, v in about if k == "Notes"), None)
    book.save(target)


def workbook_bytes(**kwargs) -> bytes:
    """`write_workbook` into memory: the .xlsx file's bytes."""
    buffer = io.BytesIO()
    write_workbook(buffer, **kwargs)
    return buffer.getvalue()


def _write_data_sheet(book, sheet: DataSheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    ws = book.create_sheet(sheet.name)
    # Written at the top of the sheet's XML: set before the first row.
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.print_title_rows = "1:1"  # the header row repeats on every printed page
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"

    headers = [safe_text(column.header) for column in sheet.columns]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(vertical="center", wrap_text=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        cell.data_type = "s"
        header_cells.append(cell)
    ws.append(header_cells)

    count = 0
    for row in sheet.rows:
        if len(row) != len(sheet.columns):
            raise ValueError(f"row of {len(row)} values for {len(sheet.columns)} columns: {row!r}")
        ws.append([_cell(ws, column, value, WriteOnlyCell) for column, value in zip(sheet.columns, row)])
        count += 1
    sheet.rows_written = count

    # The table is written when the sheet is closed, so its range can be set now that the rows
    # are known. Excel wants one data row at least: an empty list spans one empty row.
    last = get_column_letter(len(headers))
    ref = f"A1:{last}{max(count, 1) + 1}"
    table = Table(displayName=_table_name(sheet.name), ref=ref, autoFilter=AutoFilter(ref=ref),
                  tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True))
    table.tableColumns = [TableColumn(id=i, name=name) for i, name in enumerate(headers, start=1)]
    with warnings.catch_warnings():  # "in write-only mode you must add table columns manually": done above
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)


def _cell(ws, column: Column, value, cell_class):
    if value is None:
        return None
    if column.text:
        cell = cell_class(ws, value=safe_text(str(value)))
        cell.data_type = "s"  # text, whatever it looks like
        return cell
    if isinstance(value, float):
        raise TypeError("money and quantities are Decimal or int, never float")
    if isinstance(value, str):
        cell = cell_class(ws, value=safe_text(value))
        cell.data_type = "s"
        return cell
    cell = cell_class(ws, value=value)
    if column.number_format:
        cell.number_format = column.number_format
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def _write_about(book, about: Sequence[tuple[str, object]], name: str = "About") -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    ws = book.create_sheet(name)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 90
    bold, wrap = Font(bold=True), Alignment(vertical="top", wrap_text=True)
    for label, value in about:
        label_cell = WriteOnlyCell(ws, value=safe_text(label))
        label_cell.font = bold
        if isinstance(value, (Decimal, int, dt.date)) and not isinstance(value, bool):
            value_cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, dt.date):
                value_cell.number_format = DATE_FORMAT
        else:
            value_cell = WriteOnlyCell(ws, value=safe_text(str(value)))
            value_cell.data_type = "s"
        value_cell.alignment = wrap
        ws.append([label_cell, value_cell])
