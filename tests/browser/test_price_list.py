"""The Price list page in a browser: the partner's prices readable on the page, narrowed with the
keyboard, with JavaScript off (a GET form) and on (htmx swaps the table, the URL follows)."""
from decimal import Decimal

import pytest

from tests.browser.support import assert_accessible, sign_in, wait_until


@pytest.fixture
def partner_user(make, session):
    gold = make.tier(name="Gold", discount_percent=Decimal("15"))
    user = make.user(partner=make.partner(name="Price Partner", tier=gold))
    make.product(sku="YEA-T54W", name="Yealink T54W", opex={"yearly": Decimal("65.00")}, stock=3)
    make.product(sku="GIG-N670", name="Gigaset N670", category="dect", opex={"yearly": Decimal("49.99")}, stock=-2)
    make.catalogue_version()
    session.commit()
    return user


def skus(page) -> list[str]:
    return page.locator("#price-table tbody tr td[data-label='SKU']").all_inner_texts()


def test_narrowing_the_price_list_with_javascript_off(nojs_page, partner_user):
    page = nojs_page
    sign_in(page, partner_user.email)
    page.get_by_role("link", name="Price list").first.click()
    assert skus(page) == ["GIG-N670", "YEA-T54W"]  # by category, then SKU
    assert page.get_by_role("table", name="Price list OpEx, Gold tier").is_visible()
    page.get_by_label("Category").select_option(label="DECT")
    page.get_by_role("button", name="Show prices").click()
    page.wait_for_url("**/price-list/?*category=dect*")
    assert skus(page) == ["GIG-N670"]
    assert page.get_by_role("cell", name="−2 (back-order)").is_visible()
    page.get_by_label("Category").select_option(label="All categories")
    page.get_by_role("searchbox", name="Search").fill("t54")
    page.get_by_role("searchbox", name="Search").press("Enter")
    page.wait_for_url("**q=t54*")
    assert skus(page) == ["YEA-T54W"]


def test_narrowing_the_price_list_with_htmx_keeps_the_page_and_the_focus(page, partner_user):
    sign_in(page, partner_user.email)
    page.goto("/price-list/")
    page.evaluate("window.__same_document = true")
    category = page.get_by_label("Category")
    category.focus()
    category.select_option(label="DECT")  # a change sends the form
    page.wait_for_url("**category=dect*")
    wait_until(page, "document.querySelectorAll('#price-table tbody tr').length === 1")
    assert skus(page) == ["GIG-N670"]
    assert page.evaluate("window.__same_document") is True  # swapped, not reloaded
    assert page.evaluate("document.activeElement.id") == "show-category"
    assert page.locator("#announcer").inner_text(timeout=2_000) in ("", "1 product found")
    page.get_by_role("search", name="Price list").get_by_role("radio", name="CLASSOUND").check()  # with DECT still chosen: not in that list
    page.get_by_role("link", name="DECT is not in the CLASSOUND list", exact=False).wait_for()
    # Focus moves to the summary once htmx has settled the swap (a moment after the link appears).
    wait_until(page, "document.activeElement && document.activeElement.closest('.error-summary') !== null")
    assert_accessible(page)
