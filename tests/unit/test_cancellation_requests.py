"""Cancelling devices (DESIGN §3.8): devices of one service, effective on the PBX's next
expiration date, the six-month fee and the MRR drop shown before confirming, withdrawable until
the effective date; and the PBX's page showing each device's status. Without Flask."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import cancellations, devices
from hwaas.services.errors import InvalidTransition, NotFound, ReadOnlyAccount, ValidationFailed
from hwaas.services.tenancy import PartnerScope
from tests.ordering import GOOD, READ_ONLY, TODAY, acme, rent

D = Decimal
EFFECTIVE = dt.date(2026, 11, 30)  # the monthly PBX (activated Jan 31) expires on Nov 30


@pytest.fixture
def world(make, session):
    world = acme(make)
    world.area_manager = make.staff(role="area_manager", email="anna@vendor.example")
    world.partner.area_manager_id = world.area_manager.id
    world.service, world.phones = rent(session, world.monthly, world.phone, 3, dt.date(2026, 9, 10), D("3.05"))
    world.dect_service, world.dects = rent(session, world.monthly, world.dect, 1, dt.date(2026, 3, 10), D("20.00"))
    _, world.owned = rent(session, world.monthly, world.phone, 1, None, ownership="owned")
    session.flush()
    return world


@pytest.fixture
def scope(session, world):
    return PartnerScope(session, world.partner.id)


def ids(devices_):
    return [d.id for d in devices_]


def confirm(scope, world, chosen, today=TODAY, standing=GOOD):
    return cancellations.confirm(scope, world.user, world.monthly.id, ids(chosen), today, utcnow(), standing)


def test_the_confirmation_shows_the_effective_date_the_devices_the_fee_and_the_mrr_drop(scope, world):
    preview = cancellations.preview(scope, world.monthly.id, ids(world.phones[:2]), TODAY)
    assert preview.effective_on == EFFECTIVE
    assert preview.device_ids == ids(world.phones[:2])
    assert (preview.fee.run_months, preview.fee.months_due, preview.fee.amount) == (2, 4, D("24.40"))
    assert cancellations.fee_text(preview.fee) == "2 × 4 months × €3.05 = €24.40"
    assert (preview.mrr_before, preview.mrr_after) == (D("29.15"), D("23.05"))  # 9.15 + 20.00 → 3.05 + 20.00


def test_previewing_changes_nothing(session, scope, world):
    cancellations.preview(scope, world.monthly.id, ids(world.phones[:2]), TODAY)
    assert session.scalars(select(m.DeviceCancellation)).all() == []


def test_a_device_run_six_months_costs_no_fee_and_says_why(scope, world):
    preview = cancellations.preview(scope, world.monthly.id, ids(world.dects), TODAY)
    assert preview.fee.amount == D("0.00")
    assert cancellations.fee_text(preview.fee).startswith("none: 8 whole months")


def test_confirming_records_a_pending_cancellation_and_mails_the_area_manager(session, scope, world):
    cancellation = confirm(scope, world, world.phones[:2])
    assert (cancellation.status, cancellation.quantity, cancellation.fee, cancellation.effective_on) == (
        "pending", 2, D("24.40"), EFFECTIVE)
    assert [d.id for d in cancellation.devices] == ids(world.phones[:2])
    [mail] = session.scalars(select(m.OutboxMail).where(m.OutboxMail.to == "anna@vendor.example")).all()
    assert "2 × 4 months × €3.05 = €24.40" in mail.body and "Effective on: 2026-11-30" in mail.body


def test_devices_of_two_services_are_refused(scope, world):
    with pytest.raises(ValidationFailed, match="devices of one service"):
        cancellations.preview(scope, world.monthly.id, ids([world.phones[0], world.dects[0]]), TODAY)


def test_an_owned_device_is_refused(scope, world):
    with pytest.raises(ValidationFailed, match="owned by the customer"):
        cancellations.preview(scope, world.monthly.id, ids(world.owned), TODAY)


def test_no_device_chosen_is_refused_on_the_devices_field(scope, world):
    with pytest.raises(ValidationFailed) as error:
        cancellations.preview(scope, world.monthly.id, [], TODAY)
    assert error.value.field == "devices"


def test_a_device_already_cancelled_cannot_be_cancelled_twice(scope, world):
    confirm(scope, world, world.phones[:1])
    with pytest.raises(ValidationFailed, match="already in an open request"):
        confirm(scope, world, world.phones[:2])


def test_another_partners_pbx_or_device_is_not_found(make, session, scope, world):
    their_pbx = make.pbx(term="monthly", activated_on=dt.date(2026, 1, 31))
    _, theirs = rent(session, their_pbx, world.phone, 1, dt.date(2026, 9, 10))
    with pytest.raises(NotFound):
        cancellations.preview(scope, their_pbx.id, ids(theirs), TODAY)
    with pytest.raises(NotFound):
        cancellations.preview(scope, world.monthly.id, ids(theirs), TODAY)
    with pytest.raises(NotFound):
        cancellations.preview(scope, world.monthly.id, ["x"], TODAY)


def test_a_read_only_partner_cannot_cancel(scope, world):
    with pytest.raises(ReadOnlyAccount):
        confirm(scope, world, world.phones[:1], standing=READ_ONLY)


def test_withdrawing_before_the_effective_date_keeps_the_devices(session, scope, world):
    cancellation = confirm(scope, world, world.phones[:2])
    cancellations.withdraw(scope, world.user, cancellation.id, EFFECTIVE - dt.timedelta(days=1), utcnow(), GOOD)
    session.expire_all()
    assert session.get(m.DeviceCancellation, cancellation.id).status == "withdrawn"
    assert all(session.get(m.Device, d.id).cancellation_id is None for d in world.phones[:2])
    assert cancellations.end_effective(session, EFFECTIVE) == []
    assert confirm(scope, world, world.phones[:2]).status == "pending"  # may be cancelled again


def test_withdrawing_on_the_effective_date_or_twice_is_refused(session, scope, world):
    cancellation = confirm(scope, world, world.phones[:1])
    with pytest.raises(InvalidTransition, match="can no longer be withdrawn"):
        cancellations.withdraw(scope, world.user, cancellation.id, EFFECTIVE, utcnow(), GOOD)
    cancellations.withdraw(scope, world.user, cancellation.id, TODAY, utcnow(), GOOD)
    with pytest.raises(InvalidTransition, match="withdrawn and cannot"):
        cancellations.withdraw(scope, world.user, cancellation.id, TODAY, utcnow(), GOOD)


def test_another_partners_cancellation_is_not_found(make, session, world):
    cancellation = confirm(PartnerScope(session, world.partner.id), world, world.phones[:1])
    stranger = PartnerScope(session, make.partner().id)
    with pytest.raises(NotFound):
        cancellations.withdraw(stranger, world.user, cancellation.id, TODAY, utcnow(), GOOD)


def test_the_pbx_page_shows_each_device_status_and_the_services_mrr_and_expiry(session, scope, world):
    from hwaas.services import replacements

    confirm(scope, world, world.phones[:1])
    replacements.request_replacement(scope, world.user, world.monthly.id, ids(world.phones[1:2]), "faulty", "",
                                     standing=GOOD, now=utcnow(), address_id=world.address.id)
    world.phones[2].status = "returned"
    session.flush()
    page = devices.pbx_page(scope, world.monthly.id, TODAY)
    assert page.expires == EFFECTIVE
    assert [(row.device.id, row.status_label) for row in page.devices] == [
        (world.phones[0].id, "Cancellation pending (ends on 2026-11-30)"),
        (world.phones[1].id, "Replacement requested"),
        (world.phones[2].id, "Returned"),
        (world.dects[0].id, "Active"),
        (world.owned[0].id, "Active"),
    ]
    assert [row.device.id for row in page.selectable] == [world.dects[0].id]
    assert [(row.kind_label, row.mrr, row.expires) for row in page.services] == [
        ("HWaaS", D("9.15"), EFFECTIVE), ("HWaaS", D("20.00"), EFFECTIVE)]
    assert page.mrr == D("29.15")


def test_a_lifetime_pbx_has_no_expiry(scope, world):
    assert devices.pbx_page(scope, world.lifetime.id, TODAY).expires is None


def test_each_recipient_reads_the_cancellation_mail_in_their_language(session, scope, world):
    world.user.language = "it"
    session.flush()
    confirm(scope, world, world.phones[:2])
    [english] = session.scalars(select(m.OutboxMail).where(m.OutboxMail.to == "anna@vendor.example")).all()
    [italian] = session.scalars(select(m.OutboxMail).where(m.OutboxMail.to == world.user.email)).all()
    assert english.subject.startswith("Cancellation of 2 device(s)") and "Effective on: 2026-11-30" in english.body
    assert italian.subject.startswith("Disdetta di 2 dispositivo/i") and "Efficace dal: 30/11/2026" in italian.body
    assert "2 × 4 mesi × € 3,05 = € 24,40" in italian.body and "Dispositivi da restituire:" in italian.body
