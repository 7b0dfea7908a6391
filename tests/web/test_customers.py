"""Customers, a customer's PBXs and Devices, and Order HWaaS through the web client."""
import datetime as dt

import pytest

from hwaas import models as m
from tests.helpers import csrf_token, login
from tests.ordering import TODAY, acme

HX = {"HX-Request": "true"}


@pytest.fixture
def world(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make)
    session.commit()
    return world


@pytest.fixture
def signed_in(client, world):
    login(client, world.user)
    return client


def order_url(world, **query):
    from urllib.parse import urlencode
    return f"/customers/{world.customer.id}/order-hwaas" + (f"?{urlencode(query)}" if query else "")


def post_order(client, world, data, term="yearly"):
    page = client.get(order_url(world, term="yearly"))
    return client.post(order_url(world), data={"csrf_token": csrf_token(page.text), "term": term, **data})


# --- access ------------------------------------------------------------------------------------


def test_customers_need_a_signed_in_partner(client, make, session):
    assert client.get("/customers/").status_code == 302
    staff = make.staff()
    session.commit()
    login(client, staff)
    assert client.get("/customers/").status_code == 404


def test_another_partners_customer_is_not_found(signed_in, make, session):
    stranger = make.customer()
    session.commit()
    assert signed_in.get(f"/customers/{stranger.id}").status_code == 404
    assert signed_in.get(f"/customers/{stranger.id}/order-hwaas?term=yearly").status_code == 404


# --- the list and its active search ------------------------------------------------------------


def test_the_list_shows_only_the_partners_customers_with_their_pbx_count(signed_in, make, session, world):
    make.customer(name="Foreign Spa")
    make.customer(world.partner, name="Beta Srl")
    session.commit()
    page = signed_in.get("/customers/")
    assert page.status_code == 200
    assert "Acme Srl" in page.text and "Beta Srl" in page.text and "Foreign Spa" not in page.text
    assert page.text.index("Acme Srl") < page.text.index("Beta Srl")
    assert '<td class="num" data-label="PBXs">4</td>' in page.text


def test_search_is_a_get_form_with_a_submit_button_and_active_search(signed_in):
    page = signed_in.get("/customers/").text
    assert '<form class="search" method="get" action="/customers/"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page and 'hx-push-url="true"' in page
    assert '<button type="submit" class="button">Search</button>' in page


def test_search_matches_name_city_or_vat_number(signed_in, make, session, world):
    make.customer(world.partner, name="Beta Srl", city="Torino")
    session.commit()
    for query in ("acme", "ACME", "milano", "IT0123"):
        text = signed_in.get(f"/customers/?q={query}").text
        assert "Acme Srl" in text and "Beta Srl" not in text, query
    assert "Beta Srl" in signed_in.get("/customers/?q=tor").text


def test_search_treats_percent_and_underscore_as_text(signed_in):
    assert "No customer matches “%”" in signed_in.get("/customers/?q=%25").text
    assert "No customer matches “_”" in signed_in.get("/customers/?q=_").text


