"""Orders through the web client: the list and its status filter, one order with lines and history."""
import datetime as dt

import pytest

from hwaas.services import orders
from tests.helpers import csrf_token, login
from tests.ordering import serials_for

HX = {"HX-Request": "true"}


@pytest.fixture
def partner_user(make):
    return make.user(partner=make.partner(name="Orders Partner"))


@pytest.fixture
def placed(make, session, partner_user):
    customer = make.customer(partner_user.partner, name="Acme Srl")
    pbx = make.pbx(customer, term="yearly", name="acme-year.example")
    phone = make.product(name="Yealink T54W", sku="YEA-T54W")
    order = make.order(pbx=pbx, lines=[(phone, 2)], placed_by=partner_user, reference="PO-4711",
                       ordered_on=dt.date(2026, 11, 25))
    session.commit()
    return order


@pytest.fixture
def signed_in(client, partner_user, session):
    session.commit()
    login(client, partner_user)
    return client


def test_orders_need_a_signed_in_partner(client, make, session):
    assert client.get("/orders/").status_code == 302
    staff = make.staff()
    session.commit()
    login(client, staff)
    assert client.get("/orders/").status_code == 404


def test_the_list_shows_reference_customer_pbx_total_status_and_shipment_date(signed_in, placed, make, session):
    make.order()  # another partner's
    session.commit()
    page = signed_in.get("/orders/").text
    row = page[page.index(placed.number):]
    row = row[:row.index("</tr>")]
    for text in ("PO-4711", "Acme Srl", "acme-year.example", "(One year)", f"{placed.total:,.2f}",
                 "Awaiting approval", "2026-11-25"):
        assert text in row, text
    assert "1 order." in page and "status--awaiting_approval" in row


def test_the_status_filter_is_a_get_form_and_its_htmx_swap_gets_the_fragment(signed_in, placed, session, make):
    manager = make.staff()
    second = make.order(pbx=placed.pbx, placed_by=placed.placed_by)
    orders.record_status(session, second, "approved", manager)
    session.commit()
    page = signed_in.get("/orders/").text
    assert '<form class="search" method="get" action="/orders/"' in page and ">Filter</button>" in page
    filtered = signed_in.get("/orders/?status=approved")
    assert second.number in filtered.text and placed.number not in filtered.text
    assert "<html" in filtered.text
    fragment = signed_in.get("/orders/?status=awaiting_approval", headers=HX)
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith('<div id="order-results"')
    assert placed.number in fragment.text and second.number not in fragment.text
    assert 'data-announce="1 order awaiting approval"' in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert "No order is Shipped." in signed_in.get("/orders/?status=shipped").text
    assert placed.number in signed_in.get("/orders/?status=bogus").text  # an unknown status is no filter


def test_the_order_page_shows_lines_and_the_status_history(signed_in, placed, session, make):
    manager = make.staff(name="Anna Manager")
    orders.record_status(session, placed, "approved", manager, note="Agreement approved.")
    orders.ship(session, placed, manager, dt.date(2026, 11, 30), units=serials_for(session, placed),
                today=dt.date(2026, 11, 30))
    session.commit()
    page = signed_in.get(f"/orders/{placed.id}").text
    assert f"Order {placed.number}" in page
    assert "Yealink T54W" in page and "2026-11-25 → 2027-08-25, 273 of 365 days" in page
    history = page[page.index("Status history"):]
    assert history.index("Awaiting approval") < history.index("Approved") < history.index("Shipped")
    assert "Anna Manager" in history and "(area manager)" in history and "Agreement approved." in history
    assert "2026-11-30" in page  # shipment date


def test_another_partners_order_is_not_found(signed_in, make, session):
    other = make.order()
    session.commit()
    assert signed_in.get(f"/orders/{other.id}").status_code == 404


def test_the_partner_cancels_an_order_awaiting_approval(signed_in, placed, session):
    page = signed_in.get(f"/orders/{placed.id}").text
    assert "Cancel order" in page
    response = signed_in.post(f"/orders/{placed.id}/cancel", data={"csrf_token": csrf_token(page),
                                                                  "note": "Ordered twice."})
    assert response.status_code == 303
    page = signed_in.get(f"/orders/{placed.id}").text
    assert "was cancelled" in page and "Ordered twice." in page and "Cancel order" not in page


def test_a_cancellation_by_the_partner_is_mailed_like_every_status_change(signed_in, placed, session):
    from sqlalchemy import select

    from hwaas.models import OutboxMail

    page = signed_in.get(f"/orders/{placed.id}").text
    signed_in.post(f"/orders/{placed.id}/cancel", data={"csrf_token": csrf_token(page), "note": "Not needed."})
    session.expire_all()
    mails = session.scalars(select(OutboxMail).where(OutboxMail.subject.contains(placed.number))).all()
    assert len(mails) >= 1
    assert "cancelled" in mails[0].subject.lower() and f"/orders/{placed.id}" in mails[0].body


