"""The service after the order in a real browser: Order CLASSOUND for Acme's yearly PBX from the
⋯ menu; replace two devices and follow the request to Completed as the area manager; cancel a
device on the monthly PBX and see the fee and the MRR drop before confirming. With JavaScript,
without it, and with the keyboard only."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, sign_in
from tests.ordering import TODAY, acme, rent

D = Decimal
YEARLY_EXPIRES = "2027-08-25"  # acme-year.example, activated 2026-08-25


@pytest.fixture
def world(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make, email="partner@example.com")
    world.area_manager = make.staff(role="area_manager", email="anna@vendor.example", name="Anna Manager")
    world.partner.area_manager_id = world.area_manager.id
    make.product(name="CLASSOUND", sku="CLS-1", category="classound", stock=0, opex={
        "monthly": D("10.00"), "yearly": D("100.00"), "five_years": D("450.00")})
    world.service, world.phones = rent(session, world.monthly, world.phone, 3, dt.date(2026, 9, 10), D("3.05"))
    session.commit()
    return world


def open_customer_menu(page, js: bool, item: str) -> None:
    """From Customers, the ⋯ menu of Acme Srl: a disclosure button with JS, a link list without."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    row = page.locator("#customer-results tbody tr").filter(has_text="Acme Srl")
    if js:
        button = row.get_by_role("button", name="Actions for Acme Srl")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(row.get_by_role("link", name=re.compile(f"^{item}"))).to_be_hidden()
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
    else:
        expect(row.get_by_role("button", name="Actions for Acme Srl")).to_be_hidden()
    row.get_by_role("link", name=re.compile(f"^{item}")).click()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_order_classound_for_the_yearly_pbx_and_see_it_expire_with_the_pbx(world, page, nojs_page, js):
    page = page if js else nojs_page
    check = assert_accessible if js else (lambda _page: None)
    sign_in(page, "partner@example.com")
    open_customer_menu(page, js, "Order CLASSOUND")
    expect(page.get_by_role("heading", name=re.compile("^Order CLASSOUND"))).to_be_visible()
    expect(page.get_by_text(re.compile("acme-life.example · Lifetime: not available"))).to_be_visible()
    choice = page.get_by_role("radio", name=re.compile("acme-year.example"))
    expect(page.locator("label", has_text="acme-year.example")).to_contain_text(f"expires {YEARLY_EXPIRES}")
    check(page)
    choice.check()
    page.get_by_role("button", name="Add to cart").click()

    line = page.locator("#cart tbody tr").filter(has_text="CLASSOUND")
    expect(line).to_contain_text(f"2026-11-25 → {YEARLY_EXPIRES}, 273 of 365 days")
    expect(line.locator("td[data-label=Amount]")).to_have_text("€67.32")  # 90.00 × 273 / 365
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("group", name="Delivery address")).to_have_count(0)
    check(page)
    page.get_by_label("Order reference").fill("PO-CLS")
    page.get_by_label("I accept the HWaaS terms of service").check()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status").filter(has_text="placed. It is Awaiting approval.")).to_be_visible()
    expect(page.get_by_text("None: nothing is delivered")).to_be_visible()


def test_replace_two_devices_and_follow_the_request_to_completed(world, page, chromium, live_server):
    sign_in(page, "partner@example.com")
    page.goto(f"/devices/pbxs/{world.monthly.id}")
    for device in world.phones[:2]:
        page.get_by_label(f"Choose Yealink T54W {device.serial}").check()
    page.get_by_role("button", name="Replace…").click()
    expect(page.get_by_role("heading", name=re.compile("^Replace devices"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Reason").get_by_label("Faulty").check()
    page.get_by_role("button", name="Request the replacement").click()
    expect(page.get_by_role("status").filter(has_text="Replacement request RR-")).to_be_visible()
    rows = page.get_by_role("table", name="Devices")
    expect(rows.get_by_role("row").filter(has_text="Replacement requested")).to_have_count(2)

    context = chromium.new_context(base_url=live_server.url(), viewport={"width": 1280, "height": 900})
    manager = context.new_page()
    sign_in(manager, "anna@vendor.example")
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Replacements").click()
    manager.get_by_role("link", name=re.compile("^RR-")).click()
    assert_accessible(manager)
    manager.get_by_role("button", name=re.compile("^Approve")).click()
    manager.get_by_label("Shipment date").fill(TODAY.isoformat())
    manager.get_by_label("Serial numbers of the new devices").fill("NEW-0001 02:00:00:00:09:01\nNEW-0002 02:00:00:00:09:02")
    manager.get_by_role("button", name=re.compile("^Ship")).click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Shipped")
    manager.get_by_role("button", name=re.compile("^Complete")).click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Completed")
    context.close()

    page.reload()
    expect(page.get_by_role("table", name="Devices").get_by_role("row").filter(has_text="Returned")).to_have_count(2)
    expect(page.get_by_role("table", name="History of RR-" + "0" * 5 + "1")).to_contain_text("Completed")
    expect(page.get_by_text("NEW-0001", exact=False).first).to_be_visible()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_cancel_a_device_and_see_the_fee_and_the_mrr_drop_before_confirming(world, page, nojs_page, js):
    page = page if js else nojs_page
    sign_in(page, "partner@example.com")
    page.goto(f"/devices/pbxs/{world.monthly.id}")
    page.get_by_label(f"Choose Yealink T54W {world.phones[0].serial}").check()
    page.get_by_role("button", name="Cancel…").click()
    where = page.get_by_role("dialog") if js else page.locator("main")
    expect(where.get_by_role("heading", name=re.compile("^Cancel 1 device"))).to_be_visible()
    expect(where.locator("[data-fee]")).to_have_text("1 × 4 months × €3.05 = €12.20")
    expect(where.locator("[data-mrr]")).to_have_text("€9.15 → €6.10")
    expect(where).to_contain_text("2026-11-30")
    if js:
        assert_accessible(page)
    where.get_by_role("button", name="Confirm the cancellation").click()
    expect(page.get_by_role("status").filter(has_text="1 device(s) cancelled")).to_be_visible()
    expect(page.get_by_role("table", name="Devices")).to_contain_text("Cancellation pending (ends on 2026-11-30)")
    page.get_by_role("button", name=re.compile("^Withdraw")).click()
    expect(page.get_by_role("status").filter(has_text="withdrawn")).to_be_visible()


def test_the_menu_and_the_cancel_dialog_with_the_keyboard_only(world, page):
    sign_in(page, "partner@example.com")
    page.goto("/customers/")
    button = page.get_by_role("button", name="Actions for Acme Srl")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Devices of Acme Srl")).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()

    page.goto(f"/devices/pbxs/{world.monthly.id}")
    box = page.get_by_label(f"Choose Yealink T54W {world.phones[0].serial}")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    cancel = page.get_by_role("button", name="Cancel…")
    cancel.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name=re.compile("^Cancel 1 device"))).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(cancel).to_be_focused()
