"""Price list page and downloads, as a partner."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from hwaas.models.types import utcnow
from hwaas.services import carts, overdue
from hwaas.services.tenancy import PartnerScope
from tests.helpers import login

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def partner_user(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    gold = make.tier(name="Gold", discount_percent=Decimal("15"))
    partner = make.partner(name="Demo Partner", tier=gold)
    user = make.user(partner=partner, email="partner@example.com")
    make.product(sku="YEA-T54W", name="Yealink T54W", capex_price=Decimal("189.00"),
                 opex={"monthly": Decimal("6.50"), "yearly": Decimal("65.00"), "five_years": Decimal("292.50")})
    make.product(sku="JAB-E2-65", name="Jabra Engage 65", category="headset", capex_price=Decimal("239.00"),
                 opex={"monthly": Decimal("7.77"), "yearly": Decimal("77.77"), "five_years": Decimal("333.33")})
    make.product(sku="CLS-STD", name="CLASSOUND Standard", category="classound", capex_price=Decimal("0"),
                 opex={"monthly": Decimal("3.00"), "yearly": Decimal("30.00"), "five_years": Decimal("135.00")})
    make.catalogue_version()
    session.commit()
    return user


def test_the_page_offers_each_list_in_each_format(client, partner_user):
    login(client, partner_user)
    page = client.get("/price-list/")
    assert page.status_code == 200
    assert '<a href="/price-list/"' in page.text and "Price list" in page.text  # in the navigation
    assert page.text.count("<fieldset") == 3 and "<legend>Price list</legend>" in page.text  # show, download
    assert "<legend>Format</legend>" in page.text
    for label in ("OpEx", "CapEx", "CLASSOUND", "EXCEL", "PDF"):
        assert f"> {label}</label>" in page.text
    assert "Gold" in page.text and "15 % discount" in page.text
    for kind in ("opex", "capex", "classound"):
        for fmt in ("xlsx", "pdf"):
            assert f"/price-list/download?kind={kind}&amp;format={fmt}" in page.text


@pytest.mark.parametrize("kind", ["opex", "capex", "classound"])
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_every_list_downloads_as_an_attachment(client, partner_user, kind, fmt):
    login(client, partner_user)
    response = client.get(f"/price-list/download?kind={kind}&format={fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=hwaas-price-list-{kind}-v1.{fmt}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    if fmt == "xlsx":
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        skus = {row[0].value for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=2)}
    else:
        assert response.mimetype == "application/pdf"
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        assert "Demo Partner" in text and "Gold" in text and "Catalogue version 1" in text
        skus = {s for s in ("YEA-T54W", "JAB-E2-65", "CLS-STD") if s in text}
    expected = {"classound": {"CLS-STD"}}.get(kind, {"YEA-T54W", "JAB-E2-65"})
    assert skus == expected


def test_exported_prices_equal_the_carts_full_term_prices(client, make, session, partner_user):
    """The numbers in the spreadsheet are what a cart charges for one full term."""
    customer = make.customer(partner=partner_user.partner)
    scope = PartnerScope(session, partner_user.partner_id)
    products = {p.sku: p for p in session.scalars(__import__("sqlalchemy").select(__import__("hwaas").models.Product))}
    cart_prices = {}
    for term in ("monthly", "yearly", "five_years"):
        pbx = make.pbx(customer=customer, term=term, activated_on=dt.date(2026, 8, 25))
        cart, _ = carts.add_to_cart(scope, customer_id=customer.id, pbx_id=pbx.id, term=term,
                                    quantities={products["YEA-T54W"].id: 1, products["JAB-E2-65"].id: 3},
                                    today=TODAY, now=utcnow(), standing=overdue.standing(0))
        for line in cart.lines:
            cart_prices[(line.product.sku, term)] = line.unit_price
    session.commit()

    login(client, partner_user)
    sheet = load_workbook(io.BytesIO(client.get("/price-list/download?kind=opex&format=xlsx").data)).active
    header = [c.value for c in sheet[1]]
    columns = {"monthly": header.index("One month (EUR)"), "yearly": header.index("One year (EUR)"),
               "five_years": header.index("Five years (EUR)")}
    exported = {}
    for row in sheet.iter_rows(min_row=2):
        for term, index in columns.items():
            assert isinstance(row[index].value, (int, float))  # a number, not text
            exported[(row[0].value, term)] = Decimal(str(row[index].value)).quantize(Decimal("0.01"))
    assert exported == cart_prices
    assert cart_prices[("YEA-T54W", "yearly")] == Decimal("55.25")


def test_an_invalid_choice_shows_the_form_again_with_the_error(client, partner_user):
    login(client, partner_user)
    response = client.get("/price-list/download?kind=rent&format=docx")
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Choose OpEx, CapEx or CLASSOUND" in response.text and "Choose EXCEL or PDF" in response.text
    assert "<title>Error: " in response.text


def test_staff_have_no_price_list_and_strangers_must_sign_in(client, make, session):
    manager = make.staff()
    session.commit()
    assert client.get("/price-list/").status_code == 302
    assert client.get("/price-list/download?kind=opex&format=pdf").status_code == 302
    login(client, manager)
    assert client.get("/price-list/").status_code == 404
    assert client.get("/price-list/download?kind=opex&format=pdf").status_code == 404


def test_a_catalogue_change_is_in_the_next_download(client, make, session, partner_user):
    from hwaas.models import Product
    from sqlalchemy import select

    login(client, partner_user)
    first = load_workbook(io.BytesIO(client.get("/price-list/download?kind=capex&format=xlsx").data)).active
    assert {r[0].value: r[3].value for r in first.iter_rows(min_row=2)}["YEA-T54W"] == pytest.approx(160.65)
    product = session.scalar(select(Product).where(Product.sku == "YEA-T54W"))
    product.capex_price = Decimal("200.00")
    make.catalogue_version("CapEx change")
    session.commit()
    response = client.get("/price-list/download?kind=capex&format=xlsx")
    assert "v2.xlsx" in response.headers["Content-Disposition"]
    second = load_workbook(io.BytesIO(response.data)).active
    assert {r[0].value: r[3].value for r in second.iter_rows(min_row=2)}["YEA-T54W"] == pytest.approx(170.00)


def price_rows(html: str) -> list[list[str]]:
    """The data rows of the page's price table: product, SKU, category, tier prices, list prices, stock."""
    from tests.documents import html_tables

    start = html.index('<table class="stack prices">')
    return html_tables(html[start:html.index("</table>", start) + 8]).tables[0][2:]


