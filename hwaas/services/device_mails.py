"""The mails of Replace and Cancel, one small function each (subject and body together), sent
through the outbox with the change that causes them, each recipient's in their language
(users.language; English for an address that is no user's or has no choice)."""
import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.models import DeviceCancellation, Partner, ReplacementRequest, User
from hwaas.services import agreements, mail
from hwaas.services.documents import DEFAULT_LANG, format_date, gettext


def _by_language(session: Session, recipients: Iterable[str]) -> dict[str, list[str]]:
    """The recipients grouped by the language each reads."""
    recipients = [r for r in recipients if r]
    chosen = dict(session.execute(
        select(func.lower(User.email), User.language)
        .where(func.lower(User.email).in_([r.strip().lower() for r in recipients]))).all()) if recipients else {}
    grouped: dict[str, list[str]] = {}
    for address in recipients:
        grouped.setdefault(chosen.get(address.strip().lower()) or DEFAULT_LANG, []).append(address)
    return grouped


def _send(session: Session, recipients: Iterable[str], write: Callable[[str], tuple[str, str]],
          now: dt.datetime) -> None:
    """`write(lang)` → (subject, body) in that language, for each language the recipients read."""
    for lang, addresses in _by_language(session, recipients).items():
        subject, body = write(lang)
        mail.enqueue_many(session, addresses, subject, body, now=now)


def _devices(devices, lang: str) -> str:
    _ = gettext(lang)
    return "\n".join(_("- %(product)s, serial %(serial)s") % {"product": d.product.name,
                                                               "serial": d.serial or _("(none)")} for d in devices)


def _link(url: str | None) -> str:
    return f"\n{url}\n" if url else ""


def _to_manager_and_partner(session: Session, partner: Partner, write: Callable[[str], tuple[str, str]],
                            url: str | None, now: dt.datetime) -> None:
    """The area manager is told; the partner gets the same mail with the link to the PBX's page
    (a partner's page: the area manager could not open it)."""
    managers = agreements.reviewers(session, partner)
    _send(session, managers, write, now)
    own = [to for to in mail.partner_recipients(session, partner) if to.lower() not in {m.lower() for m in managers}]

    def with_link(lang: str) -> tuple[str, str]:
        subject, body = write(lang)
        return subject, body + _link(url)

    _send(session, own, with_link, now)


def cancellation_requested(session: Session, cancellation: DeviceCancellation, partner: Partner, by: User,
                           fee_text: Callable[[str], str], url: str | None, now: dt.datetime) -> None:
    """To the area manager and the partner: devices cancelled, when, the fee (`fee_text(lang)`)."""
    pbx = cancellation.pbx

    def write(lang: str) -> tuple[str, str]:
        _ = gettext(lang)
        values = {"quantity": cancellation.quantity, "pbx": pbx.name, "partner": partner.name,
                  "customer": pbx.customer.name, "date": format_date(cancellation.effective_on, lang),
                  "fee": fee_text(lang), "name": by.name, "email": by.email,
                  "devices": _devices(cancellation.devices, lang)}
        subject = _("Cancellation of %(quantity)s device(s) on %(pbx)s (%(partner)s)") % values
        body = (_("%(partner)s has cancelled %(quantity)s device(s) on the PBX %(pbx)s of %(customer)s.") % values
                + "\n\n"
                + _("Effective on: %(date)s (the PBX's next expiration date)") % values + "\n"
                + _("Minimum rental fee: %(fee)s") % values + "\n"
                + _("Requested by: %(name)s <%(email)s>") % values + "\n\n"
                + _("Devices to return:") + "\n" + values["devices"] + "\n"
                + _("The cancellation can be withdrawn until the effective date.") + "\n")
        return subject, body

    _to_manager_and_partner(session, partner, write, url, now)


