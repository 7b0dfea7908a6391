"""The area manager's workspace: scoping, agreement review, the order status machine, mails."""
import datetime as dt

import pytest
from sqlalchemy import select

from hwaas.models import OutboxMail
from tests.helpers import csrf_token, login, post_form


@pytest.fixture
def world(make, session):
    am = make.staff(email="manager@example.com", name="Marco Bianchi")
    partner = make.partner(name="Demo Partner", area_manager_id=am.id)
    user = make.user(partner=partner, email="partner@example.com")
    customer = make.customer(partner=partner, name="Acme Srl")
    pbx = make.pbx(customer=customer, activated_on=dt.date(2026, 8, 25))
    order = make.order(pbx=pbx, placed_by=user)
    other_am = make.staff(email="other-am@example.com")
    other = make.partner(name="Elsewhere Spa", area_manager_id=other_am.id)
    other_order = make.order(pbx=make.pbx(customer=make.customer(partner=other, name="Far Away Srl")))
    session.commit()
    return am, partner, user, customer, order, other_order


def mails_to(session, address):
    session.expire_all()
    return session.scalars(select(OutboxMail).where(OutboxMail.to == address).order_by(OutboxMail.id)).all()


def test_partners_and_strangers_never_see_staff_pages(app, world):
    _, _, user, _, order, _ = world
    client = app.test_client()
    for url in ("/manager/partners", "/manager/agreements", "/manager/orders", f"/manager/orders/{order.id}"):
        assert client.get(url).status_code == 302
    login(client, user)
    for url in ("/manager/partners", "/manager/agreements", "/manager/orders", f"/manager/orders/{order.id}"):
        assert client.get(url).status_code == 404
    page = client.get(f"/manager/orders/{order.id}")
    assert client.post(f"/manager/orders/{order.id}/approve",
                       data={"csrf_token": csrf_token(client.get("/").text)}).status_code == 404
    assert "Page not found" in page.text


def test_a_manager_sees_only_their_partners(client, world):
    am, _, _, _, order, other_order = world
    login(client, am)
    partners = client.get("/manager/partners")
    assert "Demo Partner" in partners.text and "Elsewhere Spa" not in partners.text
    orders = client.get("/manager/orders")
    assert order.number in orders.text and other_order.number not in orders.text
    assert client.get(f"/manager/orders/{other_order.id}").status_code == 404
    assert client.get(f"/manager/orders/{order.id}").status_code == 200


def test_orders_are_paged_oldest_waiting_first_keeping_the_filter(app, client, make, session, world, monkeypatch):
    am, _, user, customer, order, _ = world
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    pbx = make.pbx(customer=customer)
    later = [make.order(pbx=pbx, placed_by=user) for _ in range(2)]
    session.commit()
    login(client, am)
    first = client.get("/manager/orders").text
    assert "Awaiting approval orders (3), page 1 of 2" in first
    assert order.number in first and later[0].number in first and later[1].number not in first
    assert 'href="/manager/orders?page=2&amp;status=awaiting_approval"' in first
    second = client.get("/manager/orders?page=2", headers={"HX-Request": "true"}).text
    assert "<html" not in second and later[1].number in second and 'rel="prev"' in second


def test_admins_see_every_partner(client, make, session, world):
    admin = make.staff(role="admin")
    session.commit()
    login(client, admin)
    page = client.get("/manager/partners")
    assert "Demo Partner" in page.text and "Elsewhere Spa" in page.text and "Marco Bianchi" in page.text


def test_admins_stand_in_for_any_area_manager_from_their_own_menu(client, make, session, world):
    _, _, _, _, order, other_order = world
    admin = make.staff(role="admin")
    session.commit()
    login(client, admin)
    home = client.get("/").text
    assert 'href="/manager/orders"' in home and 'href="/manager/agreements"' in home
    orders = client.get("/manager/orders")
    assert orders.status_code == 200 and order.number in orders.text and other_order.number in orders.text