def test_a_shipped_order_cannot_be_cancelled(signed_in, placed, session, make):
    manager = make.staff()
    orders.record_status(session, placed, "approved", manager)
    orders.ship(session, placed, manager, dt.date(2026, 11, 30), units=serials_for(session, placed),
                today=dt.date(2026, 11, 30))
    session.commit()
    page = signed_in.get(f"/orders/{placed.id}").text
    assert "Cancel order" not in page
    response = signed_in.post(f"/orders/{placed.id}/cancel", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 422 and "can no longer be cancelled" in response.text


def test_the_order_page_links_its_confirmation_pdf(signed_in, placed, session):
    page = signed_in.get(f"/orders/{placed.id}").text
    assert f'href="/orders/{placed.id}/confirmation.pdf"' in page
    pdf = signed_in.get(f"/orders/{placed.id}/confirmation.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_a_cancel_note_with_a_nul_character_is_refused_on_the_form_and_the_order_stays(app, make, session):
    from hwaas.models import Order
    from tests.helpers import csrf_token, login

    partner = make.partner()
    user = make.user(partner=partner)
    order = make.order(pbx=make.pbx(customer=make.customer(partner)), placed_by=user)
    session.commit()
    client = app.test_client()
    login(client, user)
    response = client.post(f"/orders/{order.id}/cancel", data={"csrf_token": csrf_token(client.get("/").text),
                                                                "note": "changed our mind\x00"})
    assert response.status_code == 422 and "Remove the control characters" in response.text
    session.expire_all()
    assert session.get(Order, order.id).status == "awaiting_approval"


# --- search and export ---------------------------------------------------------------------------


def test_search_by_reference_number_or_customer_full_page_and_fragment(signed_in, placed, make, session):
    other = make.order(make.pbx(make.customer(placed.customer.partner, name="Beta Spa")), reference="PO-9000")
    session.commit()
    for q in ("4711", placed.number, "acme"):
        page = signed_in.get(f"/orders/?q={q}")
        assert page.status_code == 200 and "<html" in page.text and 'value="' + q + '"' in page.text
        assert placed.number in page.text and other.number not in page.text
    fragment = signed_in.get("/orders/?q=beta", headers=HX)
    assert "<html" not in fragment.text and other.number in fragment.text and placed.number not in fragment.text
    assert 'href="/orders/export.xlsx?q=beta"' in fragment.text
    assert "No order matches" in signed_in.get("/orders/?q=nothing-like-it").text


def test_the_export_is_the_filtered_list_as_excel_and_csv(signed_in, placed, make, session):
    import io

    from openpyxl import load_workbook

    other = make.order(make.pbx(make.customer(placed.customer.partner, name="Beta Spa")), reference="PO-9000")
    session.commit()
    xlsx = signed_in.get("/orders/export.xlsx?q=acme")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert xlsx.headers["Content-Disposition"].startswith('attachment; filename="hwaas-orders-')
    assert xlsx.headers["Cache-Control"] == "private, no-store" and "Content-Length" not in xlsx.headers
    sheet = load_workbook(io.BytesIO(xlsx.data))["Orders"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [placed.number]
    assert sheet.cell(2, 7).is_date and sheet.cell(2, 9).data_type == "n"

    text = signed_in.get("/orders/export.csv?status=awaiting_approval").data.decode("utf-8-sig")
    assert placed.number in text and other.number in text and text.count("\n") == 3


def test_an_italian_partner_exports_orders_with_italian_headers_and_real_cells(client, partner_user, placed, session):
    import io

    from openpyxl import load_workbook

    partner_user.language = "it"
    session.commit()
    login(client, partner_user)
    book = load_workbook(io.BytesIO(client.get("/orders/export.xlsx").data))
    sheet = book[book.sheetnames[0]]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "Ordine" and "Ordinato il" in headers
    assert sheet.cell(2, 1).value == placed.number and sheet.cell(2, 7).is_date and sheet.cell(2, 9).data_type == "n"
    text = client.get("/orders/export.csv").data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Ordine") and placed.number in text


def test_an_export_of_another_format_is_not_found(signed_in):
    assert signed_in.get("/orders/export.pdf").status_code == 404


def test_a_search_with_control_characters_is_refused_on_the_form(signed_in, placed):
    page = signed_in.get("/orders/?q=PO-%00-1")
    assert page.status_code == 422 and "Remove the control characters from the search" in page.text
    assert placed.number in page.text  # the list, unsearched
