"""The partner's ordering flow in a real browser, from sign-in to the order in Orders: with a
mouse and JavaScript, with JavaScript off, and with the keyboard only. And a partner blocked by
overdue invoices, who can build a cart but whom Checkout tells why it cannot place the order."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, sign_in, watch_errors
from tests.ordering import TODAY, acme

PERIOD = "2026-11-25 → 2027-08-25, 273 of 365 days"


@pytest.fixture
def demo(app, make, session, monkeypatch):
    """partner@example.com, Demo Partner (Gold, 10 %), "Acme Srl" with one PBX per term."""
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make, email="partner@example.com")
    make.customer(world.partner, name="Beta Srl", city="Torino")
    session.commit()
    return world


def order_two_desk_phones(page, js: bool) -> None:
    """Sign in, find Acme Srl, put two desk phones for its yearly PBX in the cart, save it,
    come back to it, check out, and find the order Awaiting approval in Orders."""
    # axe runs as a script in the page, so it checks the pages with JavaScript on (same HTML).
    check = assert_accessible if js else (lambda _page: None)
    sign_in(page, "partner@example.com")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    check(page)

    page.get_by_label("Search customers").fill("Acme")
    if js:  # active search: the results follow the typing and the URL is pushed
        page.wait_for_url(re.compile(r"/customers/\?q=Acme$"))
    else:
        page.get_by_role("button", name="Search").click()
    results = page.locator("#customer-results")
    expect(results.get_by_role("link", name="Beta Srl")).to_have_count(0)
    results.get_by_role("link", name="Acme Srl", exact=True).click()

    expect(page.get_by_role("heading", name="Acme Srl", level=1)).to_be_visible()
    pbxs = page.get_by_role("table", name="PBXs")
    expect(pbxs.get_by_role("row").filter(has_text="acme-year.example")).to_contain_text("2027-08-25")
    expect(pbxs.get_by_role("row").filter(has_text="acme-life.example")).to_contain_text("Not available")
    check(page)
    page.locator("a.button", has_text="Order HWaaS").click()

    expect(page.get_by_role("heading", name=re.compile("^Order HWaaS"))).to_be_visible()
    page.get_by_role("group", name="Duration").get_by_label("One year").check()
    if not js:
        page.get_by_role("button", name="Show PBXs").click()
    pbx = page.get_by_label("PBX", exact=True)
    expect(pbx).to_have_value(str(demo_ids["yearly"]))
    assert pbx.locator("option").all_inner_texts() == ["acme-year.example (expires 2027-08-25)"]
    expect(page.get_by_text("has a Lifetime licence, which is not a subscription")).to_be_visible()
    if js:
        expect(page).to_have_url(re.compile(r"term=yearly"))
        expect(page.locator("#announcer")).to_have_text("1 PBX with a One year term; prices for One year.")
    check(page)
    page.get_by_label("Quantity of Yealink T54W").fill("2")
    page.get_by_role("button", name="Add to cart").click()

    # The prorated price is shown before paying.
    expect(page.get_by_role("heading", name=re.compile("^Cart"))).to_be_visible()
    line = page.locator("#cart tbody tr").filter(has_text="Yealink T54W")
    expect(line).to_contain_text(PERIOD)
    expect(line).to_contain_text("€180.00")
    expect(line.locator("td[data-label=Amount]")).to_have_text("€134.63")
    check(page)
    if js:  # live totals, announced in the layout's live region
        # Record whether the swapped region says it is busy while its request runs.
        page.evaluate("""() => {
            window.busySeen = [];
            document.addEventListener('htmx:beforeRequest', e => window.busySeen.push(e.detail.target.getAttribute('aria-busy')));
            document.addEventListener('htmx:afterSettle', e => window.busySeen.push(document.querySelector('#cart').getAttribute('aria-busy')));
        }""")
        quantity = page.get_by_label("Quantity of Yealink T54W")
        quantity.fill("3")
        quantity.press("Tab")
        expect(page.locator("#announcer")).to_have_text("Yealink T54W: quantity 3. 3 items in cart, total €201.95")
        expect(line.locator("td[data-label=Amount]")).to_have_text("€201.95")
        assert page.evaluate("window.busySeen") == ["true", None]  # busy while loading, then not
        check(page)  # the cart after the htmx swap
        quantity = page.get_by_label("Quantity of Yealink T54W")
        quantity.fill("2")
        quantity.press("Enter")
        expect(page.locator("#announcer")).to_have_text("Yealink T54W: quantity 2. 2 items in cart, total €134.63")

    page.get_by_role("button", name="Save", exact=True).click()
    saved = page.get_by_role("table", name="Saved carts")
    expect(saved.get_by_role("row").filter(has_text="Acme Srl")).to_contain_text("€134.63")
    check(page)

    # Come back to it.
    nav.get_by_role("link", name="Cart").click()
    page.get_by_role("table", name="Saved carts").get_by_role("link", name=re.compile("^Open")).click()
    expect(page.locator("#cart")).to_contain_text(PERIOD)
    page.get_by_role("link", name="Checkout").click()

    expect(page.get_by_role("heading", name=re.compile("^Checkout"))).to_be_visible()
    expect(page.get_by_role("table", name="Review")).to_contain_text("€134.63")
    check(page)
    page.get_by_label("Order reference").fill("PO-4711")
    milan = page.get_by_label(re.compile("Milan warehouse"))
    expect(milan).not_to_be_checked()  # the customer's first order: the partner chooses
    milan.check()
    page.get_by_label("I accept the HWaaS terms of service").check()
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", name=re.compile(r"^Order HW-2026-\d{6}"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="placed. It is Awaiting approval.")).to_be_visible()
    check(page)
    nav.get_by_role("link", name="Orders").click()
    row = page.locator("#order-results tbody tr").filter(has_text="Acme Srl")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Awaiting approval")
    expect(row).to_contain_text("PO-4711")
    expect(row).to_contain_text("€134.63")


demo_ids: dict = {}


@pytest.fixture(autouse=True)
def _ids(request):
    if "demo" in request.fixturenames:
        demo_ids["yearly"] = request.getfixturevalue("demo").yearly.id
    yield
    demo_ids.clear()


def test_the_whole_flow_with_a_mouse_and_javascript(page, demo):
    problems = watch_errors(page)
    order_two_desk_phones(page, js=True)
    assert not problems, problems


def test_the_whole_flow_with_javascript_off(nojs_page, demo):
    order_two_desk_phones(nojs_page, js=False)


# --- keyboard only ---------------------------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  return {tag: e.tagName, text: (e.innerText || "").trim(), label: label.trim(), id: e.id, type: e.type || ""};
}"""