def test_the_orders_list_is_a_get_filter_with_an_htmx_partial(client, world):
    am, _, _, _, order, _ = world
    login(client, am)
    full = client.get("/manager/orders?status=awaiting_approval")
    assert "<html" in full.text and 'id="orders-list"' in full.text and order.number in full.text
    assert full.headers["Vary"] and "HX-Request" in full.headers["Vary"]
    partial = client.get("/manager/orders?status=awaiting_approval", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and partial.text.lstrip().startswith('<div id="orders-list"')
    assert order.number in partial.text
    approved = client.get("/manager/orders?status=approved", headers={"HX-Request": "true"})
    assert order.number not in approved.text and "No orders are approved" in approved.text


def test_the_agreements_list_is_a_get_filter_with_an_htmx_partial(client, make, session, world):
    am, _, _, customer, _, _ = world
    make.agreement(customer)
    session.commit()
    login(client, am)
    full = client.get("/manager/agreements")
    assert "<html" in full.text and "Acme Srl" in full.text and "Review" in full.text
    partial = client.get("/manager/agreements?status=approved", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "No agreements are approved" in partial.text


def test_an_order_cannot_be_approved_before_its_agreement(client, session, world):
    am, _, _, _, order, _ = world
    login(client, am)
    url = f"/manager/orders/{order.id}"
    response = post_form(client, f"{url}/approve", {"approve-note": ""}, page_url=url)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "This order cannot be approved yet: Acme Srl has no signed HWaaS agreement yet" in response.text
    session.expire_all()
    assert order.status == "awaiting_approval"
    assert mails_to(session, "partner@example.com") == []


def test_approve_the_agreement_then_the_order_through_to_active(app, client, session, make, world):
    """Done when: the manager approves the agreement and the order; the partner sees each status,
    with history, and gets the mails."""
    am, _, user, customer, order, _ = world
    agreement = make.agreement(customer, uploaded_by=user)
    session.commit()
    login(client, am)

    review = client.get(f"/manager/agreements/{agreement.id}")
    assert "Approve the agreement" in review.text and "Reject the agreement" in review.text
    assert f'href="/agreements/{agreement.id}/file"' in review.text
    response = post_form(client, f"/manager/agreements/{agreement.id}/approve", {"approve-note": "All good"},
                         page_url=f"/manager/agreements/{agreement.id}")
    assert response.status_code == 303 and response.headers["Location"] == "/manager/agreements"
    assert "is approved" in client.get("/manager/agreements").text

    url = f"/manager/orders/{order.id}"
    assert post_form(client, f"{url}/approve", {"approve-note": "Approved, thanks"}, page_url=url).status_code == 303
    page = client.get(url)
    assert "Approved" in page.text and "Ship" in page.text and "Approve" not in page.text.split("History")[0].split("Change the status")[1]

    bad = post_form(client, f"{url}/ship", {"ship-shipment_date": ""}, page_url=url)
    assert bad.status_code == 422 and "Enter the shipment date." in bad.text
    early = post_form(client, f"{url}/ship", {"ship-shipment_date": "2026-08-01"}, page_url=url)
    assert early.status_code == 422 and "cannot be before the order date" in early.text
    assert post_form(client, f"{url}/ship", {"ship-shipment_date": "2026-09-03", "ship-note": "DHL 123"},
                     page_url=url).status_code == 303
    assert post_form(client, f"{url}/activate", {}, page_url=url).status_code == 303
    page = client.get(url)
    assert "Active" in page.text and "nothing more to do" in page.text

    # The partner sees every status, with its history, on their own order page …
    partner_client = app.test_client()
    login(partner_client, user)
    if "orders.show" in app.view_functions:
        partner_page = partner_client.get(f"/orders/{order.id}")
        assert partner_page.status_code == 200
        for text in ("Active", "Shipped", "Approved", "Awaiting approval", "Approved, thanks", "DHL 123"):
            assert text in partner_page.text, text
    agreement_page = partner_client.get(f"/customers/{customer.id}/agreement")
    assert "Approved" in agreement_page.text and "All good" in agreement_page.text

    # … and got a mail for the agreement and each change.
    subjects = [m.subject for m in mails_to(session, "partner@example.com")]
    assert subjects == [
        "HWaaS agreement approved: Acme Srl",
        f"Order {order.number} approved: Acme Srl",
        f"Order {order.number} shipped: Acme Srl",
        f"Order {order.number} active: Acme Srl",
    ]
    shipped = mails_to(session, "partner@example.com")[2]
    assert "Shipment date: 2026-09-03" in shipped.body and "DHL 123" in shipped.body


def test_rejecting_an_agreement_needs_a_reason_which_the_partner_sees(app, client, session, make, world):
    am, _, user, customer, _, _ = world
    agreement = make.agreement(customer, uploaded_by=user)
    session.commit()
    login(client, am)
    url = f"/manager/agreements/{agreement.id}"
    empty = post_form(client, f"{url}/reject", {"reject-note": "  "}, page_url=url)
    assert empty.status_code == 422 and "Enter the reason" in empty.text
    assert 'href="#reject-note"' in empty.text
    assert post_form(client, f"{url}/reject", {"reject-note": "Page 2 is not signed."}, page_url=url).status_code == 303
    partner_client = app.test_client()
    login(partner_client, user)
    page = partner_client.get(f"/customers/{customer.id}/agreement")
    assert "Rejected" in page.text and "Page 2 is not signed." in page.text
    [mailed] = mails_to(session, "partner@example.com")
    assert mailed.subject == "HWaaS agreement rejected: Acme Srl" and "Page 2 is not signed." in mailed.body


def test_reject_and_cancel_an_order_with_a_reason(client, session, make, world):
    am, _, _, customer, order, _ = world
    second = make.order(pbx=make.pbx(customer=customer))
    session.commit()
    login(client, am)
    url = f"/manager/orders/{order.id}"
    assert post_form(client, f"{url}/reject", {"reject-note": ""}, page_url=url).status_code == 422
    assert post_form(client, f"{url}/reject", {"reject-note": "Duplicate"}, page_url=url).status_code == 303
    assert "Rejected" in client.get(url).text
    url2 = f"/manager/orders/{second.id}"
    assert post_form(client, f"{url2}/cancel", {"cancel-note": "Customer withdrew"}, page_url=url2).status_code == 303
    # An action the machine does not allow from here is refused with its reason.
    refused = post_form(client, f"{url}/ship", {"ship-shipment_date": "2026-09-03"}, page_url=url)
    assert refused.status_code == 422 and "cannot become Shipped" in refused.text


def test_an_action_needs_the_csrf_token(client, session, world):
    am, _, _, _, order, _ = world
    login(client, am)
    assert client.post(f"/manager/orders/{order.id}/reject", data={"reject-note": "x"}).status_code == 400


def test_the_order_confirmation_pdf_is_for_the_partner_and_its_manager(app, make, session, world):
    am, _, user, _, order, other_order = world
    for who, order_id, status in ((user, order.id, 200), (am, order.id, 200), (am, other_order.id, 404),
                                  (user, other_order.id, 404)):
        client = app.test_client()
        login(client, who)
        response = client.get(f"/orders/{order_id}/confirmation.pdf")
        assert response.status_code == status
        if status == 200:
            assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
            assert response.headers["Content-Disposition"] == f"attachment; filename=hwaas-order-{order.number.lower()}.pdf"


def test_a_note_with_a_nul_character_is_refused_on_the_form(client, session, world):
    am, _, _, _, order, _ = world
    login(client, am)
    url = f"/manager/orders/{order.id}"
    response = post_form(client, f"{url}/reject", {"reject-note": "bad\x00note"}, page_url=url)
    assert response.status_code == 422 and "Remove the control characters" in response.text
    multiline = post_form(client, f"{url}/reject", {"reject-note": "Line one\r\nLine two\tend"}, page_url=url)
    assert multiline.status_code == 303
