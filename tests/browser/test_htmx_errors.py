"""What a partner sees when an htmx request fails for a reason that is not a form error: the
reason, as an alert, where the page starts — not nothing."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, sign_in
from tests.ordering import TODAY, acme, phones_in_the_yearly_cart


@pytest.fixture
def cart(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make, email="partner@example.com")
    cart = phones_in_the_yearly_cart(session, world)
    session.commit()
    return world, cart


def test_a_cart_change_refused_by_the_read_only_gate_says_why_in_an_alert(page, cart, make, session):
    world, the_cart = cart
    sign_in(page, "partner@example.com")
    page.goto(f"/cart/{the_cart.id}")
    # The invoice falls 30 days overdue while the page is open: the next change is refused.
    make.invoice(world.partner, due_on=TODAY - dt.timedelta(days=30))
    session.commit()
    page.get_by_label("Quantity of Yealink T54W").fill("3")
    page.get_by_role("button", name="Update the quantity of Yealink T54W").click()
    alert = page.locator("#main > .request-error")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("nothing can be changed until it is paid")
    expect(page.get_by_label("Quantity of Yealink T54W")).to_have_value("3")  # what was typed stays
    assert_accessible(page)


def test_a_flash_message_gives_way_to_the_next_message_of_an_htmx_change(page, cart):
    world, the_cart = cart
    sign_in(page, "partner@example.com")
    page.goto(f"/customers/{world.customer.id}/order-hwaas?term=yearly&pbx={world.yearly.id}")
    page.get_by_label("Quantity of Gigaset N670 DECT").fill("1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#main > .flash").filter(has_text="Added to the cart.")).to_be_visible()
    page.get_by_label("Quantity of Yealink T54W").fill("3")
    page.get_by_role("button", name="Update the quantity of Yealink T54W").click()
    expect(page.locator("#cart")).to_contain_text("Yealink T54W: quantity 3.")
    expect(page.get_by_text("Added to the cart.")).to_have_count(0)
