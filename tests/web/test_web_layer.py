"""The web layer's one way of doing each thing (docs/decisions.md, "Web layer"): the overdue
read-only gate for every unsafe request, htmx-aware sign-in prompts and redirects, ids that no
database can hold, and a service's refusal shown on its form."""
import datetime as dt
import time

import pytest

from hwaas import models as m
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login, signed_in
from tests.routes import UNSAFE, app_rules, methods, url_for_rule
from tests.world import build_world

HX = {"HX-Request": "true"}


@pytest.fixture
def world(make, session):
    return build_world(make, session)


def test_a_partner_40_days_overdue_cannot_cancel_an_order(app, world, make, session):
    make.invoice(world.a.partner, due_on=dt.date.today() - dt.timedelta(days=40))
    session.commit()
    client, token = signed_in(app, world.a.user)
    response = client.post(f"/orders/{world.a.order.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 403
    assert "read-only" in response.text and "Account balance" in response.text
    session.expire_all()
    assert session.get(m.Order, world.a.order.id).status == "awaiting_approval"


def test_a_read_only_partner_is_refused_every_unsafe_request_but_signing_out_and_their_own_account(
        app, world, make, session):
    make.invoice(world.a.partner, due_on=dt.date.today() - dt.timedelta(days=30))
    session.commit()
    client, token = signed_in(app, world.a.user)
    open_endpoints = {"account.logout", "account.index", "account.two_factor", "account.two_factor_off",
                      "account.keepalive"}
    not_refused = []
    for rule in app_rules(app):
        if rule.endpoint in open_endpoints or rule.endpoint.split(".")[0] in ("auth", "embed"):
            continue
        for method in set(methods(rule)) & UNSAFE:
            url = url_for_rule(app, rule, world, world.a)
            status = client.open(url, method=method, data={"csrf_token": token}).status_code
            if status not in (403, 404):  # 404: a staff route, which a partner does not see at all
                not_refused.append(f"{method} {url} → {status}")
    assert not not_refused, "\n".join(not_refused)
    assert client.get("/account-balance").status_code == 200
    assert client.get(f"/orders/{world.a.order.id}").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


def test_an_htmx_request_after_the_session_ended_is_sent_to_sign_in_and_back_to_the_page(app, world, monkeypatch):
    client, token = signed_in(app, world.a.user)
    cart_page = f"http://localhost/cart/{world.a.cart.id}"
    with client.session_transaction() as session:
        session["_seen_at"] = time.time() - 31 * 60
    response = client.post(f"/cart/{world.a.cart.id}/lines/{world.a.line.id}", data={"csrf_token": token,
                           "quantity": "3"}, headers={**HX, "HX-Current-URL": cart_page})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/login?next=/cart/{world.a.cart.id}"


def test_signing_in_again_after_a_plain_post_returns_to_the_page_not_to_the_post_only_url(app, world):
    client = app.test_client()
    response = client.post(f"/orders/{world.a.order.id}/cancel",
                           headers={"Referer": f"http://localhost/orders/{world.a.order.id}"})
    # The CSRF check comes first for a visitor without a session: nothing to sign in to yet.
    assert response.status_code == 400
    login(client, world.a.user)
    token = csrf_token(client.get("/").text)
    with client.session_transaction() as session:
        session["_seen_at"] = time.time() - 31 * 60
    response = client.post(f"/orders/{world.a.order.id}/cancel", data={"csrf_token": token},
                           headers={"Referer": f"http://localhost/orders/{world.a.order.id}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/login?next=/orders/{world.a.order.id}"
    page = client.get("/login")
    signed_in = client.post(f"/login?next=/orders/{world.a.order.id}", data={
        "email": world.a.user.email, "password": PASSWORD,
        "csrf_token": csrf_token(page.text)})
    assert signed_in.headers["Location"] == f"/orders/{world.a.order.id}"


def test_a_signed_out_htmx_request_gets_hx_redirect_not_a_sign_in_form_in_its_target(app, world):
    client = app.test_client()
    response = client.get("/customers/?q=acme", headers={**HX, "HX-Current-URL": "http://localhost/customers/"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=/customers/"
    plain = client.get("/customers/?q=acme")
    assert plain.status_code == 302 and plain.headers["Location"] == "/login?next=/customers/?q%3Dacme"


def test_a_redirect_after_an_htmx_post_is_hx_redirect(app, world):
    client, token = signed_in(app, world.a.user)
    response = client.post(f"/cart/{world.a.cart.id}/save", data={"csrf_token": token}, headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/cart/")


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**400])
def test_ids_too_large_for_any_database_are_not_found_in_every_route(app, world, huge):
    client, token = signed_in(app, world.a.user)
    server_errors = []
    for rule in app_rules(app):
        int_args = [a for a in rule.arguments if a.endswith("_id")]
        if not int_args:
            continue
        url = url_for_rule(app, rule, world, world.a)
        for name in int_args:
            value = str(getattr(world.a, name[:-3], None).id) if hasattr(world.a, name[:-3]) else None
            if value is None:
                continue
            bad = url.replace(f"/{value}", f"/{huge}", 1)
            for method in methods(rule):
                status = client.open(bad, method=method, data={"csrf_token": token}).status_code
                # 405 where the same path has a rule for another method: still nothing found.
                if status not in (404, 405):
                    server_errors.append(f"{method} {bad} → {status}")
    assert not server_errors, "\n".join(server_errors)
