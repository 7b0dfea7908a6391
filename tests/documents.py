"""Reading generated documents the way assistive technology does: a PDF's structure tree, language
and title (pypdf), the rows of the HTML tables it was made from, its text in reading order; a
workbook's table objects, print titles and properties (openpyxl)."""
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

HEADING = re.compile(r"/H([1-6])$")


@dataclass
class PdfStructure:
    marked: bool
    lang: str
    title: str
    display_doc_title: bool
    tags: list[str]  # every structure element's type, in document order ("Table", "TH", "H1", …)
    tables: list[list[list[str]]]  # per /Table element: its rows, each the types of its cells
    text: str  # the pages' text, in reading order

    @property
    def headings(self) -> list[int]:
        return [int(tag[1]) for tag in self.tags if HEADING.match("/" + tag)]


def _walk(node, tags: list[str], tables: list) -> None:
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if not isinstance(kid, DictionaryObject) or "/S" not in kid:
            continue  # a marked-content id or an annotation reference
        tag = kid["/S"][1:]
        tags.append(tag)
        if tag == "Table":
            tables.append(_table_rows(kid))
        _walk(kid, tags, tables)


def _table_rows(table) -> list[list[str]]:
    rows = []

    def visit(node):
        kids = node.get("/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if not isinstance(kid, DictionaryObject) or "/S" not in kid:
                continue
            if kid["/S"] == "/TR":
                cells = []
                for cell in kid["/K"] if isinstance(kid["/K"], ArrayObject) else [kid["/K"]]:
                    cell = cell.get_object()
                    cells.append(cell["/S"][1:])
                rows.append(cells)
            elif kid["/S"] in ("/THead", "/TBody", "/TFoot"):
                visit(kid)

    visit(table)
    return rows


def pdf_structure(data: bytes) -> PdfStructure:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    tags, tables = [], []
    if "/StructTreeRoot" in root:
        _walk(root["/StructTreeRoot"], tags, tables)
    return PdfStructure(
        marked=bool(root.get("/MarkInfo", {}).get("/Marked")),
        lang=str(root.get("/Lang", "")),
        title=str((reader.metadata or {}).get("/Title", "")),
        display_doc_title=bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")),
        tags=tags, tables=tables,
        text="\n".join(page.extract_text() for page in reader.pages),
    )


class _Tables(HTMLParser):
    """The rows of every <table> of an HTML document: per row, its cells' text."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.captions: list[str] = []
        self.title = ""
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("caption", "title"):
            self._in, self._text = tag, []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == self._in:
            text = " ".join("".join(self._text).split())
            self.captions.append(text) if tag == "caption" else setattr(self, "title", text)
            self._in = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in:
            self._text.append(data)


@dataclass
class HtmlTables:
    title: str
    captions: list[str]
    tables: list[list[list[str]]] = field(default_factory=list)


def html_tables(html: str) -> HtmlTables:
    parser = _Tables()
    parser.feed(html)
    return HtmlTables(parser.title, parser.captions, parser.tables)


def assert_accessible_pdf(data: bytes, html: str, lang: str = "en") -> PdfStructure:
    """The checks a PDF/UA document passes: marked, a structure tree with headings in order and
    real tables (header cells, a header row on every page), the language, the title shown as the
    window title, and the text of every table row in the order of the HTML it was made from."""
    pdf, source = pdf_structure(data), html_tables(html)
    assert pdf.marked, "no /MarkInfo /Marked true"
    assert pdf.lang == lang
    assert pdf.title and pdf.title == source.title
    assert pdf.display_doc_title
    assert pdf.tags[0] == "Document" and pdf.headings and pdf.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(pdf.headings, pdf.headings[1:])), f"headings skip a level: {pdf.headings}"
    if source.captions:
        assert "Caption" in pdf.tags
    for caption in source.captions:
        assert caption in " ".join(pdf.text.split())
    assert len(source.tables) >= 1 and pdf.tables
    for table in pdf.tables:  # a table that runs over pages is one /Table per page, each with its header row
        assert table[0] and set(table[0]) == {"TH"}, table[0]
        assert all("TD" in row for row in table[1:]), table
    lines = [" ".join(line.split()) for line in pdf.text.splitlines()]
    position = 0
    for table in source.tables:
        for row in table[1:]:  # the header row repeats per page: its place is checked above
            expected = " ".join(cell for cell in row if cell)
            found = next((i for i in range(position, len(lines)) if lines[i] == expected), None)
            assert found is not None, f"row not found in reading order after line {position}: {expected!r}"
            position = found + 1
    return pdf


def assert_accessible_workbook(data: bytes, title: str, lang: str = "en"):
    """The checks every exported workbook passes (services/spreadsheets.py): properties; each data
    sheet one table object over all its rows from A1, with unique text headers, the header row
    frozen and printed on every page, no merged cells; the About sheet last. Returns the workbook."""
    book = load_workbook(io.BytesIO(data))
    assert book.properties.title == title
    assert book.properties.language == lang
    assert book.properties.creator == "hwaas"
    *data_sheets, about = book.worksheets
    from hwaas.services.documents import gettext

    assert about.title == gettext(lang)("About") and data_sheets  # in the workbook's language
    assert about.max_column <= 2 and not about.merged_cells.ranges
    for sheet in data_sheets:
        (name, ref), = sheet.tables.items()
        first, last = ref.split(":")
        assert first == "A1" and int(re.sub(r"\D", "", last)) == max(sheet.max_row, 2)
        assert sheet.tables[name].autoFilter.ref == ref
        headers = [cell.value for cell in sheet[1]]
        assert [c.name for c in sheet.tables[name].tableColumns] == headers
        assert all(isinstance(h, str) and h for h in headers) and len(set(headers)) == len(headers)
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows == "$1:$1"
        assert not sheet.merged_cells.ranges
    return book
