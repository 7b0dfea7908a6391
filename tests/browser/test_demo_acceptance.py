"""The issue's acceptance path, on the demo data exactly as `make run` loads it: a partner who has
never seen the product orders two desk phones for Acme Srl's yearly PBX, saves the cart, comes
back to it, checks out and finds the order Awaiting approval; partner2 is told why not."""
import re

import pytest
from playwright.sync_api import expect

from hwaas.extensions import db
from tests.browser.support import assert_accessible, sign_in

DEMO_PASSWORD = "hwaas-demo-password"


@pytest.fixture
def demo_data(app):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["demo"])
        db.session.remove()
    assert result.exit_code == 0 and "Demo data loaded" in result.output, result.output


def _cart_with_two_desk_phones(page):
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Customers").click()
    page.get_by_label("Search customers").fill("Acme")
    page.wait_for_url(re.compile(r"q=Acme"))
    page.locator("#customer-results").get_by_role("link", name="Acme Srl", exact=True).click()
    expect(page.get_by_role("heading", name="Acme Srl", level=1)).to_be_visible()
    page.locator("a.button", has_text="Order HWaaS").click()
    page.get_by_role("group", name="Duration").get_by_label("One year").check()
    expect(page.get_by_label("PBX", exact=True).locator("option")).to_have_text(
        [re.compile(r"^acme-hq\.pbx\.example \(expires \d{4}-\d\d-\d\d\)$")])
    page.get_by_label("Quantity of Yealink T54W").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name=re.compile("^Cart"))).to_be_visible()


def test_demo_partner_orders_two_desk_phones_for_acme_and_finds_the_order_awaiting_approval(page, demo_data):
    sign_in(page, "partner@example.com", DEMO_PASSWORD)
    _cart_with_two_desk_phones(page)
    line = page.locator("#cart tbody tr").filter(has_text="Yealink T54W")
    # The prorated price is shown before paying: the period runs from today to the PBX's expiry.
    expect(line).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d, \d+ of 36[56] days"))
    amount = line.locator("td[data-label=Amount]").inner_text()
    assert re.fullmatch(r"€\d+\.\d\d", amount)
    assert_accessible(page)

    page.get_by_role("button", name="Save", exact=True).click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Cart").click()
    page.get_by_role("table", name="Saved carts").get_by_role("link", name=re.compile("^Open")).click()
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("table", name="Review")).to_contain_text(amount)
    page.get_by_label("Order reference").fill("ACME-2026-01")
    page.get_by_label(re.compile("Warehouse: Demo Partner")).check()  # Acme's first order: no address is guessed
    page.get_by_label("I accept the HWaaS terms of service").check()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Order HW-"))).to_be_visible()

    nav.get_by_role("link", name="Orders").click()
    row = page.locator("#order-results tbody tr").filter(has_text="ACME-2026-01")
    expect(row).to_contain_text("Awaiting approval")
    expect(row).to_contain_text(amount)


def test_demo_partner2_builds_a_cart_but_checkout_says_overdue_invoices_block_it(page, demo_data):
    sign_in(page, "partner2@example.com", DEMO_PASSWORD)
    expect(page.get_by_role("region", name="Overdue invoices")).to_contain_text("10 days overdue")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Customers").click()
    page.locator("#customer-results tbody a").first.click()
    page.locator("a.button", has_text="Order HWaaS").click()
    durations = page.get_by_role("group", name="Duration")
    for label in ("One year", "One month", "Five years"):  # whichever term its PBXs have
        durations.get_by_label(label).check()
        expect(page).to_have_url(re.compile(r"term="))
        page.wait_for_load_state("networkidle")
        if page.get_by_label("PBX", exact=True).locator("option").count():
            break
    page.get_by_label(re.compile("^Quantity of")).first.fill("1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name=re.compile("^Cart"))).to_be_visible()
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_text(re.compile("overdue", re.I)).first).to_be_visible()
    expect(page.get_by_role("button", name="Place order")).to_have_count(0)
