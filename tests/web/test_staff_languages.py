"""Staff pages, sign-in and account security, refusal pages and form messages speak the reader's
language (DESIGN §3.9); the English stays word for word what it was."""
import datetime as dt
from decimal import Decimal

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from hwaas.services import throttle
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login, post_form

TODAY = dt.date(2026, 9, 10)


@pytest.fixture
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())


def test_the_managers_order_page_speaks_italian_to_an_italian_area_manager(client, make, session):
    manager = make.staff(email="am@example.com", language="it")
    partner = make.partner(name="Demo Partner", area_manager_id=manager.id)
    order = make.order(pbx=make.pbx(customer=make.customer(partner=partner, name="Acme Srl")),
                       placed_by=make.user(partner=partner))
    session.commit()
    login(client, manager)
    page = client.get(f"/manager/orders/{order.id}").text
    assert f"<h1>Ordine {order.number} <span class=\"muted\">· In attesa di approvazione</span></h1>" in page
    assert "Cambia lo stato" in page and "<h3>Approva</h3>" in page and "<h3>Respingi</h3>" in page
    assert "Inserisci il motivo; il partner lo vedrà." not in page  # only once it is left empty
    assert "01/09/2026 da " in page  # ordered on, by
    assert "Nota per il partner (facoltativa)" in page
    listing = client.get("/manager/orders").text
    assert "Ordini: In attesa di approvazione (1)" in listing and "€ " in listing

    refused = post_form(client, f"/manager/orders/{order.id}/reject", {"reject-note": ""},
                        page_url=f"/manager/orders/{order.id}")
    assert refused.status_code == 422 and "Inserisci il motivo; il partner lo vedrà." in refused.text
    assert "C&#39;è un problema" in refused.text or "C'è un problema" in refused.text


def test_an_admin_page_speaks_italian_to_an_italian_administrator(client, make, session, today):
    admin = make.staff(role="admin", email="admin@example.com", language="it")
    make.tier(name="Gold", discount_percent=Decimal("15"))
    session.commit()
    login(client, admin)
    catalogue = client.get("/admin/catalogue").text
    assert "<h1>Catalogo</h1>" in catalogue and "Aggiungi un prodotto" in catalogue
    assert "Versione del catalogo <strong>" in catalogue
    tiers = client.get("/admin/tiers").text
    assert "Aggiungi la fascia" in tiers and "Sconto sul listino (%)" in tiers
    # A service's refusal (admin_catalogue) in Italian, next to its field.
    clash = post_form(client, "/admin/tiers", {"name": "gold", "discount_percent": "3"})
    assert clash.status_code == 422 and "Esiste già una fascia chiamata gold." in clash.text


def test_a_refused_password_change_speaks_italian(client, make, session):
    user = make.user(language="it")
    session.commit()
    login(client, user)
    weak = post_form(client, "/account", {"current_password": PASSWORD, "new_password": "short-pass",
                                          "confirm": "short-pass"})
    assert weak.status_code == 422 and "Usa almeno 12 caratteri." in weak.text
    wrong = post_form(client, "/account", {"current_password": "not my password",
                                           "new_password": "violet tractor harbour umbrella",
                                           "confirm": "violet tractor harbour umbrella"})
    assert wrong.status_code == 422 and "La tua password attuale non è corretta." in wrong.text


def test_too_many_attempts_is_said_in_italian_and_the_english_keeps_its_plural(client, make, session):
    user = make.user(email="locked@example.com")
    session.commit()
    italian = {"Accept-Language": "it"}
    for _ in range(throttle.MAX_PER_ACCOUNT + 1):
        page = client.get("/login", headers=italian)
        response = client.post("/login", headers=italian, data={
            "email": user.email, "password": "wrong password", "csrf_token": csrf_token(page.text)})
    assert response.status_code == 429
    assert "Troppi tentativi di accesso non riusciti. Attendi 15 minuti e riprova" in response.text

    now = dt.datetime(2026, 9, 10, 12, 0, tzinfo=dt.timezone.utc)
    throttle.record_failure(session, "someone@example.com", "192.0.2.1", now)
    for minutes, wait in ((1, "Wait 1 minute and"), (15, "Wait 15 minutes and")):
        with pytest.raises(throttle.TooManyAttempts) as refused:
            throttle.check(session, "someone@example.com", "192.0.2.1", now,
                           limits=throttle.Limits(window=dt.timedelta(minutes=minutes), per_account=1))
        assert refused.value.message == (f"Too many failed sign-in attempts. {wait} try again, or ask your "
                                         "administrator to reset your password.")


def test_refusal_pages_speak_italian(client, make, session):
    owner = make.user(name="Paola Rossi", email="paola@example.com")
    viewer = make.user(partner=owner.partner, team_role="viewer", language="it")
    session.commit()
    assert "Pagina non trovata" in client.get("/nowhere", headers={"Accept-Language": "it"}).text
    login(client, viewer)
    missing = client.get("/manager/orders")  # a staff page does not exist for a partner
    assert missing.status_code == 404 and "<h1>Pagina non trovata</h1>" in missing.text
    assert "Qui non c&#39;è nulla" in missing.text or "Qui non c'è nulla" in missing.text
    refused = client.get("/team/")
    assert refused.status_code == 403 and "Non consentito per il tuo ruolo" in refused.text
    assert "tu sei Osservatore" in refused.text and "Paola Rossi (paola@example.com)" in refused.text


def test_wtforms_own_messages_speak_the_readers_language(app, client, make, session, today):
    from flask_babel import refresh

    class Named(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("Name", validators=[DataRequired()])

    for language, required in (("it", "Questo campo è obbligatorio."), ("en", "This field is required.")):
        with app.test_request_context("/", method="POST", data={"name": ""},
                                      headers={"Accept-Language": language}):
            refresh()
            form = Named()
            assert not form.validate() and form.name.errors == [required]

    # Through a page: the admin's payment date that is no date, in WTForms' own words.
    admin = make.staff(role="admin", email="admin@example.com", language="it")
    invoice = make.invoice(make.partner(), due_on=dt.date(2026, 8, 1))
    session.commit()
    login(client, admin)
    page = post_form(client, f"/admin/invoices/{invoice.id}/paid", {f"invoice-{invoice.id}-paid_on": "soon"},
                     page_url="/admin/invoices")
    assert page.status_code == 422 and "Non è una data valida" in page.text


def test_the_import_files_problems_speak_italian_to_an_italian_administrator(client, make, session, today):
    import io
    import json

    admin = make.staff(role="admin", email="admin@example.com", language="it")
    session.commit()
    login(client, admin)
    bad = {"version": 1, "invoices": [{"partner": "Nobody", "number": "INV-1", "issued_on": 20260901,
                                       "due_on": "2026-10-01", "amount": 12.5}]}
    page = client.post("/admin/invoices/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client.get("/admin/invoices").text),
        "file": (io.BytesIO(json.dumps(bad).encode()), "bad.json", "application/json")})
    assert page.status_code == 422
    text = page.text.replace("&#34;", '"').replace("&quot;", '"')
    assert "Il file ha 3 problemi; non è stato importato nulla." in text
    assert ('invoices[0] "INV-1": issued_on deve essere una stringa (usa AAAA-MM-GG oppure today, today-90d, '
            'today+5d, today-3m), non un numero 20260901') in text
    assert 'invoices[0] "INV-1": amount 12.5 è un numero JSON: scrivi gli importi come stringa' in text
    assert 'invoices[0] "INV-1": il partner "Nobody" non è né nel file né nel portale' in text
