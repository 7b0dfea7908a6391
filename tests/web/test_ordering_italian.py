"""The partner's ordering flow speaks Italian to a partner who chose it (issue #13): headings,
buttons, the services' refusals and the sentences they return, money as € 1.234,56 and dates as
dd/mm/yyyy. (The English pages are the other tests' business; they did not change.)"""
import datetime as dt
import html
from decimal import Decimal

import pytest

from hwaas import models as m
from tests.helpers import csrf_token, login
from tests.ordering import TODAY, acme, phones_in_the_yearly_cart


@pytest.fixture
def today(app, monkeypatch):
    def pin(day: dt.date):
        monkeypatch.setitem(app.config, "HWAAS_TODAY", day.isoformat())
    pin(TODAY)
    return pin


@pytest.fixture
def world(make, session, today):
    world = acme(make)
    world.user.language = "it"
    session.commit()
    return world


@pytest.fixture
def cart(session, world):
    cart = phones_in_the_yearly_cart(session, world)
    session.commit()
    return cart


@pytest.fixture
def italian(client, world, session):
    session.commit()
    login(client, world.user)
    return client


def text(response) -> str:
    return html.unescape(response.text)


def test_the_customer_pages_speak_italian_to_an_italian_partner(italian, world):
    page = text(italian.get("/customers/"))
    assert '<html lang="it">' in page
    assert "<h1>Clienti</h1>" in page and "Cerca clienti" in page and ">Cerca</button>" in page
    page = text(italian.get(f"/customers/{world.customer.id}"))
    assert ">Ordina HWaaS</a>" in page and "Data di scadenza" in page and "25/08/2027" in page
    assert "Non disponibile: una licenza a vita non è un abbonamento." in page


def test_order_hwaas_speaks_italian_with_italian_prices(italian, world):
    page = text(italian.get(f"/customers/{world.customer.id}/order-hwaas?term=yearly"))
    assert "<legend>Durata</legend>" in page and "> Un anno</label>" in page
    assert "acme-year.example (scade il 25/08/2027)" in page
    assert "€ 90,00" in page and "listino € 100,00" in page and "5 in giacenza" in page
    assert "Telefoni da scrivania" in page
    assert ">Aggiungi al carrello</button>" in page


def test_a_service_refusal_on_the_order_form_is_said_in_italian(italian, world):
    page = italian.get(f"/customers/{world.customer.id}/order-hwaas?term=yearly")
    response = italian.post(f"/customers/{world.customer.id}/order-hwaas", data={
        "csrf_token": csrf_token(page.text), "term": "monthly", "pbx_id": world.yearly.id,
        f"qty_{world.phone.id}": "1"})
    assert response.status_code == 422
    assert ("Questo PBX ha durata Un anno; non gli si può aggiungere un servizio con durata Un mese. "
            "Tutti i servizi di un PBX ne condividono la durata.") in text(response)
    assert "C'è un problema" in text(response)


def test_the_cart_speaks_italian_to_an_italian_partner(italian, cart):
    page = text(italian.get(f"/cart/{cart.id}"))
    assert "<h1>Carrello <span" in page
    assert "25/11/2026 → 25/08/2027, 273 giorni su 365" in page
    assert "€ 134,63" in page and "Totale (2 articoli)" in page
    assert ">Checkout</a>" in page and ">Salva e ricalcola</button>" in page and ">Elimina il carrello</button>" in page
    listing = text(italian.get("/cart/"))
    assert "Carrelli in corso" in listing and "Prezzato per il" in listing and "25/11/2026" in listing


def test_a_cart_repriced_another_day_says_what_changed_in_italian(italian, cart, today):
    italian.post(f"/cart/{cart.id}/save", data={"csrf_token": csrf_token(italian.get(f"/cart/{cart.id}").text)})
    today(dt.date(2026, 11, 26))
    page = text(italian.get(f"/cart/{cart.id}"))
    assert "Questo carrello è stato prezzato per il 25/11/2026." in page
    stale = italian.post(f"/cart/{cart.id}/lines/{cart.lines[0].id}",
                         data={"csrf_token": csrf_token(page), "quantity": "3"})
    assert stale.status_code == 422
    assert ("Questo carrello è stato prezzato per il 25/11/2026. Riaprilo per riprezzarlo per oggi (26/11/2026) "
            "prima di modificarlo o di fare il checkout.") in text(stale)
    italian.post(f"/cart/{cart.id}/reopen", data={"csrf_token": csrf_token(page)})
    page = text(italian.get(f"/cart/{cart.id}"))
    assert ("I prezzi sono stati ricalcolati per il 26/11/2026: ora il periodo è 26/11/2026 → 25/08/2027, "
            "272 giorni su 365; Yealink T54W 134.63 → 134.14.") in page


