"""The ordering flow once in Italian, in a real browser (issue #13): an Italian-speaking partner
goes from Customers through Order HWaaS, the cart and checkout to the order page, and reads every
step in Italian, with money as € 1.234,56 and dates as dd/mm/yyyy; axe checks each page, which
says it is Italian (<html lang="it">)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, sign_in, watch_errors
from tests.ordering import TODAY, acme

# 25 November 2026 → 25 August 2027, the yearly PBX's current period, as Italian writes it.
PERIODO = "25/11/2026 → 25/08/2027, 273 giorni su 365"


@pytest.fixture
def italian(app, make, session, monkeypatch):
    """partner@example.com, who chose Italian; Demo Partner (Gold, 10 %), "Acme Srl" with one PBX per term."""
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make, email="partner@example.com")
    world.user.language = "it"
    session.commit()
    return world


def in_italian(page) -> None:
    """The page says it is Italian, and axe (which reads that) finds nothing to fix."""
    expect(page.locator("html")).to_have_attribute("lang", "it")
    assert_accessible(page)


def test_an_italian_partner_orders_hwaas_in_italian(page, italian):
    problems = watch_errors(page)
    sign_in(page, "partner@example.com")  # the sign-in page follows the browser (English); then the user's choice
    nav = page.get_by_role("navigation", name="Principale")
    nav.get_by_role("link", name="Clienti").click()
    expect(page.get_by_role("heading", name="Clienti", level=1)).to_be_visible()
    in_italian(page)

    page.get_by_label("Cerca clienti").fill("Acme")
    page.wait_for_url(re.compile(r"/customers/\?q=Acme$"))
    results = page.locator("#customer-results")
    expect(results).to_contain_text("1 cliente trovato")
    results.get_by_role("link", name="Acme Srl", exact=True).click()

    expect(page.get_by_role("heading", name="Acme Srl", level=1)).to_be_visible()
    pbxs = page.get_by_role("table", name="PBX")
    expect(pbxs.get_by_role("columnheader", name="Data di scadenza")).to_be_visible()
    expect(pbxs.get_by_role("row").filter(has_text="acme-year.example")).to_contain_text("25/08/2027")
    expect(pbxs.get_by_role("row").filter(has_text="acme-life.example")).to_contain_text(
        "Non disponibile: una licenza a vita non è un abbonamento.")
    in_italian(page)
    page.locator("a.button", has_text="Ordina HWaaS").click()

    # Order HWaaS: Duration, PBX, products at the term's price.
    expect(page.get_by_role("heading", name=re.compile("^Ordina HWaaS"))).to_be_visible()
    page.get_by_role("group", name="Durata").get_by_label("Un anno").check()
    pbx = page.get_by_label("PBX", exact=True)
    expect(pbx).to_have_value(str(italian.yearly.id))
    assert pbx.locator("option").all_inner_texts() == ["acme-year.example (scade il 25/08/2027)"]
    expect(page.get_by_text("ha una licenza a vita, che non è un abbonamento")).to_be_visible()
    expect(page.locator("#announcer")).to_have_text("1 PBX con durata Un anno; prezzi per Un anno.")
    products = page.get_by_role("table", name="Prodotti")
    expect(products.get_by_role("columnheader", name="Prezzo, Un anno")).to_be_visible()
    phone = products.get_by_role("row").filter(has_text="Yealink T54W")
    expect(phone).to_contain_text("€ 90,00")  # the Gold tier's price, and the list price below it
    expect(phone).to_contain_text("listino € 100,00")
    expect(phone).to_contain_text("Telefoni da scrivania")
    in_italian(page)
    page.get_by_label("Quantità di Yealink T54W").fill("2")
    page.get_by_role("button", name="Aggiungi al carrello").click()

    # The cart: the prorated amount, in Italian formats; a live change said in Italian.
    expect(page.get_by_role("heading", name=re.compile("^Carrello"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Aggiunto al carrello.")).to_be_visible()
    line = page.locator("#cart tbody tr").filter(has_text="Yealink T54W")
    expect(line).to_contain_text(PERIODO)
    expect(line.locator('td[data-label="Prezzo dell\'intera durata"]')).to_have_text("€ 180,00")
    expect(line.locator("td[data-label=Importo]")).to_have_text("€ 134,63")
    in_italian(page)
    quantity = page.get_by_label("Quantità di Yealink T54W")
    quantity.fill("3")
    quantity.press("Tab")
    expect(page.locator("#announcer")).to_have_text(
        "Yealink T54W: quantità 3. 3 articoli nel carrello, totale € 201,95")
    quantity = page.get_by_label("Quantità di Yealink T54W")
    quantity.fill("2")
    quantity.press("Enter")
    expect(page.locator("#announcer")).to_have_text(
        "Yealink T54W: quantità 2. 2 articoli nel carrello, totale € 134,63")
    in_italian(page)  # the cart after the htmx swaps

    page.get_by_role("button", name="Salva", exact=True).click()
    saved = page.get_by_role("table", name="Carrelli salvati")
    expect(saved.get_by_role("row").filter(has_text="Acme Srl")).to_contain_text("€ 134,63")
    expect(saved.get_by_role("row").filter(has_text="Acme Srl")).to_contain_text("25/11/2026")
    in_italian(page)
    saved.get_by_role("link", name=re.compile("^Apri")).click()
    page.get_by_role("link", name="Checkout").click()

    # Checkout: the review, the terms and the form, in Italian.
    expect(page.get_by_role("heading", name=re.compile("^Checkout"))).to_be_visible()
    review = page.get_by_role("table", name="Esamina")
    expect(review).to_contain_text(PERIODO)
    expect(review).to_contain_text("€ 134,63")
    expect(page.get_by_role("heading", name="Condizioni")).to_be_visible()
    expect(page.get_by_text("Totale da pagare ora: € 134,63")).to_be_visible()
    in_italian(page)
    page.get_by_role("button", name="Invia l'ordine").click()  # nothing filled in: refused, in Italian
    summary = page.get_by_role("alert").filter(has_text="C'è un problema")
    expect(summary).to_contain_text("Inserisci il tuo riferimento d'ordine.")
    expect(summary).to_contain_text("Accetta le condizioni per inviare l'ordine.")
    in_italian(page)
    page.get_by_label("Riferimento d'ordine").fill("PO-4711")
    page.get_by_label(re.compile("Milan warehouse")).check()
    page.get_by_label("Accetto le condizioni di servizio HWaaS").check()
    page.get_by_role("button", name="Invia l'ordine").click()

    # The order page.
    expect(page.get_by_role("heading", name=re.compile(r"^Ordine HW-2026-\d{6}"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="È in attesa di approvazione.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("In attesa di approvazione")
    expect(facts).to_contain_text("25/11/2026")
    expect(facts).to_contain_text("Non ancora spedito")
    expect(page.get_by_role("table", name="Righe")).to_contain_text("€ 134,63")
    history = page.get_by_role("table", name="Cronologia degli stati")
    expect(history).to_contain_text("Inviato al checkout.")
    expect(page.get_by_role("button", name="Annulla l'ordine")).to_be_visible()
    in_italian(page)
    assert not problems, problems