def tab_to(page, name: str, max_tabs: int = 120, backwards: bool = False) -> dict:
    """Press Tab until the focused control's text or label starts with `name`."""
    for _ in range(max_tabs):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(_FOCUSED)
        if focused["text"].startswith(name) or focused["label"].startswith(name):
            return focused
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_the_whole_flow_with_the_keyboard_only(page, demo):
    page.goto("/login")
    tab_to(page, "E-mail address")
    page.keyboard.type("partner@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

    tab_to(page, "Customers")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    tab_to(page, "Search customers")
    page.keyboard.type("Acme")
    page.keyboard.press("Enter")  # submits the GET form (htmx takes it over)
    expect(page.locator("#customer-results").get_by_role("link", name="Beta Srl")).to_have_count(0)
    tab_to(page, "Acme Srl")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Acme Srl", level=1)).to_be_visible()
    tab_to(page, "Order HWaaS")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Order HWaaS"))).to_be_visible()

    focused = tab_to(page, "One month")  # no Duration chosen yet: Tab lands on the first radio
    assert focused["type"] == "radio"
    page.keyboard.press("ArrowRight")  # arrows move through the group and choose
    expect(page.get_by_label("One year")).to_be_checked()
    expect(page.get_by_label("PBX", exact=True)).to_have_value(str(demo.yearly.id))
    assert page.evaluate("document.activeElement.id") == "term-yearly"  # focus stays put after the swap
    tab_to(page, "Quantity of Yealink T54W")
    page.keyboard.type("2")
    tab_to(page, "Add to cart")
    page.keyboard.press("Enter")

    line = page.locator("#cart tbody tr").filter(has_text="Yealink T54W")
    expect(line).to_contain_text(PERIOD)
    expect(line.locator("td[data-label=Amount]")).to_have_text("€134.63")
    tab_to(page, "Quantity of Yealink T54W")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text("Yealink T54W: quantity 3. 3 items in cart, total €201.95")
    assert page.evaluate("document.activeElement.id").startswith("qty-")  # focus kept on the input
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text("Yealink T54W: quantity 2. 2 items in cart, total €134.63")
    tab_to(page, "Save")
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="Saved carts")).to_contain_text("Acme Srl")

    tab_to(page, "Open")
    page.keyboard.press("Enter")
    expect(page.locator("#cart")).to_contain_text(PERIOD)
    tab_to(page, "Checkout")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Checkout"))).to_be_visible()
    tab_to(page, "Order reference")
    page.keyboard.type("PO-KEYS")
    focused = tab_to(page, "Milan warehouse")
    assert focused["type"] == "radio"
    page.keyboard.press("Space")
    tab_to(page, "I accept the HWaaS terms of service")
    page.keyboard.press("Space")
    tab_to(page, "Place order")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^Order HW-2026-"))).to_be_visible()

    tab_to(page, "Orders")
    page.keyboard.press("Enter")
    row = page.locator("#order-results tbody tr").filter(has_text="Acme Srl")
    expect(row).to_contain_text("Awaiting approval")
    expect(row).to_contain_text("PO-KEYS")


def test_a_keyboard_user_sees_where_focus_is(page, demo):
    sign_in(page, "partner@example.com")
    page.goto(f"/customers/{demo.customer.id}/order-hwaas?term=yearly")
    tab_to(page, "Add to cart")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


# --- overdue ---------------------------------------------------------------------------------


def test_a_blocked_partner_builds_a_cart_but_checkout_says_it_is_blocked(page, app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make, email="partner2@example.com", name="Late Payer")
    make.invoice(world.partner, due_on=TODAY - dt.timedelta(days=10))
    session.commit()
    sign_in(page, "partner2@example.com")
    expect(page.get_by_role("region", name="Overdue invoices")).to_contain_text("10 days overdue")
    page.goto(f"/customers/{world.customer.id}/order-hwaas?term=yearly")
    page.get_by_label("Quantity of Yealink T54W").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart")).to_contain_text("€134.63")
    page.get_by_role("link", name="Checkout").click()
    blocked = page.locator("#blocked")
    expect(blocked).to_contain_text("Checkout is blocked")
    expect(blocked).to_contain_text("Ordering hardware and HWaaS is blocked until it is paid.")
    expect(blocked).to_contain_text("Your cart is kept")
    expect(page.get_by_role("button", name="Place order")).to_have_count(0)
    assert_accessible(page)