def test_active_search_gets_the_results_fragment_and_a_plain_request_the_page(signed_in):
    fragment = signed_in.get("/customers/?q=acme", headers=HX)
    assert fragment.status_code == 200
    assert '<div id="customer-results" data-announce="1 customer found">' in fragment.text
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    full = signed_in.get("/customers/?q=acme")
    assert "<html" in full.text and 'id="customer-results"' in full.text
    assert "HX-Request" in full.headers["Vary"]
    restore = signed_in.get("/customers/?q=acme", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_the_list_is_paginated(signed_in, make, session, world):
    for n in range(25):
        make.customer(world.partner, name=f"Customer {n:02d}")
    session.commit()
    first = signed_in.get("/customers/").text
    assert "Showing 1–20 of 26 customers" in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = signed_in.get("/customers/?page=2").text
    assert "Showing 21–26 of 26 customers" in second and 'rel="prev"' in second
    assert "Showing 21–26" in signed_in.get("/customers/?page=99").text  # clamped to the last page
    assert "Showing 1–20" in signed_in.get("/customers/?page=abc").text


# --- a customer's PBXs and Devices -------------------------------------------------------------


def test_the_customer_page_lists_pbxs_with_term_activation_and_expiration(signed_in, world):
    page = signed_in.get(f"/customers/{world.customer.id}").text
    assert "<h1>Acme Srl</h1>" in page
    row = page[page.index("acme-year.example"):][:400]
    assert "One year" in row and "2026-08-25" in row and "2027-08-25" in row
    five = page[page.index("acme-five.example"):][:400]
    assert "Five years" in five and "2029-06-30" in five
    life = page[page.index("acme-life.example"):][:600]
    assert "Lifetime" in life and "Not available: a Lifetime licence is not a subscription." in life


def test_the_customer_page_lists_rented_and_owned_devices_per_pbx(signed_in, make, session, world):
    service = m.PbxService(pbx_id=world.yearly.id, term="yearly", kind="hwaas", product_id=world.phone.id,
                           quantity=1, unit_price=world.phone.opex_price("yearly"), started_on=dt.date(2026, 9, 1))
    session.add(service)
    session.add(m.Device(pbx_id=world.yearly.id, product_id=world.phone.id, ownership="rented", service=service,
                         serial="SN-RENTED", mac="00:15:65:00:00:01"))
    session.add(m.Device(pbx_id=world.monthly.id, product_id=world.dect.id, ownership="owned", serial="SN-OWNED"))
    session.commit()
    page = signed_in.get(f"/customers/{world.customer.id}").text
    devices = page[page.index('<h2 id="devices">'):]
    yearly = devices[devices.index("acme-year.example"):]
    assert "SN-RENTED" in yearly[:2000] and "Rented (HWaaS)" in yearly[:2000] and "2026-09-01" in yearly[:2000]
    monthly = devices[devices.index("acme-month.example"):]
    assert "SN-OWNED" in monthly[:2000] and "Owned" in monthly[:2000]


# --- Order HWaaS -------------------------------------------------------------------------------


def test_order_hwaas_asks_for_a_duration_in_a_fieldset_with_a_legend(signed_in, world):
    page = signed_in.get(order_url(world)).text
    assert "<legend>Duration</legend>" in page
    for term, label in (("monthly", "One month"), ("yearly", "One year"), ("five_years", "Five years")):
        assert f'value="{term}"> {label}</label>' in page
    assert "Choose a Duration to see the PBXs" in page
    assert 'name="pbx_id"' not in page


def test_choosing_a_duration_lists_only_the_pbxs_of_that_term_and_says_why_lifetime_is_not(signed_in, world):
    page = signed_in.get(order_url(world, term="yearly")).text
    select = page[page.index('<select id="pbx_id"'):page.index("</select>")]
    assert "acme-year.example" in select
    for other in ("acme-month.example", "acme-five.example", "acme-life.example"):
        assert other not in select
    assert "acme-life.example has a Lifetime licence, which is not a subscription." in page
    assert 'value="yearly" checked' in page


def test_the_products_show_the_tier_price_for_the_term_and_stock_plainly(signed_in, world):
    page = signed_in.get(order_url(world, term="five_years")).text
    assert "€405.00" in page and "list €450.00" in page
    assert "5 in stock" in page
    assert "0 in stock: back-order" in page


def test_the_duration_swap_returns_the_order_form_fragment(signed_in, world):
    fragment = signed_in.get(order_url(world, term="monthly"), headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="order-form"')
    assert "acme-month.example" in fragment.text and "acme-year.example (expires" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    full = signed_in.get(order_url(world, term="monthly"))
    assert "<html" in full.text and "<legend>Duration</legend>" in full.text


def test_a_duration_without_pbxs_says_so(signed_in, make, session, world):
    customer = make.customer(world.partner, name="Solo Srl")
    make.pbx(customer, term="monthly", activated_on=dt.date(2026, 1, 1))
    session.commit()
    page = signed_in.get(f"/customers/{customer.id}/order-hwaas?term=yearly").text
    assert "Solo Srl has no PBX with a One year term." in page
    assert "Add to cart" not in page


def test_add_to_cart_redirects_to_the_cart_with_303(signed_in, world, session):
    response = post_order(signed_in, world, {"pbx_id": world.yearly.id, f"qty_{world.phone.id}": "2"})
    assert response.status_code == 303
    cart = session.query(m.Cart).one()
    assert response.headers["Location"] == f"/cart/{cart.id}"
    assert [(l.product_id, l.quantity) for l in cart.lines] == [(world.phone.id, 2)]


def test_a_term_mismatch_posted_by_hand_is_refused_with_422(signed_in, world, session):
    response = post_order(signed_in, world, {"pbx_id": world.yearly.id, f"qty_{world.phone.id}": "2"},
                          term="monthly")
    assert response.status_code == 422
    assert "<title>Error: " in response.text and "There is a problem" in response.text
    assert "This PBX has a One year term; a One month service cannot be added to it." in response.text
    assert session.query(m.Cart).count() == 0


def test_a_lifetime_pbx_posted_by_hand_is_refused_with_422(signed_in, world, session):
    for term in ("lifetime", "yearly"):
        response = post_order(signed_in, world, {"pbx_id": world.lifetime.id, f"qty_{world.phone.id}": "1"},
                              term=term)
        assert response.status_code == 422
        assert "Lifetime licence, which is not a subscription" in response.text
    assert session.query(m.Cart).count() == 0


def test_a_pbx_of_another_partner_posted_by_hand_is_not_found(signed_in, world, make, session):
    foreign = make.pbx(make.customer(), term="yearly")
    session.commit()
    response = post_order(signed_in, world, {"pbx_id": foreign.id, f"qty_{world.phone.id}": "1"})
    assert response.status_code == 404


def test_no_quantity_is_refused_with_the_error_summary(signed_in, world):
    response = post_order(signed_in, world, {"pbx_id": world.yearly.id})
    assert response.status_code == 422
    assert "Enter a quantity for at least one product." in response.text
    assert f'href="#qty_{world.phone.id}"' in response.text


def test_a_quantity_that_is_not_a_number_or_too_big_is_refused_on_its_field(signed_in, world):
    response = post_order(signed_in, world, {"pbx_id": world.yearly.id, f"qty_{world.phone.id}": "1000",
                                             f"qty_{world.dect.id}": "lots"})
    assert response.status_code == 422
    assert "Enter a quantity of Yealink T54W from 0 to 999." in response.text
    assert 'aria-invalid="true"' in response.text


def test_add_to_cart_needs_the_csrf_token(signed_in, world):
    response = signed_in.post(order_url(world), data={"term": "yearly", "pbx_id": world.yearly.id,
                                                      f"qty_{world.phone.id}": "1"})
    assert response.status_code == 400


def test_a_search_with_a_nul_character_is_refused_on_the_search_field(client, session, world):
    login(client, world.user)
    response = client.get("/customers/", query_string={"q": "Acme\x00"})
    assert response.status_code == 422
    assert "Remove the control characters from the search" in response.text and 'aria-invalid="true"' in response.text


def test_a_product_name_in_a_label_or_a_refusal_is_text_never_markup(signed_in, world, session):
    """Translated messages built lazily (a form class cached across requests) carry a product's
    name: the page escapes them like any other text, whatever the name holds."""
    world.phone.name = 'Yealink <img src=x onerror="alert(1)">'
    session.commit()
    page = signed_in.get(order_url(world, term="yearly", pbx=world.yearly.id)).text
    assert "<img src=x" not in page and "Yealink &lt;img src=x" in page
    refused = post_order(signed_in, world, {"pbx_id": world.yearly.id, f"qty_{world.phone.id}": "1000"})
    assert refused.status_code == 422
    assert "<img src=x" not in refused.text and "Enter a quantity of Yealink &lt;img" in refused.text
