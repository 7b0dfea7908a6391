"""Replacement requests (DESIGN §3.8): up to 5 rented devices of one model on one PBX, a reason
and a delivery address; Requested → Approved / Rejected → Shipped (new serials) → Completed;
mailed both ways; no charge. Without Flask."""
import datetime as dt

import pytest
from sqlalchemy import select

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import cancellations, manager, replacements
from hwaas.services.checkout import NewAddress
from hwaas.services.errors import (
    InvalidTransition, NotFound, OrderingBlocked, ValidationFailed,
)
from hwaas.services.tenancy import PartnerScope
from tests.ordering import BLOCKED, GOOD, TODAY, acme, rent

STARTED = dt.date(2026, 9, 1)
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone.utc)  # on TODAY


@pytest.fixture
def world(make, session):
    world = acme(make)
    world.area_manager = make.staff(role="area_manager", email="anna@vendor.example", name="Anna")
    world.partner.area_manager_id = world.area_manager.id
    world.phones_service, world.phones = rent(session, world.yearly, world.phone, 7, STARTED)
    world.dect_service, world.dects = rent(session, world.yearly, world.dect, 1, STARTED)
    _, world.owned = rent(session, world.yearly, world.phone, 1, STARTED, ownership="owned")
    session.flush()
    return world


@pytest.fixture
def scope(session, world):
    return PartnerScope(session, world.partner.id)


@pytest.fixture
def mscope(session, world):
    return manager.ManagerScope(session, world.area_manager)


def ask(scope, world, devices, reason="faulty", note="", standing=GOOD, pbx=None, **kw):
    kw.setdefault("address_id", world.address.id)
    return replacements.request_replacement(
        scope, world.user, (pbx or world.yearly).id, [d.id for d in devices], reason, note,
        standing=standing, now=NOW, **kw)


def mails(session, to):
    return session.scalars(select(m.OutboxMail).where(m.OutboxMail.to == to).order_by(m.OutboxMail.id)).all()


def test_a_request_is_recorded_with_its_devices_reason_and_address_and_mailed_to_the_area_manager(
        session, scope, world):
    request = ask(scope, world, world.phones[:2], "damaged", "Dropped in transit")
    assert request.status == "requested" and request.reason_label == "Damaged"
    assert [i.device_id for i in request.items] == [d.id for d in world.phones[:2]]
    assert request.delivery_city == "Milano"
    assert [(h.from_status, h.to_status) for h in request.history] == [(None, "requested")]
    [mail] = mails(session, "anna@vendor.example")
    assert mail.subject == f"Replacement request {request.number}: Acme Srl (Demo Partner)"
    assert "Damaged — Dropped in transit" in mail.body and world.phones[0].serial in mail.body


def test_a_new_delivery_address_joins_the_address_book(session, scope, world):
    request = ask(scope, world, world.phones[:1], address_id=None,
                  new_address=NewAddress("Acme IT", "Via Po 2", "10100", "Torino", "it"))
    assert request.delivery_address == "Acme IT, Via Po 2, 10100 Torino, IT"


def test_more_than_five_devices_are_refused(scope, world):
    with pytest.raises(ValidationFailed, match="at most 5 devices .*6 chosen"):
        ask(scope, world, world.phones[:6])


def test_two_models_in_one_request_are_refused(scope, world):
    with pytest.raises(ValidationFailed, match="devices of one model"):
        ask(scope, world, [world.phones[0], world.dects[0]])


def test_an_owned_device_is_refused(scope, world):
    with pytest.raises(ValidationFailed, match="owned by the customer"):
        ask(scope, world, world.owned)


def test_a_device_with_an_open_replacement_request_is_refused(scope, world):
    ask(scope, world, world.phones[:1])
    with pytest.raises(ValidationFailed, match="already in an open request"):
        ask(scope, world, world.phones[:2])


def test_a_device_with_a_pending_cancellation_is_refused_and_vice_versa(scope, world):
    cancellations.confirm(scope, world.user, world.yearly.id, [world.phones[0].id], TODAY, utcnow(), GOOD)
    with pytest.raises(ValidationFailed, match="Cancellation pending"):
        ask(scope, world, world.phones[:1])
    ask(scope, world, world.phones[1:2])
    with pytest.raises(ValidationFailed, match="already in an open request"):
        cancellations.preview(scope, world.yearly.id, [world.phones[1].id], TODAY)


def test_a_partner_blocked_by_the_overdue_ladder_is_refused(scope, world):
    with pytest.raises(OrderingBlocked):
        ask(scope, world, world.phones[:1], standing=BLOCKED)


def test_other_needs_a_note(scope, world):
    with pytest.raises(ValidationFailed, match="Say what is wrong") as error:
        ask(scope, world, world.phones[:1], "other", "  ")
    assert error.value.field == "note"


