"""Helpers for tests that go through the web client."""
import contextlib
import re

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, user, password: str = PASSWORD):
    page = client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": password,
                                           "csrf_token": csrf_token(page.text)})
    assert response.status_code == 303, response.text
    return response


def signed_in(app, user):
    """A client signed in as `user`, and a CSRF token of its session."""
    client = app.test_client()
    login(client, user)
    return client, csrf_token(client.get("/").text)


def post_form(client, url: str, data: dict | None = None, page_url: str | None = None, **kwargs):
    """POST like a browser would: take the CSRF token from the page the form is on."""
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **(data or {})}, **kwargs)


@contextlib.contextmanager
def counting_queries(app):
    """The SQL statements the app's engine runs inside the block (an engine event, so every
    session and connection counts)."""
    from sqlalchemy import event

    from hwaas.extensions import db

    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
