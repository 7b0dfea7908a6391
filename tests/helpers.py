"""Helpers for tests that go through the web client."""
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


def post_form(client, url: str, data: dict | None = None, page_url: str | None = None, **kwargs):
    """POST like a browser would: take the CSRF token from the page the form is on."""
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **(data or {})}, **kwargs)
