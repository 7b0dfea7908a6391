"""The language of a page: the user's choice, else the browser's, else English (DESIGN §3.9)."""
import pytest

from tests.helpers import csrf_token, login


@pytest.mark.parametrize("accept, lang", [
    (None, "en"), ("it-IT,it;q=0.9,en;q=0.8", "it"), ("de-DE,de;q=0.9", "en"), ("fr;q=0.9,en;q=0.5", "en"),
])
def test_without_a_choice_the_browser_language_is_used(client, accept, lang):
    headers = {"Accept-Language": accept} if accept else {}
    assert f'<html lang="{lang}">' in client.get("/login", headers=headers).text


def test_a_users_choice_wins_over_the_browser(client, make, session):
    user = make.user(language="it")
    session.commit()
    login(client, user)
    assert '<html lang="it">' in client.get("/", headers={"Accept-Language": "en"}).text


def test_money_and_dates_are_formatted_for_the_language(app):
    from decimal import Decimal
    import datetime as dt

    from flask import render_template_string
    from flask_babel import refresh

    with app.test_request_context(headers={"Accept-Language": "it"}):
        refresh()  # the locale is cached in g, which pytest-flask's context shares with these
        assert render_template_string("{{ v|money }} {{ d|date }}", v=Decimal("1234.56"),
                                      d=dt.date(2026, 9, 3)) == "€ 1.234,56 03/09/2026"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert render_template_string("{{ v|money }} {{ d|date }}", v=Decimal("1234.56"),
                                      d=dt.date(2026, 9, 3)) == "€1,234.56 2026-09-03"


def test_the_sign_in_page_switches_the_language_for_this_browser(client):
    page = client.get("/login")
    switched = client.post("/language?next=/login", data={"csrf_token": csrf_token(page.text), "language": "it"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/login"
    assert '<html lang="it">' in client.get("/login", headers={"Accept-Language": "en"}).text


def test_a_signed_in_user_chooses_the_language_on_the_account_page(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    page = client.get("/account")
    assert 'value="it"' in page.text
    client.post("/language?next=/account", data={"csrf_token": csrf_token(page.text), "language": "it"})
    session.refresh(user)
    assert user.language == "it"
    assert '<html lang="it">' in client.get("/account").text


def test_an_unknown_language_changes_nothing(client):
    page = client.get("/login")
    client.post("/language", data={"csrf_token": csrf_token(page.text), "language": "xx"})
    assert '<html lang="en">' in client.get("/login").text


def test_a_lazy_message_is_escaped_like_any_text(app):
    """flask_babel's lazy strings call themselves safe HTML; ours (`_l`) are text: a name inside
    one is escaped wherever a template prints it (a label, a validator's message, a join)."""
    from markupsafe import escape

    from hwaas.i18n import lazy_gettext as _l

    with app.test_request_context(headers={"Accept-Language": "it"}):
        message = _l("Quantity of %(name)s", name="<b>Phone</b>")
        assert str(escape(message)) == "Quantità di &lt;b&gt;Phone&lt;/b&gt;"
        rendered = app.jinja_env.from_string("{{ m }} {{ [m]|join(' ') }}").render(m=message)
        assert rendered == "Quantità di &lt;b&gt;Phone&lt;/b&gt; Quantità di &lt;b&gt;Phone&lt;/b&gt;"
