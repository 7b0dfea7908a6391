"""Delivery addresses (issue #10): checkout pre-selects the entry the customer's latest order went
to, or nothing; an address typed again reuses its entry; the address book page edits and deletes."""
import re

import pytest

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import carts
from hwaas.services.tenancy import PartnerScope
from tests.helpers import csrf_token, login, post_form
from tests.ordering import GOOD, TODAY, acme
from tests.web.test_cart import hidden


@pytest.fixture
def world(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make)
    # Alphabetically first, and another customer's warehouse: never a default for Acme.
    world.other_customer = make.customer(world.partner, name="Beta Srl")
    world.other_pbx = make.pbx(world.other_customer, term="yearly")
    world.beta_warehouse = make.address(world.partner, label="A Beta warehouse", recipient="Beta goods-in",
                                        street="Via Verdi 9", postcode="10100", city="Torino")
    make.agreement(world.other_customer, uploaded_by=world.user)
    session.commit()
    return world


@pytest.fixture
def signed_in(client, world):
    login(client, world.user)
    return client


def cart_of(session, world, customer, pbx):
    cart, _ = carts.add_to_cart(PartnerScope(session, world.partner.id), customer_id=customer.id, pbx_id=pbx.id,
                                term=pbx.term, quantities={world.phone.id: 1}, today=TODAY, now=utcnow(),
                                standing=GOOD)
    session.commit()
    return cart


