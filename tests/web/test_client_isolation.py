"""pytest-flask pushes a request context around every test; the client's requests must still be
independent of it and of each other, as on a server (tests/conftest.py IsolatedClient)."""
import flask

from hwaas.services.tenancy import PartnerScope
from tests.conftest import IsolatedClient
from tests.helpers import login


def test_pytest_flask_gives_the_isolated_client_and_a_request_context(client, app):
    assert isinstance(client, IsolatedClient)
    assert flask.has_request_context() and flask.current_app == app


def test_a_request_never_sees_what_the_test_put_in_g(client, make, session):
    mine, theirs = make.customer(name="Mine Srl"), make.customer(name="Theirs Spa")
    user = make.user(partner=mine.partner)
    session.commit()
    login(client, user)
    # The scope a request caches in g: if the test's g leaked into requests, this one would be used.
    flask.g.scope = PartnerScope(session, theirs.partner_id)
    page = client.get("/customers/")
    assert page.status_code == 200
    assert "Mine Srl" in page.text and "Theirs Spa" not in page.text


def test_nothing_a_request_puts_in_g_comes_back_to_the_test(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    assert client.get("/customers/").status_code == 200
    # Every request sets g.request_id and a signed-in one g.scope; none of it is in the test's g.
    assert "request_id" not in flask.g and "scope" not in flask.g