def money(text: str):
    return None if text == "not offered" else Decimal(text.replace("€", "").replace(",", ""))


@pytest.mark.parametrize("kind", ["opex", "capex", "classound"])
def test_the_page_shows_the_same_figures_as_the_excel_list_cell_for_cell(client, partner_user, kind):
    login(client, partner_user)
    page = client.get(f"/price-list/?kind={kind}")
    assert page.status_code == 200
    sheet = load_workbook(io.BytesIO(client.get(f"/price-list/download?kind={kind}&format=xlsx").data)).active
    width = 1 if kind == "capex" else 3
    excel = [[c.value for c in row[:3 + width]] for row in sheet.iter_rows(min_row=2)]
    shown = [[sku, name, category] + [money(p) for p in cells[:width]]
             for name, sku, category, *cells in price_rows(page.text)]
    assert len(shown) == len(excel) > 0
    for on_page, in_excel in zip(shown, excel):
        assert on_page[:3] == in_excel[:3]
        assert on_page[3:] == [None if v is None else Decimal(str(v)).quantize(Decimal("0.01")) for v in in_excel[3:]]


def test_the_page_shows_tier_price_list_price_and_stock_per_duration(client, session, partner_user):
    from hwaas.models import Product
    from sqlalchemy import select

    session.scalar(select(Product).where(Product.sku == "JAB-E2-65")).stock = -4
    session.scalar(select(Product).where(Product.sku == "YEA-T54W")).stock = 12
    session.commit()
    login(client, partner_user)
    page = client.get("/price-list/")
    assert "<caption>Price list OpEx, Gold tier</caption>" in page.text
    assert '<th scope="colgroup" colspan="3">Your price (Gold, 15 % off)</th>' in page.text
    assert '<th scope="colgroup" colspan="3">List price</th>' in page.text
    assert price_rows(page.text) == [  # by category, then SKU, as in the downloads
        ["Yealink T54W", "YEA-T54W", "Desk phones", "€5.53", "€55.25", "€248.63", "€6.50", "€65.00", "€292.50", "12"],
        ["Jabra Engage 65", "JAB-E2-65", "Headsets", "€6.60", "€66.10", "€283.33", "€7.77", "€77.77", "€333.33",
         "−4 (back-order)"],
    ]
    assert "Stock" not in client.get("/price-list/?kind=classound").text.split('id="price-table"')[1]


def test_the_table_narrows_by_category_and_search_with_a_get_form(client, partner_user):
    login(client, partner_user)
    page = client.get("/price-list/")
    assert 'method="get" action="/price-list/"' in page.text and 'hx-get="/price-list/"' in page.text
    assert 'hx-push-url="true"' in page.text and '<label class="field__label" for="show-category">' in page.text
    assert [r[1] for r in price_rows(client.get("/price-list/?kind=opex&category=headset").text)] == ["JAB-E2-65"]
    narrowed = client.get("/price-list/?kind=opex&category=&q=yealink")
    assert [r[1] for r in price_rows(narrowed.text)] == ["YEA-T54W"]
    assert "1 product found matching “yealink”" in narrowed.text
    assert 'value="yealink"' in narrowed.text  # the form shows what is applied
    nothing = client.get("/price-list/?kind=capex&category=dect")
    assert nothing.status_code == 200 and "No product in DECT" in nothing.text


