"""Price lists: the same prices as the cart, real spreadsheet numbers, safe text, a cache that
follows the catalogue version."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from hwaas.models import DocumentCache, QuantityBand
from hwaas.services import pricelist
from hwaas.services.errors import ValidationFailed
from hwaas.services.pricing import tier_price

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def catalogue(make):
    gold = make.tier(name="Gold", discount_percent=Decimal("15"))
    partner = make.partner(name="Demo Partner", tier=gold)
    phone = make.product(sku="YEA-T54W", name="Yealink T54W", capex_price=Decimal("189.00"),
                         opex={"monthly": Decimal("6.50"), "yearly": Decimal("65.00"), "five_years": Decimal("292.50")})
    phone.bands = [QuantityBand(min_quantity=10, discount_percent=Decimal("5"))]
    dect = make.product(sku="GIG-N670", name="Gigaset N670", category="dect", capex_price=Decimal("149.99"),
                        opex={"yearly": Decimal("49.99")})
    make.product(sku="OLD-1", name="Retired", active=False)
    classound = make.product(sku="CLS-STD", name="CLASSOUND Standard", category="classound",
                             capex_price=Decimal("0.00"),
                             opex={"monthly": Decimal("3.33"), "yearly": Decimal("33.33"), "five_years": Decimal("150.00")})
    make.catalogue_version("initial")
    return partner, phone, dect, classound


def workbook(doc):
    return load_workbook(io.BytesIO(doc.data))


def test_opex_rows_are_the_tier_price_per_term(session, catalogue):
    partner, phone, dect, _ = catalogue
    price_list = pricelist.build(session, "opex", partner.tier)
    assert [r.sku for r in price_list.rows] == ["GIG-N670", "YEA-T54W"]  # by category, active, no CLASSOUND
    rows = {r.sku: r for r in price_list.rows}
    assert rows["YEA-T54W"].prices == {
        "monthly": Decimal("5.53"),  # 6.50 × 0.85 = 5.525 → half-up 5.53
        "yearly": Decimal("55.25"),
        "five_years": Decimal("248.63"),  # 248.625 → 248.63
    }
    assert rows["GIG-N670"].prices == {"monthly": None, "yearly": Decimal("42.49"), "five_years": None}
    assert rows["YEA-T54W"].bands == "from 10 units: 5 % off"
    for term in ("monthly", "yearly", "five_years"):
        assert rows["YEA-T54W"].prices[term] == tier_price(phone.opex_price(term), Decimal("15"))


def test_capex_and_classound_lists(session, catalogue):
    partner, *_ = catalogue
    capex = pricelist.build(session, "capex", partner.tier)
    assert {r.sku: r.prices["capex"] for r in capex.rows} == {
        "GIG-N670": Decimal("127.49"), "YEA-T54W": Decimal("160.65")}
    classound = pricelist.build(session, "classound", partner.tier)
    assert [r.sku for r in classound.rows] == ["CLS-STD"]
    assert classound.rows[0].prices["yearly"] == Decimal("28.33")


def test_unknown_kind_or_format_is_a_validation_error(session, catalogue):
    partner, *_ = catalogue
    with pytest.raises(ValidationFailed) as error:
        pricelist.document(session, partner, "rent", "xlsx", "EUR", TODAY)
    assert error.value.field == "kind"
    with pytest.raises(ValidationFailed) as error:
        pricelist.document(session, partner, "opex", "csv", "EUR", TODAY)
    assert error.value.field == "format"


def test_xlsx_has_a_bold_frozen_header_and_currency_number_cells(session, catalogue):
    partner, *_ = catalogue
    doc = pricelist.document(session, partner, "opex", "xlsx", "EUR", TODAY)
    assert doc.filename == "hwaas-price-list-opex-v1.xlsx"
    assert doc.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = workbook(doc)["OpEx"]
    header = [c.value for c in sheet[1]]
    assert header == ["SKU", "Product", "Category", "One month (EUR)", "One year (EUR)", "Five years (EUR)",
                      "Quantity discounts"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    t54w = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "YEA-T54W")
    for cell, expected in zip(t54w[3:6], ("5.53", "55.25", "248.63")):
        assert cell.data_type == "n"
        assert Decimal(str(cell.value)) == Decimal(expected)
        assert cell.number_format == '"€"#,##0.00'
    n670 = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "GIG-N670")
    assert n670[3].value is None  # not offered for One month: empty, not zero


def test_xlsx_text_can_never_become_a_formula(session, make, catalogue):
    partner, *_ = catalogue
    for n, name in enumerate(['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)",
                              "\t=1", "\r=1", "cmd|' /C calc'!A0"]):
        make.product(sku=f"X-{n}", name=name)
    sheet = workbook(pricelist.document(session, partner, "opex", "xlsx", "EUR", TODAY))["OpEx"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2)}
    assert names["X-0"] == '\'=HYPERLINK("http://evil.example","x")'
    assert names["X-1"] == "'+1+1"
    assert names["X-3"] == "'@SUM(A1)"
    assert names["X-4"] == "'\t=1"


def test_pdf_names_partner_tier_date_and_version_and_lists_every_sku(session, make, catalogue):
    partner, *_ = catalogue
    for n in range(70):  # several pages
        make.product(sku=f"MANY-{n:03d}", name=f"Phone model {n}")
    doc = pricelist.document(session, partner, "opex", "pdf", "EUR", TODAY)
    assert doc.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(doc.data))
    assert len(reader.pages) > 1
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    for sku in ["YEA-T54W", "GIG-N670"] + [f"MANY-{n:03d}" for n in range(70)]:
        assert sku in text
    assert "CLS-STD" not in text and "OLD-1" not in text
    for page in pages:  # the header (and the table's header) repeat on every page
        assert "Demo Partner" in page and "Gold" in page and "2026-11-25" in page
        assert "Catalogue version 1" in page and "One year" in page
    assert "€55.25" in text


def test_documents_are_cached_per_version_and_tier_and_retired_on_change(session, make, catalogue):
    partner, phone, *_ = catalogue
    other_gold = make.partner(name="Other Gold", tier=partner.tier)
    first = pricelist.document(session, partner, "opex", "xlsx", "EUR", TODAY)
    again = pricelist.document(session, other_gold, "opex", "xlsx", "EUR", TODAY)
    assert again.data == first.data  # same tier, same version: the cached bytes
    assert session.scalar(select(func.count()).select_from(DocumentCache)) == 1

    pdf_a = pricelist.document(session, partner, "opex", "pdf", "EUR", TODAY)
    pricelist.document(session, other_gold, "opex", "pdf", "EUR", TODAY)
    assert session.scalar(select(func.count()).select_from(DocumentCache)) == 3  # a PDF names its partner
    assert pricelist.document(session, partner, "opex", "pdf", "EUR", TODAY).data == pdf_a.data

    phone.prices[0].opex_price = Decimal("7.00")  # a catalogue change …
    make.catalogue_version("price change")  # … records a version
    changed = pricelist.document(session, partner, "opex", "xlsx", "EUR", TODAY)
    assert changed.filename == "hwaas-price-list-opex-v2.xlsx"
    assert changed.data != first.data
    assert session.scalars(select(DocumentCache.catalogue_version)).all() == [2]  # version 1 retired


def test_another_tier_gets_its_own_prices(session, make, catalogue):
    partner, *_ = catalogue
    reseller = make.partner(name="Reseller Co", tier=make.tier(name="Reseller", discount_percent=Decimal("25")))
    sheet = workbook(pricelist.document(session, reseller, "capex", "xlsx", "EUR", TODAY))["CapEx"]
    prices = {row[0].value: Decimal(str(row[3].value)) for row in sheet.iter_rows(min_row=2)}
    assert prices == {"GIG-N670": Decimal("112.49"), "YEA-T54W": Decimal("141.75")}


def test_a_catalogue_without_a_version_still_gets_a_list(session, make):
    partner = make.partner()
    make.product(sku="ONLY-1")
    doc = pricelist.document(session, partner, "capex", "xlsx", "EUR", TODAY)
    assert doc.filename.endswith("-v0.xlsx")


def test_the_list_narrows_to_a_category_and_a_search_with_the_same_prices(session, make, catalogue):
    partner, phone, dect, _ = catalogue
    make.product(sku="YEA-W73P", name="Yealink W73P", category="dect", opex={"yearly": Decimal("40.00")})
    whole = {r.sku: r for r in pricelist.build(session, "opex", partner.tier).rows}
    dect_only = pricelist.build(session, "opex", partner.tier, category="dect")
    assert [r.sku for r in dect_only.rows] == ["GIG-N670", "YEA-W73P"] and dect_only.is_filtered
    yealink = pricelist.build(session, "opex", partner.tier, search="  yeaLINK ")
    assert [r.sku for r in yealink.rows] == ["YEA-W73P", "YEA-T54W"] and yealink.search == "yeaLINK"
    assert [r.sku for r in pricelist.build(session, "opex", partner.tier, search="n670").rows] == ["GIG-N670"]
    assert pricelist.build(session, "opex", partner.tier, category="dect", search="t54w").rows == []
    for row in dect_only.rows + yealink.rows:
        assert row == whole[row.sku]  # narrowing never changes a figure


def test_a_search_is_text_not_a_pattern(session, make, catalogue):
    partner, *_ = catalogue
    make.product(sku="PCT-100", name="100% wireless", opex={"yearly": Decimal("10.00")})
    assert [r.sku for r in pricelist.build(session, "opex", partner.tier, search="%").rows] == ["PCT-100"]
    assert pricelist.build(session, "opex", partner.tier, search="_ _").rows == []


def test_rows_carry_list_prices_and_stock_beside_the_tier_prices(session, make, catalogue):
    partner, phone, dect, _ = catalogue
    dect.stock = -3  # back-ordered: shown, never hidden
    rows = {r.sku: r for r in pricelist.build(session, "opex", partner.tier).rows}
    assert rows["YEA-T54W"].list_prices == {"monthly": Decimal("6.50"), "yearly": Decimal("65.00"),
                                            "five_years": Decimal("292.50")}
    assert rows["GIG-N670"].stock == -3
    capex = {r.sku: r for r in pricelist.build(session, "capex", partner.tier).rows}
    assert capex["YEA-T54W"].list_prices == {"capex": Decimal("189.00")}
    assert capex["YEA-T54W"].prices == {"capex": Decimal("160.65")}


@pytest.mark.parametrize("kind, category, search, field", [
    ("opex", "classound", "", "category"), ("classound", "dect", "", "category"),
    ("opex", "fax", "", "category"), ("opex", None, "x" * 101, "q"),
])
def test_a_filter_outside_the_list_is_a_validation_error(session, catalogue, kind, category, search, field):
    partner, *_ = catalogue
    with pytest.raises(ValidationFailed) as error:
        pricelist.build(session, kind, partner.tier, category=category, search=search)
    assert error.value.field == field


def test_each_list_offers_its_own_categories():
    assert list(pricelist.categories("opex")) == ["desk_phone", "dect", "headset", "conference"]
    assert pricelist.categories("classound") == {"classound": "CLASSOUND"}


@pytest.mark.parametrize("products", [3, 19, 20, 21, 22, 23, 24, 25])
def test_the_last_page_of_a_pdf_price_list_never_holds_a_single_orphan_row(products):
    """Whatever the number of products, the list's last page holds at least 3 rows (or all)."""
    import io

    from pypdf import PdfReader

    from hwaas.services import pricelist

    rows = [pricelist.Row(sku=f"SKU-{i:03d}", name=f"Phone {i:03d}", category="Desk phones",
                          prices={"monthly": Decimal("10.00"), "yearly": Decimal("100.00"),
                                  "five_years": Decimal("450.00")}, bands="")
            for i in range(products)]
    columns = [pricelist.Column(term, label) for term, label in
               (("monthly", "One month"), ("yearly", "One year"), ("five_years", "Five years"))]
    doc = pricelist.PriceList(kind="opex", tier_name="Gold", discount_percent=Decimal("10"), catalogue_version=1,
                              catalogue_date=None, columns=columns, rows=rows)
    pages = PdfReader(io.BytesIO(pricelist.to_pdf(doc, "Demo Partner", "EUR", dt.date(2026, 11, 30)))).pages
    last = pages[-1].extract_text().count("SKU-")
    assert last >= min(3, products), f"{products} products: the last of {len(pages)} pages holds {last} row(s)"