def checked_address(page: str) -> str | None:
    """The value of the delivery-address radio the page pre-selects, if any."""
    for tag in re.findall(r'<input[^>]*name="address"[^>]*>', page):
        if re.search(r"\schecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def place(client, cart, **fields):
    page = client.get(f"/cart/{cart.id}/checkout").text
    data = {"csrf_token": csrf_token(page), "idempotency_key": hidden(page, "idempotency_key"),
            "expected_total": hidden(page, "expected_total"), "reference": "PO-1", "accept_terms": "y", **fields}
    return client.post(f"/cart/{cart.id}/checkout", data=data)


def test_checkout_preselects_no_address_for_a_customer_without_orders(signed_in, session, world):
    page = signed_in.get(f"/cart/{cart_of(session, world, world.customer, world.yearly).id}/checkout").text
    assert "A Beta warehouse" in page and "Milan warehouse" in page
    assert checked_address(page) is None


def test_checkout_preselects_the_address_of_the_customers_latest_order_and_only_for_that_customer(
        signed_in, session, world):
    to_beta = place(signed_in, cart_of(session, world, world.other_customer, world.other_pbx),
                    address=str(world.beta_warehouse.id))
    to_milan = place(signed_in, cart_of(session, world, world.customer, world.yearly), address=str(world.address.id))
    assert to_beta.status_code == to_milan.status_code == 303

    acme_page = signed_in.get(f"/cart/{cart_of(session, world, world.customer, world.monthly).id}/checkout").text
    beta_page = signed_in.get(
        f"/cart/{cart_of(session, world, world.other_customer, world.other_pbx).id}/checkout").text
    assert checked_address(acme_page) == str(world.address.id)
    assert checked_address(beta_page) == str(world.beta_warehouse.id)


def test_a_checkout_without_a_chosen_address_is_refused_with_a_clear_message(signed_in, session, world):
    response = place(signed_in, cart_of(session, world, world.customer, world.yearly))
    assert response.status_code == 422
    assert "Choose a delivery address, or add a new one." in response.text
    assert "Not a valid choice" not in response.text
    assert session.query(m.Order).count() == 0


def test_an_address_typed_again_at_checkout_reuses_its_book_entry(signed_in, session, world):
    response = place(signed_in, cart_of(session, world, world.customer, world.yearly), address="new",
                     new_recipient="  receiving DEPT. ", new_street="via  roma 1", new_postcode="20100",
                     new_city="MILANO", new_country="it")
    assert response.status_code == 303
    order = session.query(m.Order).one()
    assert order.delivery_address_id == world.address.id
    assert order.delivery_address == "Receiving dept., Via Roma 1, 20100 Milano, IT"
    assert session.query(m.Address).count() == 2


def test_checkout_links_to_the_address_book(signed_in, session, world):
    page = signed_in.get(f"/cart/{cart_of(session, world, world.customer, world.yearly).id}/checkout").text
    assert 'href="/addresses/"' in page


# --- the address book page ------------------------------------------------------------------


def test_the_address_book_lists_the_partners_entries_and_is_linked_from_the_account(signed_in, world):
    page = signed_in.get("/addresses/").text
    assert "Milan warehouse" in page and "Beta goods-in, Via Verdi 9, 10100 Torino, IT" in page
    assert 'href="/addresses/"' in signed_in.get("/account").text


def test_editing_an_entry_changes_it_and_leaves_the_orders_copy(signed_in, make, session, world):
    order = make.order(pbx=world.yearly, placed_by=world.user, delivery_address_id=world.address.id)
    session.commit()
    url = f"/addresses/{world.address.id}/edit"
    response = post_form(signed_in, url, {"label": "Milan hub", "recipient": "Goods-in", "street": "Via Po 2",
                                          "postcode": "20121", "city": "Milano", "country": "IT"})
    assert response.status_code == 303 and response.headers["Location"] == "/addresses/"
    session.expire_all()
    assert session.get(m.Address, world.address.id).one_line() == "Goods-in, Via Po 2, 20121 Milano, IT"
    assert session.get(m.Order, order.id).delivery_address == "Receiving dept., Via Roma 1, 20100 Milano, IT"
    assert "Milan hub was changed." in signed_in.get("/addresses/").text


def test_editing_an_entry_into_another_entrys_address_is_refused(signed_in, session, world):
    response = post_form(signed_in, f"/addresses/{world.address.id}/edit", {
        "label": "Milan", "recipient": "beta goods-in", "street": "Via Verdi 9", "postcode": "10100",
        "city": "Torino", "country": "IT"})
    assert response.status_code == 422
    assert "already in your address book as “A Beta warehouse”" in response.text


@pytest.mark.parametrize("field, value, message", [
    ("street", "", "Enter the street and number."),
    ("country", "Italy", "Enter the country as a two-letter code, like IT."),
    ("city", "Mil\x00ano", "Remove the control characters"),
])
def test_a_bad_edit_is_refused_with_422_on_its_field(signed_in, session, world, field, value, message):
    data = {"label": "Milan", "recipient": "Goods-in", "street": "Via Po 2", "postcode": "20121",
            "city": "Milano", "country": "IT", field: value}
    response = post_form(signed_in, f"/addresses/{world.address.id}/edit", data)
    assert response.status_code == 422 and message in response.text
    session.expire_all()
    assert session.get(m.Address, world.address.id).street == "Via Roma 1"


def test_deleting_an_entry_used_by_an_order_keeps_the_orders_copy(signed_in, make, session, world):
    address_id = world.address.id
    order = make.order(pbx=world.yearly, placed_by=world.user, delivery_address_id=address_id)
    session.commit()
    edit_page = signed_in.get(f"/addresses/{address_id}/edit").text
    assert "Delete Milan warehouse from the address book" in edit_page
    response = signed_in.post(f"/addresses/{address_id}/delete", data={"csrf_token": csrf_token(edit_page)})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(m.Address, address_id) is None
    kept = session.get(m.Order, order.id)
    assert kept.delivery_address_id is None
    assert kept.delivery_address == "Receiving dept., Via Roma 1, 20100 Milano, IT"
    assert "Milan warehouse was deleted from your address book." in signed_in.get("/addresses/").text
    # and the customer's next checkout guesses nothing
    page = signed_in.get(f"/cart/{cart_of(session, world, world.customer, world.yearly).id}/checkout").text
    assert checked_address(page) is None
