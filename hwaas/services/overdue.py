"""The overdue-invoice ladder (DESIGN §3.5): days overdue → warning, hardware block, read-only, suspension."""
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from hwaas.messages import N_
from hwaas.services.errors import OrderingBlocked, ReadOnlyAccount
from hwaas.services.phrasing import said

LIFT_HINT = N_("See Account balance.")


@dataclass(frozen=True)
class Thresholds:
    """Days overdue at which each step applies; configuration, these are the defaults.

    warning when days >= warn, hardware ordering blocked when days > block_after,
    read-only when days >= read_only, suspended when days >= suspend.
    """

    warn: int = 2
    block_after: int = 5
    read_only: int = 30
    suspend: int = 35

    def __post_init__(self):
        for name in ("warn", "block_after", "read_only", "suspend"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"threshold {name} must be an int")
        # Each step must include the ones before it, or a read-only partner could escape the block.
        if not 1 <= self.warn <= self.block_after + 1 <= self.read_only <= self.suspend:
            raise ValueError(
                "thresholds must escalate: 1 <= warn <= block_after + 1 <= read_only <= suspend"
            )


def days_overdue(open_due_dates: Iterable[dt.date], today: dt.date) -> int:
    """today − due date of the oldest open invoice; 0 if none is open or none is due yet."""
    oldest = min(open_due_dates, default=None)
    if oldest is None:
        return 0
    return max(0, (today - oldest).days)


@dataclass(frozen=True)
class Standing:
    """Where a partner stands on the ladder, and what that blocks."""

    days_overdue: int
    warning: bool
    hardware_blocked: bool
    read_only: bool
    suspended: bool
    block_after: int = Thresholds.block_after  # only to tell a warned partner when the block starts

    @property
    def message(self) -> str:
        """A refusal's text: what is blocked, how to lift it, where to look; empty when there is
        nothing to say. In the request's language, like `summary`."""
        summary = self.summary
        return f"{summary} {said(LIFT_HINT)}" if summary else ""

    @property
    def summary(self) -> str:
        """Banner text: what is blocked and how to lift it (the banner links Account balance);
        written in the request's language (hwaas.services.phrasing), one message a sentence."""
        if not self.warning:
            return ""
        if self.days_overdue == 1:
            lead = said(N_("An invoice is %(days)s day overdue."), days=self.days_overdue)
        else:
            lead = said(N_("An invoice is %(days)s days overdue."), days=self.days_overdue)
        if self.suspended:
            body = said(N_("Your services are suspended and the portal is read-only until it is paid; "
                           "paying it restores them at once."))
        elif self.read_only:
            body = said(N_("The portal is read-only until it is paid; only Account balance can be used."))
        elif self.hardware_blocked:
            body = said(N_("Ordering hardware and HWaaS is blocked until it is paid."))
        elif self.block_after == 1:
            body = said(N_("Please pay it: ordering hardware and HWaaS will be blocked once it is more than "
                           "%(days)s day overdue."), days=self.block_after)
        else:
            body = said(N_("Please pay it: ordering hardware and HWaaS will be blocked once it is more than "
                           "%(days)s days overdue."), days=self.block_after)
        return f"{lead} {body}"


def standing(days: int, thresholds: Thresholds = Thresholds()) -> Standing:
    """The partner's standing for a given number of days overdue."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("days must be an int")
    if days < 0:
        raise ValueError("days overdue cannot be negative")
    return Standing(
        days_overdue=days,
        warning=days >= thresholds.warn,
        hardware_blocked=days > thresholds.block_after,
        read_only=days >= thresholds.read_only,
        suspended=days >= thresholds.suspend,
        block_after=thresholds.block_after,
    )


# A refusal that is the standing's message, written when shown, in the reader's language.
_STANDING = "%(standing)s"


class _Message:
    def __init__(self, standing: Standing):
        self.standing = standing

    def __str__(self) -> str:
        return self.standing.message


def check_can_order_hardware(standing: Standing) -> None:
    """Refuse checkout of hardware/HWaaS while an invoice is overdue past the block threshold."""
    if standing.hardware_blocked or standing.read_only:
        raise OrderingBlocked(_STANDING, standing=_Message(standing))


def check_writable(standing: Standing) -> None:
    """Refuse any change while the portal is read-only (Account balance excepted, by the caller)."""
    if standing.read_only:
        raise ReadOnlyAccount(_STANDING, standing=_Message(standing))
