"""The mails of Replace and Cancel, one small function each (subject and body together), sent
through the outbox with the change that causes them."""
import datetime as dt

from sqlalchemy.orm import Session

from hwaas.models import DeviceCancellation, Partner, ReplacementRequest, User
from hwaas.services import agreements, mail


def _devices(devices) -> str:
    return "\n".join(f"- {d.product.name}, serial {d.serial or '(none)'}" for d in devices)


def _link(url: str | None) -> str:
    return f"\n{url}\n" if url else ""


def _to_manager_and_partner(session: Session, partner: Partner, subject: str, body: str, url: str | None,
                            now: dt.datetime) -> None:
    """The area manager is told; the partner gets the same mail with the link to the PBX's page
    (a partner's page: the area manager could not open it)."""
    managers = agreements.reviewers(session, partner)
    mail.enqueue_many(session, managers, subject, body, now=now)
    own = [to for to in mail.partner_recipients(session, partner) if to.lower() not in {m.lower() for m in managers}]
    mail.enqueue_many(session, own, subject, body + _link(url), now=now)


def cancellation_requested(session: Session, cancellation: DeviceCancellation, partner: Partner, by: User,
                           fee_text: str, url: str | None, now: dt.datetime) -> None:
    """To the area manager and the partner: devices cancelled, when, the fee."""
    pbx = cancellation.pbx
    subject = f"Cancellation of {cancellation.quantity} device(s) on {pbx.name} ({partner.name})"
    body = (f"{partner.name} has cancelled {cancellation.quantity} device(s) on the PBX {pbx.name} "
            f"of {pbx.customer.name}.\n\n"
            f"Effective on: {cancellation.effective_on.isoformat()} (the PBX's next expiration date)\n"
            f"Minimum rental fee: {fee_text}\n"
            f"Requested by: {by.name} <{by.email}>\n\n"
            f"Devices to return:\n{_devices(cancellation.devices)}\n"
            "The cancellation can be withdrawn until the effective date.\n")
    _to_manager_and_partner(session, partner, subject, body, url, now)


def cancellation_withdrawn(session: Session, cancellation: DeviceCancellation, partner: Partner, by: User,
                           url: str | None, now: dt.datetime) -> None:
    pbx = cancellation.pbx
    subject = f"Cancellation withdrawn on {pbx.name} ({partner.name})"
    body = (f"{partner.name} has withdrawn the cancellation of {cancellation.quantity} device(s) on the PBX "
            f"{pbx.name} of {pbx.customer.name} that was to take effect on "
            f"{cancellation.effective_on.isoformat()}. The devices stay active and renew with the PBX.\n\n"
            f"Withdrawn by: {by.name} <{by.email}>\n")
    _to_manager_and_partner(session, partner, subject, body, url, now)


def replacement_requested(session: Session, request: ReplacementRequest, partner: Partner, by: User,
                          url: str | None, now: dt.datetime) -> None:
    """To the area manager, who approves or rejects it in the workspace."""
    pbx = request.pbx
    subject = f"Replacement request {request.number}: {pbx.customer.name} ({partner.name})"
    body = (f"{partner.name} asks to replace {len(request.items)} device(s) on the PBX {pbx.name} of "
            f"{pbx.customer.name}.\n\n"
            f"Reason: {request.reason_label}" + (f" — {request.note}" if request.note else "") + "\n"
            f"Deliver to: {request.delivery_address}\n"
            f"Requested by: {by.name} <{by.email}>\n\n"
            f"Devices:\n{_devices(item.device for item in request.items)}\n\n"
            "Please approve or reject it in the workspace.\n" + _link(url))
    mail.enqueue_many(session, agreements.reviewers(session, partner), subject, body, now=now)


def replacement_changed(session: Session, request: ReplacementRequest, partner: Partner, change,
                        url: str | None, now: dt.datetime) -> None:
    """To the partner: the request moved (received, approved, rejected, shipped, completed)."""
    pbx = request.pbx
    subject = f"Replacement request {request.number} {change.to_label.lower()}: {pbx.customer.name}"
    lines = [f"Replacement request {request.number} for {len(request.items)} device(s) on the PBX {pbx.name} "
             f"of {pbx.customer.name} is now {change.to_label}.", "",
             f"Previous status: {change.from_label}"]
    if request.status == "shipped":
        lines.append(f"Shipment date: {request.shipment_date.isoformat()}")
        lines += ["New devices:"] + [f"- {i.new_device.product.name}, serial {i.new_device.serial}"
                                     for i in request.items if i.new_device is not None]
        lines.append("Please send the replaced devices back.")
    if change.note:
        lines.append(f"Note: {change.note}")
    mail.enqueue_many(session, mail.partner_recipients(session, partner), subject,
                      "\n".join(lines) + "\n" + _link(url), now=now)


def order_cancelled_by_partner(session: Session, order, partner: Partner, change, url: str | None,
                               now: dt.datetime) -> None:
    """To the area manager: the partner cancelled their own order."""
    subject = f"Order {order.number} cancelled by {partner.name}: {order.customer.name}"
    body = (f"{partner.name} has cancelled its order {order.number} ({order.reference}) for "
            f"{order.customer.name}, which was {change.from_label}.\n"
            + (f"Note: {change.note}\n" if change.note else "") + _link(url))
    mail.enqueue_many(session, agreements.reviewers(session, partner), subject, body, now=now)
