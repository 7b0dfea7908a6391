"""Lists exported as CSV or EXCEL, streamed: rows come from an iterator and are never all in memory.

EXCEL is made by the shared accessible-workbook module (`hwaas.services.spreadsheets`, write-only
mode) into a spooled temporary file (memory up to 8 MB, then disk); CSV is sent a batch of rows
at a time. Both keep text that starts like a formula from running as one.
"""
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from hwaas.messages import N_
from hwaas.services.documents import DEFAULT_LANG, gettext
from hwaas.services.spreadsheets import safe_text

CSV_BATCH = 500  # rows per chunk sent


@dataclass(frozen=True)
class Column:
    header: str  # English, marked N_: written in the export's language
    kind: str = "text"  # text, date, money, int
    width: int = 16


def _csv_value(column: Column, value) -> str:
    if value is None:
        return ""
    if column.kind == "date":
        return value.isoformat()
    if column.kind in ("money", "int"):
        return str(value)
    return safe_text(str(value))


def csv_stream(columns: Sequence[Column], rows: Iterable[Sequence], lang: str = DEFAULT_LANG) -> Iterator[str]:
    """The CSV text, a batch of rows at a time: header first (in `lang`), dates ISO, amounts with a dot."""
    _ = gettext(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_(c.header) for c in columns])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(c, v) for c, v in zip(columns, row)])
        if n % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(title: str, columns: Sequence[Column], rows: Iterable[Sequence], currency: str,
              lang: str = "en", notes: str = "") -> tempfile.SpooledTemporaryFile:
    """An accessible .xlsx (the shared workbook module: a table object over the data, frozen header,
    typed cells, properties, an About sheet), written row by row into a spooled temporary file,
    rewound, ready to send. Headers in `lang`; `title` and `notes` are given in it."""
    from hwaas.services import spreadsheets as xl

    _ = gettext(lang)
    formats = {"money": xl.money_format(currency), "date": xl.DATE_FORMAT}
    sheet = xl.DataSheet(title, [xl.Column(_(c.header), width=c.width, text=c.kind == "text",
                                           number_format=formats.get(c.kind)) for c in columns], rows)
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    xl.write_workbook(target, title=title, sheets=[sheet], lang=lang,
                      about=[(N_("Title"), title), (N_("Currency"), currency), (N_("Notes"), notes or title)])
    target.seek(0)
    return target
