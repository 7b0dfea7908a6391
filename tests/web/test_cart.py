"""The Cart pages through the web client: lines, live totals, Save, Reopen, Save & Recalculate, Checkout."""
import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import carts
from hwaas.services.tenancy import PartnerScope
from tests.helpers import csrf_token, login
from tests.ordering import GOOD, TODAY, acme, phones_in_the_yearly_cart

HX = {"HX-Request": "true"}


@pytest.fixture
def today(app, monkeypatch):
    def pin(day: dt.date):
        monkeypatch.setitem(app.config, "HWAAS_TODAY", day.isoformat())
    pin(TODAY)
    return pin


@pytest.fixture
def world(make, today):
    return acme(make)


@pytest.fixture
def cart(session, world):
    cart = phones_in_the_yearly_cart(session, world)
    session.commit()
    return cart


@pytest.fixture
def signed_in(client, world, session):
    session.commit()
    login(client, world.user)
    return client


def token(client, cart):
    return csrf_token(client.get(f"/cart/{cart.id}").text)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


# --- the cart page -----------------------------------------------------------------------------


def test_the_cart_shows_full_term_price_effective_period_and_prorated_amount(signed_in, cart):
    page = signed_in.get(f"/cart/{cart.id}")
    assert page.status_code == 200
    assert "Acme Srl · acme-year.example · One year" in page.text
    assert "€180.00" in page.text  # 2 × 90.00 for the full term
    assert "2026-11-25 → 2027-08-25, 273 of 365 days" in page.text
    assert '<td class="num" data-label="Amount">€134.63</td>' in page.text
    assert 'data-announce="2 items in cart, total €134.63"' in page.text


def test_the_cart_list_shows_carts_in_progress_and_saved_carts(signed_in, cart, session, world):
    page = signed_in.get("/cart/").text
    in_progress = page[page.index("Carts in progress"):page.index("Saved carts")]
    assert "Acme Srl" in in_progress and "€134.63" in in_progress
    assert "No saved cart." in page


