"""The language of a page: the user's choice, else the browser's, else English (DESIGN §3.9)."""
import pytest

from tests.helpers import login


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
