"""In a real browser: the area manager approves with the keyboard and with JavaScript off, the
partner uploads an agreement and downloads price lists; the pages pass axe (WCAG 2.2 AA), which
runs as a script and so checks them with JavaScript on."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hwaas.models import Agreement, OutboxMail
from tests.browser.support import assert_accessible, sign_in

SIGNED = b"%PDF-1.7\n% signed\n" + b"0" * 2048 + b"\n%%EOF\n"


@pytest.fixture
def world(make, session):
    am = make.staff(email="manager@example.com", name="Marco Bianchi")
    gold = make.tier(name="Gold", discount_percent=Decimal("15"))
    partner = make.partner(name="Demo Partner", area_manager_id=am.id, tier=gold)
    user = make.user(partner=partner, email="partner@example.com", name="Paola Rossi")
    customer = make.customer(partner=partner, name="Acme Srl")
    pbx = make.pbx(customer=customer, name="acme-hq.pbx.example", activated_on=dt.date(2026, 8, 25))
    phone = make.product(sku="YEA-T54W", name="Yealink T54W")
    order = make.order(pbx=pbx, placed_by=user, lines=[(phone, 4)])
    make.catalogue_version()
    session.commit()
    return am, user, customer, order


def press(page, locator) -> None:
    """Reach a control with the keyboard and press Enter on it; wait for the page it leads to."""
    locator.focus()
    assert page.evaluate("document.activeElement !== document.body")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_manager_approves_agreement_and_order_with_the_keyboard(page, make, session, world):
    am, user, customer, order = world
    agreement = make.agreement(customer, uploaded_by=user)
    session.commit()
    sign_in(page, am.email)

    page.get_by_role("link", name="Agreements").first.click()
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Review the agreement of Acme Srl"))
    page.wait_for_url(f"**/manager/agreements/{agreement.id}")
    assert_accessible(page)
    # Reject without a reason: the error summary takes focus and links to the field.
    press(page, page.get_by_role("button", name="Reject the agreement"))
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert_accessible(page)
    page.get_by_label("Note for the partner (optional)").focus()
    page.keyboard.type("Checked, signed by the CEO.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Approve the agreement"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/manager/agreements")
    assert page.get_by_role("status").filter(has_text="is approved").is_visible()

    page.goto(f"/manager/orders/{order.id}")
    assert_accessible(page)
    press(page, page.get_by_role("button", name=f"Approve order {order.number}"))
    assert page.get_by_role("heading", level=1).inner_text().endswith("Approved")
    page.get_by_label("Shipment date").fill("2026-09-03")
    page.get_by_label("Serial numbers: Yealink T54W (4)").fill(
        "SN-0001 00:1A:2B:3C:4D:01\nSN-0002 00:1A:2B:3C:4D:02\nSN-0003 00:1A:2B:3C:4D:03\nSN-0004 00:1A:2B:3C:4D:04")
    press(page, page.get_by_role("button", name=f"Ship order {order.number}"))
    assert "Shipped" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    history = page.get_by_role("table", name="History")
    assert history.get_by_role("row").count() == 4  # header + 3 changes


def test_manager_flow_with_javascript_off(nojs_page, make, session, world):
    page = nojs_page
    am, user, customer, order = world
    agreement = make.agreement(customer, uploaded_by=user)
    session.commit()
    sign_in(page, am.email)
    page.goto("/manager/agreements")
    page.get_by_label("Show").select_option("approved")
    page.get_by_role("button", name="Show").click()
    assert "status=approved" in page.url and page.get_by_text("No agreements are approved.").is_visible()
    page.goto(f"/manager/agreements/{agreement.id}")
    page.get_by_role("button", name="Approve the agreement").click()
    page.wait_for_url("**/manager/agreements")

    page.goto("/manager/orders")
    page.get_by_role("link", name=order.number).click()
    page.get_by_role("button", name=f"Approve order {order.number}").click()
    page.get_by_role("button", name=f"Ship order {order.number}").click()  # no date: refused, with the reason
    assert page.get_by_role("alert").filter(has_text="Enter the shipment date.").is_visible()
    page.get_by_label("Shipment date").fill("2026-09-03")
    page.get_by_label("Serial numbers: Yealink T54W (4)").fill(
        "SN-0001 00:1A:2B:3C:4D:01\nSN-0002 00:1A:2B:3C:4D:02\nSN-0003 00:1A:2B:3C:4D:03\nSN-0004 00:1A:2B:3C:4D:04")
    page.get_by_role("button", name=f"Ship order {order.number}").click()
    page.get_by_role("button", name=f"Activate order {order.number}").click()
    assert "Active" in page.get_by_role("heading", level=1).inner_text()
    session.expire_all()
    subjects = session.scalars(select(OutboxMail.subject).where(OutboxMail.to == user.email)).all()
    assert len(subjects) == 4  # agreement approved + approved, shipped, active


def test_partner_uploads_the_signed_agreement(page, session, world, tmp_path):
    _, user, customer, _ = world
    sign_in(page, user.email)
    page.goto(f"/customers/{customer.id}/agreement")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agreement (PDF)").click()
    assert download.value.suggested_filename == "hwaas-agreement-acme-srl.pdf"

    wrong = tmp_path / "agreement.pdf"
    wrong.write_bytes(b"GIF89a not really a pdf")
    page.get_by_label("Signed agreement", exact=True).set_input_files(str(wrong))
    page.get_by_role("button", name="Upload").click()
    assert page.title().startswith("Error: ")
    assert page.get_by_role("alert").filter(has_text="The file must be a PDF, JPEG or PNG").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert_accessible(page)

    signed = tmp_path / "signed.pdf"
    signed.write_bytes(SIGNED)
    page.get_by_label("Signed agreement", exact=True).set_input_files(str(signed))
    page.get_by_role("button", name="Upload").click()
    assert page.get_by_text("Awaiting review").first.is_visible()
    assert_accessible(page)
    session.expire_all()
    assert session.scalar(select(Agreement.data)) == SIGNED
    assert session.scalar(select(OutboxMail.to)) == "manager@example.com"


def test_an_oversized_upload_keeps_the_page_without_javascript(nojs_page, session, world, tmp_path):
    page = nojs_page
    _, user, customer, _ = world
    sign_in(page, user.email)
    page.goto(f"/customers/{customer.id}/agreement")
    big = tmp_path / "huge.pdf"
    big.write_bytes(b"%PDF-" + b"0" * (12 * 1024 * 1024))
    page.get_by_label("Signed agreement", exact=True).set_input_files(str(big))
    page.get_by_role("button", name="Upload").click()
    assert page.get_by_role("heading", name="Agreement for Acme Srl").is_visible()
    assert page.get_by_text("The file is larger than 10 MB, so it was not uploaded.").first.is_visible()
    assert page.get_by_label("Signed agreement", exact=True).is_visible()
    session.expire_all()
    assert session.scalar(select(Agreement.id)) is None


@pytest.mark.parametrize("js", [True, False])
def test_partner_downloads_price_lists(request, js, world):
    page = request.getfixturevalue("page" if js else "nojs_page")
    _, user, _, _ = world
    sign_in(page, user.email)
    page.get_by_role("link", name="Price list").click()
    if js:  # axe runs as a script: it checks the page with JavaScript on
        assert_accessible(page)
    downloads = page.get_by_role("region", name="Downloads")  # the prices on the page have their own form
    downloads.get_by_role("group", name="Price list").get_by_label("CapEx").check()
    downloads.get_by_label("EXCEL").check()
    with page.expect_download() as download:
        downloads.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == "hwaas-price-list-capex-v1.xlsx"
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert sheet["A2"].value == "YEA-T54W" and sheet["D2"].value == pytest.approx(169.15)  # 199.00 less 15 %

    downloads.get_by_label("OpEx").check()
    downloads.get_by_label("PDF").check()
    with page.expect_download() as download:
        downloads.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == "hwaas-price-list-opex-v1.pdf"
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