def test_save_and_recalculate_says_the_band_in_italian(italian, cart, session, world):
    session.add(m.QuantityBand(product_id=world.phone.id, min_quantity=2, discount_percent=Decimal("10")))
    session.commit()
    page = text(italian.get(f"/cart/{cart.id}"))
    assert "Salva e ricalcola: −€ 13,46" in page and "con la fascia da 2+ di Yealink T54W (sconto del 10%)." in page
    italian.post(f"/cart/{cart.id}/recalculate", data={"csrf_token": csrf_token(page)})
    page = text(italian.get(f"/cart/{cart.id}"))
    assert "Carrello salvato. I prezzi sono stati ricalcolati con gli sconti quantità del catalogo" in page
    assert "Sono applicati gli sconti quantità del catalogo." in page


def test_checkout_and_the_order_page_speak_italian(italian, cart, world):
    page = italian.get(f"/cart/{cart.id}/checkout")
    body = text(page)
    assert '<h2 id="terms-title">Condizioni</h2>' in body and "Totale da pagare ora: € 134,63" in body
    assert ">Invia l'ordine</button>" in body and "Accetto le condizioni di servizio HWaaS" in body
    refused = italian.post(f"/cart/{cart.id}/checkout", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 422
    assert "Inserisci il tuo riferimento d'ordine." in text(refused)
    assert "Accetta le condizioni per inviare l'ordine." in text(refused)
    placed = italian.post(f"/cart/{cart.id}/checkout", follow_redirects=True, data={
        "csrf_token": csrf_token(page.text), "idempotency_key": "a" * 32, "reference": "PO-1",
        "address": str(world.address.id), "accept_terms": "y", "expected_total": "134.63"})
    order = text(placed)
    assert "È in attesa di approvazione." in order
    assert "<dt>Stato</dt><dd>In attesa di approvazione</dd>" in order
    assert "Inviato al checkout." in order and "Non ancora spedito" in order
    assert "25/11/2026 → 25/08/2027, 273 giorni su 365" in order and "Totale, IVA esclusa" in order
    assert ">Annulla l'ordine</button>" in order


def test_an_overdue_partner_reads_the_banner_and_the_checkout_block_in_italian(italian, cart, make, world, session):
    make.invoice(world.partner, due_on=TODAY - dt.timedelta(days=10))
    session.commit()
    page = text(italian.get(f"/cart/{cart.id}/checkout"))
    assert "Il checkout è bloccato" in page
    assert ("Una fattura è scaduta da 10 giorni. L'ordine di hardware e HWaaS è bloccato finché non è pagata. "
            "Vedi il saldo del conto.") in page
    assert "Il tuo carrello resta conservato." in page


def test_the_address_book_and_the_agreement_speak_italian(italian, world):
    page = text(italian.get("/addresses/"))
    assert "<h1>Indirizzi di consegna</h1>" in page and "Modifica o elimina" in page
    page = text(italian.get(f"/customers/{world.customer.id}/agreement"))
    assert "<h2 id=\"status-title\">Stato</h2>" in page and "In attesa di esame" in page
    assert f"da {world.user.name}." in page and ">Carica</button>" in page


def test_the_prefilled_agreement_is_made_in_the_partners_language(italian, world, monkeypatch):
    from hwaas.services import agreements

    asked = []
    made = agreements.prefilled_pdf
    monkeypatch.setattr(agreements, "prefilled_pdf",
                        lambda *args, **kwargs: asked.append(kwargs.get("lang")) or made(*args, **kwargs))
    response = italian.get(f"/customers/{world.customer.id}/agreement.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert asked == ["it"]
