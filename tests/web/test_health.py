"""/healthz: the load balancers' liveness check answers a constant without the database or the session."""
from hwaas.extensions import db
from tests.helpers import counting_queries, login


def test_healthz_answers_ok_as_plain_text_without_a_query(app, client):
    with counting_queries(app) as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"  # the security headers still apply
    assert "Set-Cookie" not in response.headers
    assert statements == []


def test_healthz_neither_loads_the_user_nor_touches_a_signed_in_session(app, client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    with counting_queries(app) as statements:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.text == "ok"
    assert statements == []  # no user load, no standing, no session timestamps
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_even_when_the_database_is_away(app, client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise AssertionError("the liveness check must not use the database")

    # Undone before the database is emptied after the test (pytest-flask's fixtures hold `monkeypatch`).
    with app.app_context(), monkeypatch.context() as patch:
        patch.setattr(db.engine, "connect", unreachable)
        patch.setattr(db.engine, "raw_connection", unreachable)
        assert client.get("/healthz").text == "ok"
        assert client.head("/healthz").status_code == 200
