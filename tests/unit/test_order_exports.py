"""Orders search and export: the filtered list as EXCEL (real number and date cells) and CSV."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hwaas.services import order_exports, partner_orders
from hwaas.services.tenancy import PartnerScope


@pytest.fixture
def world(make, session):
    acme = make.customer(name="Acme Srl")
    partner = acme.partner
    beta = make.customer(partner, name="Beta & Figli")
    first = make.order(make.pbx(acme), reference="PO-ALPHA", ordered_on=dt.date(2026, 9, 1))
    second = make.order(make.pbx(beta), reference="=HYPERLINK(\"http://evil\")", ordered_on=dt.date(2026, 9, 2),
                        status="shipped", shipment_date=dt.date(2026, 9, 20))
    make.order(reference="PO-ALPHA")  # another partner's: never listed nor exported
    session.flush()
    return PartnerScope(session, partner.id), first, second


def numbers(page) -> list[str]:
    return [row.number for row in page.items]


@pytest.mark.parametrize("query, expected", [
    ("", "both"), ("alpha", "first"), ("ACME", "first"), ("figli", "second"), ("nothing", "none"),
    ("%", "none"), ("_", "none"),
])
def test_search_matches_order_number_reference_or_customer(world, query, expected):
    scope, first, second = world
    want = {"both": [second.number, first.number], "first": [first.number], "second": [second.number],
            "none": []}[expected]
    assert numbers(partner_orders.list_orders(scope, None, 1, 20, query)) == want


def test_search_by_order_number_and_with_a_status(world):
    scope, first, second = world
    assert numbers(partner_orders.list_orders(scope, None, 1, 20, first.number[-6:])) == [first.number]
    assert numbers(partner_orders.list_orders(scope, "shipped", 1, 20, "")) == [second.number]
    assert numbers(partner_orders.list_orders(scope, "shipped", 1, 20, "alpha")) == []


def test_the_excel_export_has_a_header_row_and_real_number_and_date_cells(world):
    scope, first, second = world
    spool = order_exports.xlsx_file(order_exports.rows(scope, None, ""), "EUR", "Orders")
    data = b"".join(order_exports.file_chunks(spool))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Orders"]
    assert [c.value for c in sheet[1]] == ["Order", "Reference", "Customer", "PBX", "Duration", "Status",
                                          "Ordered on", "Shipment date", "Total (EUR)"]
    assert sheet.freeze_panes == "A2" and [t.ref for t in sheet.tables.values()] == ["A1:I3"]
    assert workbook.properties.title == "Orders" and workbook.sheetnames == ["Orders", "About"]
    shipped = [c.value for c in sheet[2]]
    assert shipped[0] == second.number and shipped[2] == "Beta & Figli" and shipped[5] == "Shipped"
    assert shipped[1] == "'=HYPERLINK(\"http://evil\")"  # text, never a formula
    assert sheet.cell(2, 7).is_date and sheet.cell(2, 7).value.date() == dt.date(2026, 9, 2)
    assert sheet.cell(2, 8).value.date() == dt.date(2026, 9, 20)
    assert sheet.cell(3, 8).value is None  # not shipped yet
    total = sheet.cell(2, 9)
    assert total.data_type == "n" and Decimal(str(total.value)) == second.total and "€" in total.number_format


def test_the_csv_export_is_the_same_filtered_list(world):
    scope, first, second = world
    text = "".join(order_exports.csv_chunks(order_exports.rows(scope, None, "alpha"), "EUR"))
    assert text.startswith("\ufeff")
    header, *lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[-1] == "Total (EUR)"
    assert lines == [[first.number, "PO-ALPHA", "Acme Srl", first.pbx.name, "One year", "Awaiting approval",
                      "2026-09-01", "", f"{first.total:.2f}"]]


def test_an_export_of_nothing_is_a_header_only(world):
    scope, *_ = world
    text = "".join(order_exports.csv_chunks(order_exports.rows(scope, None, "nothing"), "EUR"))
    assert text.count("\n") == 1