def test_another_partners_device_or_pbx_is_not_found(make, session, scope, world):
    their_pbx = make.pbx(term="yearly", activated_on=dt.date(2026, 8, 25))
    _, theirs = rent(session, their_pbx, world.phone, 1, STARTED)
    with pytest.raises(NotFound):
        ask(scope, world, theirs)  # their device on our PBX's form
    with pytest.raises(NotFound):
        ask(scope, world, theirs, pbx=their_pbx)  # their PBX
    with pytest.raises(NotFound):
        ask(scope, world, world.phones[:1], pbx=world.monthly)  # our device, another of our PBXs


def test_the_area_manager_follows_it_to_completed_and_the_new_devices_take_over_the_service(
        session, scope, mscope, world):
    request = ask(scope, world, world.phones[:2])
    detail = replacements.manager_detail(mscope, request.id)
    assert detail.actions == [("approve", "Approve"), ("reject", "Reject")] and detail.has_mac
    replacements.change_status(mscope, request.id, "approve", today=TODAY)
    units = "NEW-0001 02:00:00:00:01:01\nNEW-0002 02:00:00:00:01:02"
    replacements.change_status(mscope, request.id, "ship", "DHL 42", today=TODAY, shipment_date=TODAY, units=units)
    session.expire_all()
    request = replacements.partner_request(scope, request.id)
    assert request.status == "shipped" and request.shipment_date == TODAY
    new = [item.new_device for item in request.items]
    assert [(d.serial, d.mac, d.service_id, d.ownership, d.status) for d in new] == [
        ("NEW-0001", "02:00:00:00:01:01", world.phones_service.id, "rented", "active"),
        ("NEW-0002", "02:00:00:00:01:02", world.phones_service.id, "rented", "active")]
    replacements.change_status(mscope, request.id, "complete", today=TODAY)
    session.expire_all()
    request = replacements.partner_request(scope, request.id)
    assert request.status == "completed"
    assert [i.device.status for i in request.items] == ["returned", "returned"]
    assert [(h.from_status, h.to_status) for h in request.history] == [
        (None, "requested"), ("requested", "approved"), ("approved", "shipped"), ("shipped", "completed")]
    service = session.get(m.PbxService, world.phones_service.id)
    assert (service.quantity, service.unit_price, service.status) == (7, world.phones_service.unit_price, "active")
    subjects = [mail.subject for mail in mails(session, world.user.email)]
    assert subjects == [f"Replacement request {request.number} {s}: Acme Srl"
                        for s in ("approved", "shipped", "completed")]
    # closed: the replaced devices are in no open request any more
    assert not any(item.open for item in request.items)


def test_rejecting_needs_a_reason_frees_the_devices_and_tells_the_partner(session, scope, mscope, world):
    request = ask(scope, world, world.phones[:1])
    with pytest.raises(ValidationFailed, match="reason for rejecting"):
        replacements.change_status(mscope, request.id, "reject", today=TODAY)
    replacements.change_status(mscope, request.id, "reject", "Not covered: water damage", today=TODAY)
    [mail] = mails(session, world.user.email)
    assert "rejected" in mail.subject and "water damage" in mail.body
    assert ask(scope, world, world.phones[:1]).status == "requested"


def test_shipping_needs_a_serial_for_every_unit_and_a_date_not_in_the_future(scope, mscope, world):
    request = ask(scope, world, world.phones[:2])
    replacements.change_status(mscope, request.id, "approve", today=TODAY)
    with pytest.raises(ValidationFailed, match="enter 2 serial numbers"):
        replacements.change_status(mscope, request.id, "ship", today=TODAY, shipment_date=TODAY,
                                   units="NEW-0001 02:00:00:00:01:01")
    with pytest.raises(ValidationFailed, match="in the future"):
        replacements.change_status(mscope, request.id, "ship", today=TODAY,
                                   shipment_date=TODAY + dt.timedelta(days=1), units="")
    with pytest.raises(ValidationFailed, match="already recorded"):
        replacements.change_status(mscope, request.id, "ship", today=TODAY, shipment_date=TODAY,
                                   units=f"{world.phones[5].serial} 02:00:00:00:01:01\nNEW-2 02:00:00:00:01:02")


def test_a_move_the_machine_does_not_allow_is_refused(mscope, scope, world):
    request = ask(scope, world, world.phones[:1])
    with pytest.raises(InvalidTransition):
        replacements.change_status(mscope, request.id, "complete", today=TODAY)


def test_another_area_managers_request_is_not_found(make, session, scope, world):
    request = ask(scope, world, world.phones[:1])
    stranger = manager.ManagerScope(session, make.staff(role="area_manager"))
    with pytest.raises(NotFound):
        replacements.manager_detail(stranger, request.id)
    assert replacements.manager_list(stranger, "all") == []