def test_another_partners_cart_is_not_found(client, cart, make, session):
    stranger = make.user()
    session.commit()
    login(client, stranger)
    assert client.get(f"/cart/{cart.id}").status_code == 404
    assert client.get(f"/cart/{cart.id}/checkout").status_code == 404
    page = client.get("/cart/")
    response = client.post(f"/cart/{cart.id}/save", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 404


# --- quantity and remove, with and without htmx ------------------------------------------------


def test_changing_the_quantity_without_htmx_redirects_back_to_the_cart(signed_in, cart):
    line = cart.lines[0]
    response = signed_in.post(f"/cart/{cart.id}/lines/{line.id}", data={"csrf_token": token(signed_in, cart),
                                                                        "quantity": "3"})
    assert response.status_code == 303 and response.headers["Location"] == f"/cart/{cart.id}"
    page = signed_in.get(f"/cart/{cart.id}").text
    assert "Yealink T54W: quantity 3." in page and "€201.95" in page  # 270 × 273/365 = 201.945…


def test_changing_the_quantity_with_htmx_returns_the_cart_widget_with_the_totals_to_announce(signed_in, cart):
    line = cart.lines[0]
    response = signed_in.post(f"/cart/{cart.id}/lines/{line.id}", headers=HX,
                              data={"csrf_token": token(signed_in, cart), "quantity": "3"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="cart"')
    assert 'data-announce="Yealink T54W: quantity 3. 3 items in cart, total €201.95"' in response.text
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("quantity", ["1000", "-1", "two", "", "²"])
def test_a_bad_quantity_is_refused_with_422_on_its_field(signed_in, cart, session, quantity):
    line = cart.lines[0]
    fragment = signed_in.post(f"/cart/{cart.id}/lines/{line.id}", headers=HX,
                              data={"csrf_token": token(signed_in, cart), "quantity": quantity})
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert "Enter a quantity from 1 to 999, or remove the line." in fragment.text
    assert f'id="qty-{line.id}" name="quantity" value="2"' in fragment.text
    assert 'aria-invalid="true"' in fragment.text and 'data-announce="Error: ' in fragment.text
    page = signed_in.post(f"/cart/{cart.id}/lines/{line.id}", data={"csrf_token": token(signed_in, cart),
                                                                    "quantity": quantity})
    assert page.status_code == 422 and "<title>Error: " in page.text and "There is a problem" in page.text
    assert f'href="#qty-{line.id}"' in page.text
    session.expire_all()
    assert session.get(m.CartLine, line.id).quantity == 2


def test_removing_a_line_with_and_without_htmx(signed_in, cart, session, world):
    carts.add_to_cart(PartnerScope(session, world.partner.id), customer_id=world.customer.id,
                      pbx_id=world.yearly.id, term="yearly", quantities={world.dect.id: 1}, today=TODAY,
                      now=utcnow(), standing=GOOD)
    session.commit()
    phone, dect = cart.lines
    fragment = signed_in.post(f"/cart/{cart.id}/lines/{phone.id}/remove", headers=HX,
                              data={"csrf_token": token(signed_in, cart)})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Yealink T54W was removed from the cart. 1 item in cart, total €134.63" in fragment.text
    response = signed_in.post(f"/cart/{cart.id}/lines/{dect.id}/remove", data={"csrf_token": token(signed_in, cart)})
    assert response.status_code == 303
    assert "This cart is empty." in signed_in.get(f"/cart/{cart.id}").text


# --- Save, Reopen, Save & Recalculate ----------------------------------------------------------


def test_save_keeps_the_cart_under_saved_carts(signed_in, cart):
    response = signed_in.post(f"/cart/{cart.id}/save", data={"csrf_token": token(signed_in, cart)})
    assert response.status_code == 303 and response.headers["Location"] == "/cart/#saved-carts"
    page = signed_in.get("/cart/").text
    assert "It is listed under Saved carts." in page
    saved = page[page.index('id="saved-carts"'):]
    assert "Acme Srl" in saved and "No cart in progress." in page


def test_a_saved_cart_reopened_another_day_is_repriced_and_says_what_changed(signed_in, cart, today):
    signed_in.post(f"/cart/{cart.id}/save", data={"csrf_token": token(signed_in, cart)})
    today(dt.date(2026, 11, 26))
    page = signed_in.get(f"/cart/{cart.id}").text
    assert "This cart was priced for 2026-11-25." in page
    assert 'id="qty-' not in page and ">Checkout<" not in page  # frozen until reopened
    listing = signed_in.get("/cart/").text
    assert "Reopen<span" in listing
    response = signed_in.post(f"/cart/{cart.id}/reopen", data={"csrf_token": csrf_token(listing)})
    assert response.status_code == 303
    page = signed_in.get(f"/cart/{cart.id}").text
    assert ("Prices were recalculated for 2026-11-26: the period is now 2026-11-26 → 2027-08-25, 272 of 365 days; "
            "Yealink T54W 134.63 → 134.14.") in page
    assert "2026-11-26 → 2027-08-25, 272 of 365 days" in page and ">Checkout<" in page


def test_changing_a_cart_priced_on_an_earlier_day_points_to_reopen(signed_in, cart, today):
    page = signed_in.get(f"/cart/{cart.id}").text
    today(dt.date(2026, 11, 26))
    response = signed_in.post(f"/cart/{cart.id}/lines/{cart.lines[0].id}",
                              data={"csrf_token": csrf_token(page), "quantity": "3"})
    assert response.status_code == 422
    assert '<a href="#stale">This cart was priced for 2026-11-25.' in response.text
    assert 'id="stale"' in response.text


def test_save_and_recalculate_applies_the_quantity_bands(signed_in, cart, session, world):
    session.add(m.QuantityBand(product_id=world.phone.id, min_quantity=2, discount_percent=Decimal("10")))
    session.commit()
    response = signed_in.post(f"/cart/{cart.id}/recalculate", data={"csrf_token": token(signed_in, cart)})
    assert response.status_code == 303 and response.headers["Location"] == f"/cart/{cart.id}"
    page = signed_in.get(f"/cart/{cart.id}").text
    assert "Yealink T54W 134.63 → 121.17" in page and "€81.00" in page
    assert "Quantity discounts of the catalogue are applied." in page


def test_a_read_only_partner_cannot_change_a_cart(signed_in, cart, make, session, world):
    make.invoice(world.partner, due_on=TODAY - dt.timedelta(days=30))
    session.commit()
    response = signed_in.post(f"/cart/{cart.id}/save", data={"csrf_token": token(signed_in, cart)})
    assert response.status_code == 403 and "read-only" in response.text and "Account balance" in response.text
    session.expire_all()
    assert session.get(m.Cart, cart.id).status == "open"


# --- Checkout ----------------------------------------------------------------------------------


def checkout(client, cart, **fields):
    page = client.get(f"/cart/{cart.id}/checkout").text
    data = {"csrf_token": csrf_token(page), "idempotency_key": hidden(page, "idempotency_key"),
            "expected_total": hidden(page, "expected_total"), "reference": "PO-4711",
            "address": re.search(r'<input[^>]*name="address"[^>]*value="(\d+)"', page).group(1),
            "accept_terms": "y", **fields}
    return page, client.post(f"/cart/{cart.id}/checkout", data=data), data


def test_the_review_step_shows_lines_period_amounts_total_and_a_fresh_idempotency_key(signed_in, cart):
    page = signed_in.get(f"/cart/{cart.id}/checkout").text
    assert "2026-11-25 → 2027-08-25, 273 of 365 days" in page and "€134.63" in page
    assert "Total, VAT excluded" in page and "Milan warehouse: Receiving dept., Via Roma 1" in page
    assert "<legend>Delivery address</legend>" in page and "I accept the HWaaS terms of service" in page
    first, second = hidden(page, "idempotency_key"), hidden(signed_in.get(f"/cart/{cart.id}/checkout").text,
                                                            "idempotency_key")
    assert first != second and len(first) == 32
    assert hidden(page, "expected_total") == "134.63"


def test_placing_the_order_redirects_to_it_awaiting_approval(signed_in, cart, session):
    _, response, _ = checkout(signed_in, cart)
    assert response.status_code == 303
    order = session.query(m.Order).one()
    assert response.headers["Location"] == f"/orders/{order.id}"
    page = signed_in.get(response.headers["Location"]).text
    assert f"Order {order.number} placed. It is Awaiting approval." in page
    assert "Awaiting approval" in page and "PO-4711" in page


def test_a_double_submit_makes_one_order_and_shows_it(signed_in, cart, session):
    _, first, data = checkout(signed_in, cart)
    again = signed_in.post(f"/cart/{cart.id}/checkout", data=data)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert session.query(m.Order).count() == 1
    assert "was already placed" in signed_in.get(again.headers["Location"]).text


def test_a_resubmit_of_a_placed_checkout_goes_to_the_order_whatever_it_carries(signed_in, cart, session):
    page, first, _ = checkout(signed_in, cart)
    again = signed_in.post(f"/cart/{cart.id}/checkout", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert session.query(m.Order).count() == 1


def test_a_second_tab_makes_no_second_order(signed_in, cart, session):
    tab1 = signed_in.get(f"/cart/{cart.id}/checkout").text
    tab2 = signed_in.get(f"/cart/{cart.id}/checkout").text
    for page in (tab1, tab2):
        response = signed_in.post(f"/cart/{cart.id}/checkout", data={
            "csrf_token": csrf_token(page), "idempotency_key": hidden(page, "idempotency_key"),
            "expected_total": hidden(page, "expected_total"), "reference": "PO-1",
            "address": str(session.query(m.Address).one().id), "accept_terms": "y"})
        assert response.status_code == 303
    assert session.query(m.Order).count() == 1


def test_checkout_of_an_ordered_cart_goes_to_its_order(signed_in, cart, session):
    _, response, _ = checkout(signed_in, cart)
    again = signed_in.get(f"/cart/{cart.id}/checkout")
    assert again.status_code == 303 and again.headers["Location"] == response.headers["Location"]
    assert signed_in.get(f"/cart/{cart.id}").status_code == 404  # no longer a live cart


@pytest.mark.parametrize("fields, message", [
    ({"reference": ""}, "Enter your order reference."),
    ({"accept_terms": ""}, "Accept the terms to place the order."),
    ({"address": "new"}, "Enter the recipient of the new address."),
    ({"address": "999999"}, "Not a valid choice."),
])
def test_an_incomplete_checkout_is_refused_with_422_and_the_cart_kept(signed_in, cart, session, fields, message):
    _, response, _ = checkout(signed_in, cart, **fields)
    assert response.status_code == 422
    assert "<title>Error: " in response.text and message in response.text
    assert session.query(m.Order).count() == 0


def test_checkout_to_a_new_address_adds_it_to_the_address_book(signed_in, cart, session):
    _, response, _ = checkout(signed_in, cart, address="new", new_recipient="Acme reception",
                              new_street="Corso Como 5", new_postcode="20154", new_city="Milano", new_country="it")
    assert response.status_code == 303
    assert session.query(m.Order).one().delivery_address == "Acme reception, Corso Como 5, 20154 Milano, IT"
    assert session.query(m.Address).count() == 2


def test_a_cart_changed_in_another_tab_is_refused_and_shows_the_new_total(signed_in, cart, session):
    page = signed_in.get(f"/cart/{cart.id}/checkout").text
    line = cart.lines[0]
    signed_in.post(f"/cart/{cart.id}/lines/{line.id}", data={"csrf_token": csrf_token(page), "quantity": "3"})
    response = signed_in.post(f"/cart/{cart.id}/checkout", data={
        "csrf_token": csrf_token(page), "idempotency_key": hidden(page, "idempotency_key"),
        "expected_total": hidden(page, "expected_total"), "reference": "PO-1",
        "address": str(session.query(m.Address).one().id), "accept_terms": "y"})
    assert response.status_code == 422
    assert "The cart changed since this page was shown" in response.text
    assert hidden(response.text, "expected_total") == "201.95"
    assert session.query(m.Order).count() == 0


def test_a_partner_blocked_by_overdue_invoices_is_told_at_checkout_and_keeps_the_cart(signed_in, cart, make,
                                                                                       session, world):
    make.invoice(world.partner, due_on=TODAY - dt.timedelta(days=10))
    session.commit()
    page = signed_in.get(f"/cart/{cart.id}/checkout")
    assert page.status_code == 200
    assert "Checkout is blocked" in page.text
    assert "Ordering hardware and HWaaS is blocked until it is paid." in page.text
    assert "Place order" not in page.text
    response = signed_in.post(f"/cart/{cart.id}/checkout", data={
        "csrf_token": csrf_token(page.text), "idempotency_key": uuid.uuid4().hex, "expected_total": "134.63",
        "reference": "PO-1", "address": str(world.address.id), "accept_terms": "y"})
    assert response.status_code == 422 and "Ordering hardware and HWaaS is blocked" in response.text
    assert session.query(m.Order).count() == 0
    session.expire_all()
    assert session.get(m.Cart, cart.id).status == "open"


def test_without_an_uploaded_agreement_checkout_says_what_to_do(client, make, session, today):
    world = acme(make, agreement=False, name="No Agreement Partner")
    cart = phones_in_the_yearly_cart(session, world)
    session.commit()
    login(client, world.user)
    page = client.get(f"/cart/{cart.id}/checkout").text
    assert "Upload the signed HWaaS agreement for Acme Srl first: " in page
    assert (f'href="/customers/{world.customer.id}/agreement"' in page  # the Documents page, once it exists
            or f'href="/customers/{world.customer.id}"' in page)


def test_checkout_of_a_cart_priced_on_an_earlier_day_asks_to_reopen_it(signed_in, cart, today):
    today(dt.date(2026, 11, 27))
    page = signed_in.get(f"/cart/{cart.id}/checkout").text
    assert "Checkout is blocked" in page and "Reopen it to re-price it for today" in page


# --- quantities, bands and the race with checkout --------------------------------------------


def test_a_quantity_of_0_removes_the_line_and_says_so(signed_in, cart):
    line = cart.lines[0]
    response = signed_in.post(f"/cart/{cart.id}/lines/{line.id}", data={"csrf_token": token(signed_in, cart),
                                                                        "quantity": "0"}, headers=HX)
    assert response.status_code == 200
    assert "Yealink T54W was removed from the cart (quantity 0)." in response.text
    assert "This cart is empty" in response.text


def test_the_cart_input_accepts_0_so_the_browser_sends_it(signed_in, cart):
    page = signed_in.get(f"/cart/{cart.id}").text
    assert 'min="0"' in page and "A quantity of 0 removes the line." in page


def test_the_cart_says_what_save_and_recalculate_would_take_off_with_a_band(signed_in, cart, session, world):
    session.add(m.QuantityBand(product_id=world.phone.id, min_quantity=2, discount_percent=Decimal("10")))
    session.commit()
    page = signed_in.get(f"/cart/{cart.id}").text
    quote = carts.quote_cart(session.get(m.Cart, cart.id))
    assert "Save &amp; Recalculate: −" in page and "the 2+ band of Yealink T54W (10% off)" in page
    before = quote.total
    recalculated = signed_in.post(f"/cart/{cart.id}/recalculate", data={"csrf_token": token(signed_in, cart)})
    assert recalculated.status_code == 303
    session.expire_all()
    after = carts.quote_cart(session.get(m.Cart, cart.id)).total
    saving = re.search(r"Save &amp; Recalculate: −€\s?([\d.,]+)", page).group(1)
    assert Decimal(saving.replace(",", "")) == before - after
    assert "Save &amp; Recalculate: −" not in signed_in.get(f"/cart/{cart.id}").text


def test_a_quantity_change_after_the_cart_was_checked_out_is_refused_naming_the_order(
        signed_in, cart, session, world):
    html = signed_in.get(f"/cart/{cart.id}/checkout").text
    line_id = cart.lines[0].id
    _, placed, _ = checkout(signed_in, cart)
    assert placed.status_code == 303
    response = signed_in.post(f"/cart/{cart.id}/lines/{line_id}", data={"csrf_token": csrf_token(html),
                                                                        "quantity": "5"}, headers=HX)
    assert response.status_code == 409
    order = session.scalar(sa.select(m.Order).where(m.Order.cart_id == cart.id))
    assert f"checked out as order {order.number}" in response.text
    session.expire_all()
    assert session.get(m.CartLine, line_id).quantity == 2


def test_the_six_month_minimum_is_stated_with_its_amount_for_this_order(signed_in, cart):
    page = signed_in.get(f"/cart/{cart.id}/checkout").text
    # 2 × Yealink T54W at the Gold price of 90.00 a year: 2 × 90.00 × 6 / 12 = 90.00
    assert "at most €90.00 for the devices of this order (their monthly price × 6)" in page


def test_a_customer_without_a_signed_agreement_is_told_on_order_hwaas_and_the_cart(make, session, client, today):
    world = acme(make, agreement=False)
    session.commit()
    login(client, world.user)
    order_page = client.get(f"/customers/{world.customer.id}/order-hwaas?term=yearly").text
    assert "Acme Srl has no signed HWaaS agreement yet." in order_page
    assert f'href="/customers/{world.customer.id}/agreement"' in order_page
    cart, _ = carts.add_to_cart(PartnerScope(session, world.partner.id), customer_id=world.customer.id,
                                pbx_id=world.yearly.id, term="yearly", quantities={world.phone.id: 1},
                                today=TODAY, now=utcnow(), standing=GOOD)
    session.commit()
    assert "Acme Srl has no signed HWaaS agreement yet." in client.get(f"/cart/{cart.id}").text


def test_the_overdue_banner_says_where_to_go_once(make, session, client, today):
    world = acme(make)
    make.invoice(world.partner, due_on=TODAY - dt.timedelta(days=3))
    session.commit()
    login(client, world.user)
    page = client.get("/customers/").text
    assert "Go to Account balance" in page and "See Account balance" not in page