def test_the_filter_answers_htmx_with_the_table_only(client, partner_user):
    login(client, partner_user)
    fragment = client.get("/price-list/?kind=opex&q=jabra", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith("<div id=\"price-table\"")
    assert 'data-announce="1 product found"' in fragment.text
    assert [r[1] for r in price_rows(fragment.text)] == ["JAB-E2-65"]
    boosted = client.get("/price-list/?kind=opex&q=jabra", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


@pytest.mark.parametrize("query, message", [
    ("kind=rent", "Choose OpEx, CapEx or CLASSOUND."),
    ("kind=opex&category=fax", "Choose a category from the list."),
    ("kind=classound&category=dect", "DECT is not in the CLASSOUND list"),
    ("kind=opex&q=" + "x" * 101, "Search for at most 100 characters."),
    ("kind=opex&q=ye%00a", "Remove the control characters from the search"),
])
def test_a_bad_filter_shows_the_form_again_with_the_error(client, partner_user, query, message):
    login(client, partner_user)
    response = client.get(f"/price-list/?{query}")
    assert response.status_code == 422
    assert "There is a problem" in response.text and message in response.text
    assert "<title>Error: " in response.text and "field--error" in response.text  # the field says it too
    fragment = client.get(f"/price-list/?{query}", headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "<html" not in fragment.text and message in fragment.text


@pytest.fixture
def italian_partner(partner_user, session):
    partner_user.language = "it"
    session.commit()
    return partner_user


def test_the_price_list_page_speaks_italian_to_an_italian_partner(client, italian_partner):
    login(client, italian_partner)
    page = client.get("/price-list/").text
    assert '<html lang="it">' in page and "<h1>Listino prezzi</h1>" in page and "I tuoi prezzi" in page
    assert "Telefoni da scrivania" in page and "Un mese" in page and "Prezzo di listino" in page
    assert "€ 5,53" in page  # 6.50 less 15 %, as Italian writes money
    assert "2 prodotti." in page and "Scarica" in page
    refused = client.get("/price-list/download?kind=rent&format=xlsx")
    assert refused.status_code == 422 and "Scegli OpEx, CapEx o CLASSOUND." in refused.text
    wrong_list = client.get("/price-list/?kind=classound&category=desk_phone")  # the category's name translated too
    assert "Telefoni da scrivania non è nel listino CLASSOUND" in wrong_list.text


def test_the_excel_price_list_of_an_italian_partner_has_italian_headers_and_real_cells(client, italian_partner):
    login(client, italian_partner)
    book = load_workbook(io.BytesIO(client.get("/price-list/download?kind=opex&format=xlsx").data))
    assert book.sheetnames == ["OpEx", "Informazioni"]
    rows = list(book["OpEx"].iter_rows(values_only=True))
    assert rows[0] == ("SKU", "Prodotto", "Categoria", "Un mese (EUR)", "Un anno (EUR)", "Cinque anni (EUR)",
                       "Sconti per quantità")
    phone = next(row for row in rows if row[0] == "YEA-T54W")
    assert phone[2] == "Telefoni da scrivania" and isinstance(phone[3], (int, float)) and phone[3] == 5.53
    about = dict(book["Informazioni"].iter_rows(values_only=True))
    assert about["Valuta"] == "EUR" and isinstance(about["Generato il"], dt.datetime)
    assert book.properties.language == "it" and book.properties.title == "Listino prezzi OpEx"
    # The English file is another file: the cache keeps each language apart.
    english = load_workbook(io.BytesIO(client.get("/price-list/download?kind=opex&format=xlsx",
                                                  headers={"Accept-Language": "en"}).data))
    assert english.sheetnames == ["OpEx", "Informazioni"]  # the user's choice wins over the browser


def test_the_pdf_price_list_of_an_italian_partner_is_written_in_italian(client, italian_partner, session):
    from tests.documents import pdf_structure

    login(client, italian_partner)
    pdf = pdf_structure(client.get("/price-list/download?kind=opex&format=pdf").data)
    assert pdf.lang == "it" and pdf.title == "Listino prezzi OpEx · Demo Partner"
    text = " ".join(pdf.text.split())
    assert "Prodotto" in text and "Categoria" in text and "Telefoni da scrivania" in text
    assert "IVA esclusa" in text and "€ 5,53" in text and "Pagina 1 di 1" in text
    italian_partner.language = "en"
    session.commit()
    english = pdf_structure(client.get("/price-list/download?kind=opex&format=pdf").data)
    assert english.lang == "en" and english.title == "Price list OpEx · Demo Partner"