def cancellation_withdrawn(session: Session, cancellation: DeviceCancellation, partner: Partner, by: User,
                           url: str | None, now: dt.datetime) -> None:
    pbx = cancellation.pbx

    def write(lang: str) -> tuple[str, str]:
        _ = gettext(lang)
        values = {"quantity": cancellation.quantity, "pbx": pbx.name, "partner": partner.name,
                  "customer": pbx.customer.name, "date": format_date(cancellation.effective_on, lang),
                  "name": by.name, "email": by.email}
        subject = _("Cancellation withdrawn on %(pbx)s (%(partner)s)") % values
        body = (_("%(partner)s has withdrawn the cancellation of %(quantity)s device(s) on the PBX %(pbx)s of "
                  "%(customer)s that was to take effect on %(date)s. The devices stay active and renew with "
                  "the PBX.") % values + "\n\n"
                + _("Withdrawn by: %(name)s <%(email)s>") % values + "\n")
        return subject, body

    _to_manager_and_partner(session, partner, write, url, now)


def replacement_requested(session: Session, request: ReplacementRequest, partner: Partner, by: User,
                          url: str | None, now: dt.datetime) -> None:
    """To the area manager, who approves or rejects it in the workspace."""
    pbx = request.pbx

    def write(lang: str) -> tuple[str, str]:
        _ = gettext(lang)
        values = {"number": request.number, "customer": pbx.customer.name, "partner": partner.name,
                  "quantity": len(request.items), "pbx": pbx.name, "reason": _(request.reason_label),
                  "note": request.note, "address": request.delivery_address, "name": by.name, "email": by.email}
        subject = _("Replacement request %(number)s: %(customer)s (%(partner)s)") % values
        reason = (_("Reason: %(reason)s — %(note)s") if request.note else _("Reason: %(reason)s")) % values
        body = (_("%(partner)s asks to replace %(quantity)s device(s) on the PBX %(pbx)s of %(customer)s.") % values
                + "\n\n" + reason + "\n"
                + _("Deliver to: %(address)s") % values + "\n"
                + _("Requested by: %(name)s <%(email)s>") % values + "\n\n"
                + _("Devices:") + "\n" + _devices((item.device for item in request.items), lang) + "\n\n"
                + _("Please approve or reject it in the workspace.") + "\n" + _link(url))
        return subject, body

    _send(session, agreements.reviewers(session, partner), write, now)


def replacement_changed(session: Session, request: ReplacementRequest, partner: Partner, change,
                        url: str | None, now: dt.datetime) -> None:
    """To the partner: the request moved (received, approved, rejected, shipped, completed)."""
    pbx = request.pbx

    def write(lang: str) -> tuple[str, str]:
        _ = gettext(lang)
        values = {"number": request.number, "status": _(change.to_label), "lower": _(change.to_label).lower(),
                  "customer": pbx.customer.name, "quantity": len(request.items), "pbx": pbx.name,
                  "previous": _(change.from_label), "note": change.note}
        subject = _("Replacement request %(number)s %(lower)s: %(customer)s") % values
        lines = [_("Replacement request %(number)s for %(quantity)s device(s) on the PBX %(pbx)s of %(customer)s "
                   "is now %(status)s.") % values, "",
                 _("Previous status: %(previous)s") % values]
        if request.status == "shipped":
            lines.append(_("Shipment date: %(date)s") % {"date": format_date(request.shipment_date, lang)})
            lines += [_("New devices:")] + [
                _("- %(product)s, serial %(serial)s") % {"product": i.new_device.product.name,
                                                          "serial": i.new_device.serial}
                for i in request.items if i.new_device is not None]
            lines.append(_("Please send the replaced devices back."))
        if change.note:
            lines.append(_("Note: %(note)s") % values)
        return subject, "\n".join(lines) + "\n" + _link(url)

    _send(session, mail.partner_recipients(session, partner), write, now)


def order_cancelled_by_partner(session: Session, order, partner: Partner, change, url: str | None,
                               now: dt.datetime) -> None:
    """To the area manager: the partner cancelled their own order."""

    def write(lang: str) -> tuple[str, str]:
        _ = gettext(lang)
        values = {"number": order.number, "partner": partner.name, "customer": order.customer.name,
                  "reference": order.reference, "status": _(change.from_label), "note": change.note}
        subject = _("Order %(number)s cancelled by %(partner)s: %(customer)s") % values
        body = (_("%(partner)s has cancelled its order %(number)s (%(reference)s) for %(customer)s, which was "
                  "%(status)s.") % values + "\n"
                + (_("Note: %(note)s") % values + "\n" if change.note else "") + _link(url))
        return subject, body

    _send(session, agreements.reviewers(session, partner), write, now)
