"""Query budgets: the Customers, Cart, Orders and Price list pages issue a fixed number of SQL queries
whatever the number of rows they show (no N+1). Counted with an SQLAlchemy engine event."""
import re

import pytest

from hwaas.models.types import utcnow
from hwaas.services import carts, orders
from hwaas.services.tenancy import PartnerScope
from tests.helpers import counting_queries as counting, csrf_token, login
from tests.ordering import GOOD, TODAY, acme, phones_in_the_yearly_cart

# Sign-in, standing and layout included (the user, their partner and the oldest unpaid invoice are
# one query); a page that grows past these has grown an N+1, or lost an eager load. The cart reads
# its products' quantity bands, to say what Save & Recalculate would take off, and whether the
# customer has a signed agreement (Checkout will need it). Customers: + the MRR of the page's
# customers; a customer: + the next renewals (the partner's tier, the catalogue's prices and
# bands, the forecast with its names).
BUDGET = {"customers": 4, "customer": 7, "cart": 5, "carts": 3, "checkout": 5, "orders": 3, "order": 8,
          "price_list": 6}


def queries(app, client, url) -> int:
    client.get(url)  # warm up: first-request work is not the page's
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return len(statements)


@pytest.fixture
def world(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    return acme(make)


def grow(make, session, world, n):
    """n more customers with a PBX, a device each, a product, a cart line and an order."""
    scope = PartnerScope(session, world.partner.id)
    cart = carts.find_live_cart(scope, world.yearly.id, "yearly")
    manager = make.staff()
    for i in range(n):
        customer = make.customer(world.partner, name=f"Customer {i:02d}")
        pbx = make.pbx(customer, term="yearly")
        product = make.product(name=f"Phone {i:02d}")
        carts.add_to_cart(scope, customer_id=world.customer.id, pbx_id=world.yearly.id, term="yearly",
                          quantities={product.id: 1}, today=TODAY, now=utcnow(), standing=GOOD)
        carts.add_to_cart(scope, customer_id=customer.id, pbx_id=pbx.id, term="yearly",
                          quantities={product.id: 1}, today=TODAY, now=utcnow(), standing=GOOD)
        order = make.order(pbx=pbx, lines=[(product, 1), (world.phone, 2)], placed_by=world.user,
                           ordered_on=TODAY)
        orders.record_status(session, order, "approved", manager)
        make.order(pbx=world.yearly, lines=[(product, 1)], placed_by=world.user, ordered_on=TODAY)
    session.flush()
    return cart


def measure(app, client, world, cart_id, order_id):
    return {
        "customers": queries(app, client, "/customers/"),
        "customer": queries(app, client, f"/customers/{world.customer.id}"),
        "cart": queries(app, client, f"/cart/{cart_id}"),
        "carts": queries(app, client, "/cart/"),
        "checkout": queries(app, client, f"/cart/{cart_id}/checkout"),
        "orders": queries(app, client, "/orders/"),
        "order": queries(app, client, f"/orders/{order_id}"),
        "price_list": queries(app, client, "/price-list/"),
    }


def test_pages_issue_a_fixed_number_of_queries_whatever_the_number_of_rows(app, client, make, session, world):
    cart = phones_in_the_yearly_cart(session, world, quantity=1)
    order = make.order(pbx=world.yearly, lines=[(world.phone, 1)], placed_by=world.user, ordered_on=TODAY)
    session.commit()
    login(client, world.user)
    small = measure(app, client, world, cart.id, order.id)

    grow(make, session, world, 15)
    for extra in range(12):
        make.order(pbx=world.yearly, lines=[(world.phone, 1)], placed_by=world.user, ordered_on=TODAY)
    for product in [make.product(name=f"Line {i}") for i in range(10)]:
        order.lines.append(type(order.lines[0])(
            product_id=product.id, sku=product.sku, name=product.name, quantity=1, unit_price=order.lines[0].unit_price,
            period_start=order.lines[0].period_start, period_end=order.lines[0].period_end, days=order.lines[0].days,
            period_days=order.lines[0].period_days, amount=order.lines[0].amount))
    manager = make.staff()
    orders.record_status(session, order, "approved", manager)
    orders.record_status(session, order, "cancelled", manager)
    session.commit()
    large = measure(app, client, world, cart.id, order.id)

    print("queries per page:", small)
    assert large == small, f"query count grows with rows: {small} → {large}"
    over = {page: n for page, n in small.items() if n > BUDGET[page]}
    assert not over, f"over budget: {over} (budget {BUDGET})"


def place_and_count(app, client, cart_id) -> int:
    """Statements of one checkout POST, the form as the review page renders it."""
    from tests.web.test_cart import hidden

    page = client.get(f"/cart/{cart_id}/checkout").text
    data = {"csrf_token": csrf_token(page), "idempotency_key": hidden(page, "idempotency_key"),
            "expected_total": hidden(page, "expected_total"), "reference": "PO-1",
            "address": re.search(r'<input[^>]*name="address"[^>]*value="(\d+)"', page).group(1),
            "accept_terms": "y"}
    with counting(app) as statements:
        response = client.post(f"/cart/{cart_id}/checkout", data=data)
    assert response.status_code == 303, response.text
    return len(statements)


def test_placing_an_order_issues_the_same_statements_for_one_line_or_sixteen(app, client, make, session, world):
    scope = PartnerScope(session, world.partner.id)
    small, _ = carts.add_to_cart(scope, customer_id=world.customer.id, pbx_id=world.yearly.id, term="yearly",
                                 quantities={world.phone.id: 1}, today=TODAY, now=utcnow(), standing=GOOD)
    session.commit()
    login(client, world.user)
    one_line = place_and_count(app, client, small.id)

    products = [make.product(name=f"Phone {i:02d}") for i in range(15)]
    big, _ = carts.add_to_cart(scope, customer_id=world.customer.id, pbx_id=world.yearly.id, term="yearly",
                               quantities={p.id: 1 + i % 3 for i, p in enumerate([world.phone, *products])},
                               today=TODAY, now=utcnow(), standing=GOOD)
    session.commit()
    assert len(big.lines) == 16
    sixteen_lines = place_and_count(app, client, big.id)

    # the user (with partner and standing), the address book, the key, the cart (locked) and its
    # lines, the agreement, the claim, the order, its history, its lines, its number, the stock
    assert one_line == sixteen_lines <= 12, (one_line, sixteen_lines)
