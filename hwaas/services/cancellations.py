"""Cancelling rented devices (DESIGN §3.8): effective on the PBX's next expiration date, with
the six-month minimum fee, withdrawable until then; `end_effective` ends what has come due."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hwaas.models import Device, DeviceCancellation, Partner, Pbx, PbxService, User
from hwaas.messages import N_
from hwaas.services import device_mails, devices as device_rules, documents, overdue, pricing
from hwaas.services.documents import DEFAULT_LANG, format_money
from hwaas.services.errors import InvalidTransition, NotFound, ValidationFailed
from hwaas.services.tenancy import PartnerScope


# --- asking for it: preview, confirm, withdraw ---------------------------------------------------


@dataclass(frozen=True)
class CancellationPreview:
    """What the confirmation step shows before anything changes (DESIGN §3.8)."""

    pbx: Pbx
    service: PbxService
    devices: list[Device]
    effective_on: dt.date  # the PBX's next expiration date
    fee: pricing.FeeComputation
    mrr_before: Decimal  # the PBX's MRR today
    mrr_after: Decimal  # … less what these devices bring

    @property
    def device_ids(self) -> list[int]:
        return [d.id for d in self.devices]


def fee_text(fee: pricing.FeeComputation, currency: str = "EUR", lang: str = DEFAULT_LANG) -> str:
    """'2 × 4 months × €3.05 = €24.40', or why there is no fee; in `lang`."""
    _, ngettext = documents.gettext(lang), documents.ngettext(lang)  # the names the catalogue's extraction reads
    if fee.months_due == 0:
        return _("none: %(months)s whole months will have run by the effective date, "
                 "at least %(minimum)s are charged (%(amount)s)") % {
            "months": fee.run_months, "minimum": pricing.MINIMUM_RENTAL_MONTHS,
            "amount": format_money(fee.amount, currency, lang)}
    return ngettext("%(devices)s × %(num)s month × %(price)s = %(amount)s",
                    "%(devices)s × %(num)s months × %(price)s = %(amount)s", fee.months_due) % {
        "devices": fee.devices, "num": fee.months_due, "price": format_money(fee.monthly_price, currency, lang),
        "amount": format_money(fee.amount, currency, lang)}


def preview(scope: PartnerScope, pbx_id: int, device_ids, today: dt.date) -> CancellationPreview:
    """Check the choice (rented devices of one service, on this PBX, in no open request) and
    compute what cancelling them means, changing nothing."""
    pbx = device_rules.get_pbx(scope, pbx_id)
    if not pbx.is_subscription:
        raise ValidationFailed(N_("This PBX has a Lifetime licence: it has no rented devices to cancel."),
                               field="devices")
    chosen = device_rules.chosen_devices(scope, pbx, device_ids, "cancel")
    service_ids = {d.service_id for d in chosen}
    if len(service_ids) != 1:
        raise ValidationFailed(N_("Choose devices of one service at a time: each service is cancelled on "
                                  "its own, with its own fee."), field="devices")
    session = scope.session
    service = session.get(PbxService, service_ids.pop())
    if service.status != "active":
        raise ValidationFailed(N_("This service is not active: there is nothing to cancel."), field="devices")
    effective_on = pricing.expiration_date(pbx.activated_on, pbx.term, max(today, pbx.activated_on))
    fee = pricing.cancellation_fee(service.unit_price, service.term, service.started_on,
                                   max(effective_on, service.started_on), len(chosen))
    mrr_before = sum((pricing.monthly_recurring(s.unit_price, s.quantity, s.term) for s in session.scalars(
        select(PbxService).where(PbxService.pbx_id == pbx.id, PbxService.status == "active"))), pricing.ZERO)
    left = max(0, service.quantity - len(chosen))
    drop = (pricing.monthly_recurring(service.unit_price, service.quantity, service.term)
            - pricing.monthly_recurring(service.unit_price, left, service.term))
    return CancellationPreview(pbx=pbx, service=service, devices=chosen, effective_on=effective_on, fee=fee,
                               mrr_before=mrr_before, mrr_after=mrr_before - drop)


def confirm(scope: PartnerScope, user: User, pbx_id: int, device_ids, today: dt.date, now: dt.datetime,
            standing: overdue.Standing, url: str | None = None, currency: str = "EUR") -> DeviceCancellation:
    """Record the cancellation with its fee, and mail the area manager and the partner.

    The devices are claimed by one guarded UPDATE (only those still in no cancellation), so two
    confirmations of the same devices, in two tabs or at once, make one cancellation."""
    overdue.check_writable(standing)
    chosen = preview(scope, pbx_id, device_ids, today)
    session = scope.session
    cancellation = DeviceCancellation(
        partner_id=scope.partner_id, pbx_id=chosen.pbx.id, service_id=chosen.service.id,
        effective_on=chosen.effective_on, quantity=len(chosen.devices), fee=chosen.fee.amount,
        status="pending", requested_by_id=user.id, requested_at=now)
    session.add(cancellation)
    session.flush()
    claimed = session.execute(
        update(Device).where(Device.id.in_(chosen.device_ids), Device.cancellation_id.is_(None),
                             Device.status == "active")
        .values(cancellation_id=cancellation.id).execution_options(synchronize_session=False)).rowcount
    if claimed != len(chosen.devices):
        raise ValidationFailed(N_("Some of these devices were cancelled meanwhile; check the PBX's page."),
                               field="devices")
    for device in chosen.devices:
        session.expire(device, ["cancellation_id"])
    session.refresh(cancellation, ["devices"])
    partner = session.get(Partner, scope.partner_id)
    device_mails.cancellation_requested(session, cancellation, partner, user,
                                        lambda lang: fee_text(chosen.fee, currency, lang), url, now)
    return cancellation


NOT_WITHDRAWABLE = {
    "withdrawn": N_("This cancellation is withdrawn and cannot be withdrawn."),
    "effective": N_("This cancellation is effective and cannot be withdrawn."),
}


def get(scope: PartnerScope, cancellation_id: int) -> DeviceCancellation:
    return scope.get(DeviceCancellation, cancellation_id)


def withdraw(scope: PartnerScope, user: User, cancellation_id: int, today: dt.date, now: dt.datetime,
             standing: overdue.Standing, url: str | None = None) -> DeviceCancellation:
    """Withdraw a pending cancellation before its effective date: the devices stay and renew."""
    overdue.check_writable(standing)
    session = scope.session
    cancellation = get(scope, cancellation_id)
    if cancellation.status != "pending":
        raise InvalidTransition(NOT_WITHDRAWABLE[cancellation.status], field="cancellation")
    if today >= cancellation.effective_on:
        raise InvalidTransition(N_("This cancellation took effect on %(date)s and can no longer be withdrawn."),
                                field="cancellation", date=cancellation.effective_on)
    withdrawn = session.execute(
        update(DeviceCancellation).where(DeviceCancellation.id == cancellation.id,
                                         DeviceCancellation.status == "pending")
        .values(status="withdrawn", withdrawn_at=now).execution_options(synchronize_session=False)).rowcount
    if withdrawn != 1:
        raise InvalidTransition(N_("This cancellation has changed meanwhile; reload the page."), field="cancellation")
    session.refresh(cancellation, ["devices"])
    devices = list(cancellation.devices)
    session.execute(update(Device).where(Device.cancellation_id == cancellation.id)
                    .values(cancellation_id=None).execution_options(synchronize_session=False))
    session.expire(cancellation)
    for device in devices:
        session.expire(device, ["cancellation_id"])
    partner = session.get(Partner, scope.partner_id)
    device_mails.cancellation_withdrawn(session, cancellation, partner, user, url, now)
    return cancellation


# --- coming into effect (the renewal job, issue 12) -----------------------------------------------


@dataclass(frozen=True)
class EndedCancellation:
    """A cancellation that `end_effective` made effective: what the renewal job charges a fee for."""

    id: int
    partner_id: int
    pbx_id: int
    service_id: int
    effective_on: dt.date
    quantity: int
    fee: Decimal


def end_effective(session: Session, on: dt.date) -> list[EndedCancellation]:
    """End every pending cancellation effective on or before `on`, in a few set-based statements.

    The cancellation becomes 'effective', its devices 'returned', and its service loses the
    cancelled quantity; a service left with nothing becomes 'cancelled' and keeps the quantity it
    had when it ended (quantity > 0 stays a rule of the schema). Idempotent, and safe when two
    hosts run it at once: the first UPDATE only takes rows still pending, so on PostgreSQL the
    second run waits for the first's row locks and then finds nothing left to end.
    """
    ended = [
        EndedCancellation(*row)
        for row in session.execute(
            update(DeviceCancellation)
            .where(DeviceCancellation.status == "pending", DeviceCancellation.effective_on <= on)
            .values(status="effective")
            .returning(DeviceCancellation.id, DeviceCancellation.partner_id, DeviceCancellation.pbx_id,
                       DeviceCancellation.service_id, DeviceCancellation.effective_on,
                       DeviceCancellation.quantity, DeviceCancellation.fee)
            .execution_options(synchronize_session=False)
        )
    ]
    if not ended:
        return []
    ids = sorted(c.id for c in ended)
    session.execute(
        update(Device).where(Device.cancellation_id.in_(ids)).values(status="returned")
        .execution_options(synchronize_session=False)
    )
    # What this run ends of each service, as a correlated subquery over the rows just ended.
    ending = (select(func.coalesce(func.sum(DeviceCancellation.quantity), 0))
              .where(DeviceCancellation.id.in_(ids), DeviceCancellation.service_id == PbxService.id)
              .scalar_subquery())
    service_ids = sorted({c.service_id for c in ended})
    # Order matters: a service with nothing left is cancelled first, then the others shrink.
    session.execute(
        update(PbxService).where(PbxService.id.in_(service_ids), PbxService.quantity <= ending)
        .values(status="cancelled").execution_options(synchronize_session=False)
    )
    session.execute(
        update(PbxService).where(PbxService.id.in_(service_ids), PbxService.status != "cancelled",
                                 PbxService.quantity > ending)
        .values(quantity=PbxService.quantity - ending).execution_options(synchronize_session=False)
    )
    _expire_loaded(session, ids, service_ids)
    return sorted(ended, key=lambda c: c.id)


def _expire_loaded(session: Session, cancellation_ids: list[int], service_ids: list[int]) -> None:
    """Objects already loaded in this session are refreshed on next access, not left stale."""
    for obj in list(session.identity_map.values()):
        if ((isinstance(obj, DeviceCancellation) and obj.id in cancellation_ids)
                or (isinstance(obj, PbxService) and obj.id in service_ids)
                or (isinstance(obj, Device) and obj.cancellation_id in cancellation_ids)):
            session.expire(obj)
