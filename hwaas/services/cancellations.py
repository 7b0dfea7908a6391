"""Cancelling rented devices (DESIGN §3.8): effective on the PBX's next expiration date, with
the six-month minimum fee, withdrawable until then; `end_effective` ends what has come due."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hwaas.models import Device, DeviceCancellation, PbxService


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
