"""Devices through the web client: the PBX's page, Replace, Cancel (page and dialog), Withdraw,
Order CLASSOUND; each refused choice is a message on the form with 422, never a 500."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from hwaas import models as m
from tests.helpers import csrf_token, login, post_form
from tests.ordering import TODAY, acme, rent

HX = {"HX-Request": "true"}
D = Decimal


@pytest.fixture
def world(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make)
    world.area_manager = make.staff(role="area_manager", email="anna@vendor.example")
    world.partner.area_manager_id = world.area_manager.id
    world.service, world.phones = rent(session, world.monthly, world.phone, 3, dt.date(2026, 9, 10), D("3.05"))
    _, world.dects = rent(session, world.monthly, world.dect, 1, dt.date(2026, 9, 10), D("20.00"))
    world.classound = make.product(name="CLASSOUND", sku="CLS-1", category="classound", stock=0, opex={
        "monthly": D("10.00"), "yearly": D("100.00"), "five_years": D("450.00")})
    session.commit()
    return world


@pytest.fixture
def signed_in(client, world):
    login(client, world.user)
    return client


def pbx_url(world):
    return f"/devices/pbxs/{world.monthly.id}"


def test_the_pbx_page_lists_services_with_expiry_and_mrr_and_devices_with_status(signed_in, world):
    page = signed_in.get(pbx_url(world))
    assert page.status_code == 200
    assert "acme-month.example" in page.text and "2026-11-30" in page.text
    assert "€9.15" in page.text and "Rented (HWaaS)" in page.text and world.phones[0].serial in page.text


def test_the_cancel_confirmation_shows_fee_and_mrr_as_a_page_and_as_a_dialog(signed_in, world):
    query = "&".join(f"devices={d.id}" for d in world.phones[:2])
    page = signed_in.get(f"{pbx_url(world)}/cancel?{query}")
    assert page.status_code == 200 and "<html" in page.text
    assert "2 × 4 months × €3.05 = €24.40" in page.text and "€29.15 → €23.05" in page.text
    dialog = signed_in.get(f"{pbx_url(world)}/cancel?{query}", headers=HX)
    assert dialog.status_code == 200 and "<html" not in dialog.text and "<dialog" in dialog.text


def test_confirming_then_withdrawing_a_cancellation(signed_in, world, session):
    query = "&".join(f"devices={d.id}" for d in world.phones[:2])
    url = f"{pbx_url(world)}/cancel"
    confirm = post_form(signed_in, url, {"devices": [str(d.id) for d in world.phones[:2]]},
                        page_url=f"{url}?{query}")
    assert confirm.status_code == 303
    page = signed_in.get(pbx_url(world)).text
    assert "Cancellation pending (ends on 2026-11-30)" in page
    [cancellation] = session.scalars(select(m.DeviceCancellation)).all()
    withdraw = post_form(signed_in, f"/devices/cancellations/{cancellation.id}/withdraw", {}, page_url=pbx_url(world))
    assert withdraw.status_code == 303
    session.expire_all()
    assert session.get(m.DeviceCancellation, cancellation.id).status == "withdrawn"


def test_a_refused_cancel_choice_is_a_422_with_the_reason(signed_in, world):
    page = signed_in.get(f"{pbx_url(world)}/cancel?devices={world.phones[0].id}&devices={world.dects[0].id}")
    assert page.status_code == 422 and "devices of one service" in page.text


def test_replacing_two_devices(signed_in, world, session):
    url = f"{pbx_url(world)}/replace"
    form = signed_in.get(f"{url}?devices={world.phones[0].id}&devices={world.phones[1].id}")
    assert form.status_code == 200
    done = signed_in.post(url, data={"csrf_token": csrf_token(form.text), "reason": "faulty",
                                     "devices": [str(world.phones[0].id), str(world.phones[1].id)],
                                     "address": str(world.address.id)})
    assert done.status_code == 303, done.text
    assert "Replacement requested" in signed_in.get(pbx_url(world)).text


def test_replacing_six_devices_is_refused_on_the_form(signed_in, make, session, world):
    _, more = rent(session, world.monthly, world.phone, 4, dt.date(2026, 9, 10), D("3.05"))
    session.commit()
    url = f"{pbx_url(world)}/replace"
    chosen = [str(d.id) for d in (world.phones + more)[:6]]
    form = signed_in.get(url)
    refused = signed_in.post(url, data={"csrf_token": csrf_token(form.text), "reason": "faulty", "devices": chosen,
                                        "address": str(world.address.id)})
    assert refused.status_code == 422 and "at most 5 devices" in refused.text


def test_ordering_classound_puts_it_in_the_cart(signed_in, world):
    url = f"/customers/{world.customer.id}/classound".join(["/devices", ""])
    page = signed_in.get(url)
    assert page.status_code == 200 and "acme-life.example" in page.text and "not a subscription" in page.text
    done = signed_in.post(url, data={"csrf_token": csrf_token(page.text), "pbx_id": str(world.yearly.id)})
    assert done.status_code == 303 and "/cart/" in done.headers["Location"]


def test_the_area_manager_follows_a_replacement_to_completed_in_the_workspace(app, signed_in, world, session):
    url = f"{pbx_url(world)}/replace"
    form = signed_in.get(url)
    signed_in.post(url, data={"csrf_token": csrf_token(form.text), "reason": "damaged", "note": "Dropped",
                              "devices": [str(world.phones[0].id), str(world.phones[1].id)],
                              "address": str(world.address.id)})
    [request] = session.scalars(select(m.ReplacementRequest)).all()
    manager = app.test_client()
    login(manager, world.area_manager)
    assert request.number in manager.get("/manager/replacements").text
    page_url = f"/manager/replacements/{request.id}"
    assert post_form(manager, f"{page_url}/approve", {}, page_url=page_url).status_code == 303
    bad = post_form(manager, f"{page_url}/ship", {"rship-shipment_date": TODAY.isoformat(),
                                                  "rship-serials": "NEW-1 02:00:00:00:09:01"}, page_url=page_url)
    assert bad.status_code == 422 and "enter 2 serial numbers" in bad.text, re.findall(r"field__error.{0,300}|There is a problem.{0,500}", bad.text, re.S)
    shipped = post_form(manager, f"{page_url}/ship", {
        "rship-shipment_date": TODAY.isoformat(),
        "rship-serials": "NEW-1 02:00:00:00:09:01\nNEW-2 02:00:00:00:09:02"}, page_url=page_url)
    assert shipped.status_code == 303
    assert post_form(manager, f"{page_url}/complete", {}, page_url=page_url).status_code == 303
    assert "Completed" in manager.get(page_url).text
    partner_page = signed_in.get(pbx_url(world)).text
    assert "NEW-1" in partner_page and "Returned" in partner_page and "Completed" in partner_page


def test_the_pbx_page_shows_its_next_renewal_service_by_service(app, make, session):
    import datetime as dt
    from decimal import Decimal

    from hwaas.models import PbxService
    from tests.helpers import login

    partner = make.partner()
    user = make.user(partner=partner)
    customer = make.customer(partner)
    pbx = make.pbx(customer, term="yearly", activated_on=dt.date(2026, 8, 25))
    phone = make.product(name="Yealink T54W", sku="YEA-T54W-R")
    session.add(PbxService(pbx_id=pbx.id, term="yearly", kind="hwaas", product_id=phone.id, quantity=2,
                           unit_price=Decimal("100.00"), started_on=dt.date(2026, 9, 1), status="active"))
    session.commit()
    client = app.test_client()
    login(client, user)
    page = client.get(f"/devices/pbxs/{pbx.id}").text
    assert 'id="next-renewal">Next renewal: 2027-08-25' in page
    assert "Yealink T54W" in page and "Renews until" in page


def test_the_pbx_page_and_a_refused_cancel_choice_speak_italian_to_an_italian_partner(signed_in, world, session):
    world.user.language = "it"
    session.commit()
    page = signed_in.get(pbx_url(world)).text
    assert '<html lang="it">' in page
    assert '<h2 id="devices-title">Dispositivi</h2>' in page and "A noleggio (HWaaS)" in page
    assert "€ 9,15" in page and "30/11/2026" in page  # money and dates as Italian writes them
    assert "Disdici…" in page and "Sostituisci…" in page
    query = "&".join(f"devices={d.id}" for d in world.phones[:2])
    confirm = signed_in.get(f"{pbx_url(world)}/cancel?{query}").text
    assert "Disdici 2 dispositivi di acme-month.example" in confirm
    assert "2 × 4 mesi × € 3,05 = € 24,40" in confirm and "Conferma la disdetta" in confirm
    refused = signed_in.get(f"{pbx_url(world)}/cancel?devices={world.phones[0].id}&devices={world.dects[0].id}")
    assert refused.status_code == 422
    assert "Scegli i dispositivi di un servizio alla volta" in refused.text


def test_a_pending_cancellation_reads_in_italian_with_its_italian_date(signed_in, world, session):
    world.user.language = "it"
    session.commit()
    url = f"{pbx_url(world)}/cancel"
    post_form(signed_in, url, {"devices": [str(world.phones[0].id)]}, page_url=f"{url}?devices={world.phones[0].id}")
    page = signed_in.get(pbx_url(world)).text
    assert "Disdetta in corso (termina il 30/11/2026)" in page and "In corso" in page
