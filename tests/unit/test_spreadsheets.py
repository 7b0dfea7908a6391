"""Accessible workbooks: a real header row (table object and print titles), frozen panes, a named
sheet per list, properties, typed cells, no merged cells, the About text on its own sheet; rows
streamed from any iterable. The price list EXCEL is one of them."""
import datetime as dt
import io
import tracemalloc
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hwaas.services import pricelist
from hwaas.services import spreadsheets as xl
from tests.documents import assert_accessible_workbook

TODAY = dt.date(2026, 11, 25)
MONEY = xl.money_format("EUR")


def orders_sheet(rows, name="Orders"):
    return xl.DataSheet(name, [xl.Column("Order", text=True), xl.Column("Ordered on"),
                               xl.Column("Total (EUR)", number_format=MONEY), xl.Column("Note", text=True)], rows)


def test_a_workbook_has_a_table_per_list_frozen_printed_header_properties_and_about_last():
    data = xl.workbook_bytes(
        title="Orders and charges", lang="it", subject="Demo Partner",
        sheets=[orders_sheet([("HW-2026-1", TODAY, Decimal("74.79"), "=1+1"), ("007", TODAY, None, None)]),
                xl.DataSheet("Charges", [xl.Column("Charge", text=True), xl.Column("Amount", number_format=MONEY)],
                             [("renewal", Decimal("10.00"))])],
        about=[("Exported on", TODAY), ("Notes", "Amounts exclude VAT.")])
    book = assert_accessible_workbook(data, "Orders and charges", lang="it")
    assert book.sheetnames == ["Orders", "Charges", "Informazioni"]  # the About sheet in the workbook's language
    assert book.properties.subject == "Demo Partner" and book.properties.description == "Amounts exclude VAT."
    orders = book["Orders"]
    assert orders.tables["List_Orders"].ref == "A1:D3"
    assert [c.font.b for c in orders[1]] == [True] * 4
    number, date, total, note = orders[2]
    assert (number.data_type, number.value) == ("s", "HW-2026-1")
    assert date.is_date and date.number_format == "yyyy-mm-dd"
    assert total.data_type == "n" and total.value == pytest.approx(74.79) and total.number_format == MONEY
    assert (note.data_type, note.value) == ("s", "'=1+1")  # text, never a formula
    assert orders["A3"].value == "007" and orders["A3"].data_type == "s"  # a reference stays text
    assert orders["C3"].value is None  # missing is empty, never 0
    about = book["Informazioni"]
    assert [[c.value for c in row] for row in about.iter_rows()] == [  # the labels translated, the values as given
        ["Esportato il", dt.datetime(2026, 11, 25)], ["Note", "Amounts exclude VAT."]]


def test_an_empty_list_is_still_a_table_with_its_header():
    book = assert_accessible_workbook(
        xl.workbook_bytes(title="Orders", sheets=[orders_sheet([])], about=[]), "Orders")
    assert book["Orders"].tables["List_Orders"].ref == "A1:D2"


def test_rows_are_streamed_not_held():
    """3,000 rows from a generator: openpyxl's write-only mode writes them out as they come."""
    def rows(n):
        for i in range(n):
            yield (f"HW-{i}", TODAY, Decimal(i) / 100, None)

    def peak(n):
        tracemalloc.start()
        sheet = orders_sheet(rows(n))
        data = xl.workbook_bytes(title="Orders", sheets=[sheet], about=[])
        peak = tracemalloc.get_traced_memory()[1] - len(data)
        tracemalloc.stop()
        assert sheet.rows_written == n
        return peak, data

    small, _ = peak(200)
    large, data = peak(3_000)
    assert large < small * 3, (small, large)  # 15 × the rows, not 15 × the memory
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Orders"]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 3_001


@pytest.mark.parametrize("sheets, message", [
    ([orders_sheet([], name="About")], "not a sheet name"),
    ([orders_sheet([], name="Orders: 2026/11")], "not a sheet name"),
    ([orders_sheet([], name="Orders"), orders_sheet([], name="orders")], "unique"),
    ([xl.DataSheet("Orders", [xl.Column("Total"), xl.Column("Total")], [])], "unique"),
    ([orders_sheet([("HW-1", TODAY, Decimal("1"))])], "3 values for 4 columns"),
])
def test_what_would_make_a_broken_workbook_is_refused(sheets, message):
    with pytest.raises(ValueError, match=message):
        xl.workbook_bytes(title="Orders", sheets=sheets, about=[])


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        xl.workbook_bytes(title="Orders", sheets=[orders_sheet([("HW-1", TODAY, 74.79, None)])], about=[])


@pytest.mark.parametrize("kind, sheet", [("opex", "OpEx"), ("capex", "CapEx"), ("classound", "CLASSOUND")])
def test_every_price_list_workbook_is_accessible(session, make, kind, sheet):
    partner = make.partner(tier=make.tier(name="Gold", discount_percent=Decimal("15")))
    make.product(sku="YEA-T54W", name="Yealink T54W", opex={"yearly": Decimal("65.00")})
    make.product(sku="CLS-STD", name="CLASSOUND Standard", category="classound", opex={"yearly": Decimal("30.00")})
    make.catalogue_version()
    doc = pricelist.document(session, partner, kind, "xlsx", "EUR", TODAY)
    book = assert_accessible_workbook(doc.data, f"Price list {sheet}")
    assert book.sheetnames == [sheet, "About"]
    assert book[sheet].tables[f"List_{sheet}"].ref.startswith("A1:")
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Price list"] == sheet and about["Catalogue version"] == 1 and about["Currency"] == "EUR"
    assert "excluding VAT" in about["Notes"]
