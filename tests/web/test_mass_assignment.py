"""Fields a form does not have are ignored (ASVS V15 mass assignment): posting a price, a status,
another partner or a role along with a real form changes none of them."""
from decimal import Decimal

from hwaas import models as m
from tests.helpers import csrf_token, login
from tests.web.test_customers import order_url, post_order, world  # noqa: F401  (fixture)

SMUGGLED = {"unit_price": "0.01", "price": "0.01", "partner_id": "999", "status": "ordered",
            "bands_applied": "y", "total": "0.01", "role": "admin", "id": "1"}


def test_adding_to_cart_ignores_a_smuggled_price_partner_or_status(client, world, session):  # noqa: F811
    login(client, world.user)
    response = post_order(client, world, {"pbx_id": world.yearly.id, f"qty_{world.phone.id}": "2", **SMUGGLED})
    assert response.status_code == 303
    cart = session.query(m.Cart).one()
    assert cart.partner_id == world.partner.id and cart.status == "open" and not cart.bands_applied
    line = cart.lines[0]
    assert line.unit_price > Decimal("0.01")
    assert line.unit_price == line.product.opex_price("yearly") * (100 - world.partner.tier.discount_percent) / 100


def test_the_account_page_ignores_a_smuggled_role_or_partner(client, world, session):  # noqa: F811
    login(client, world.user)
    page = client.get("/account")
    client.post("/account", data={"csrf_token": csrf_token(page.text), "current_password": "x",
                                  "new_password": "y", "confirm": "y", **SMUGGLED})
    session.expire_all()
    user = session.get(m.User, world.user.id)
    assert user.role == "partner" and user.partner_id == world.partner.id
