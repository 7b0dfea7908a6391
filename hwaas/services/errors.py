"""Typed business errors: each carries a human message and, optionally, the form field it concerns."""


class DomainError(Exception):
    """A business rule refused the request; views show `message`, next to `field` if given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r})"


class TermMismatch(DomainError):
    """A service's term differs from its PBX's term."""


class NotASubscription(DomainError):
    """The PBX has a lifetime licence, so no PBX-bound service can be added to it."""


class OrderingBlocked(DomainError):
    """Ordering hardware and HWaaS is blocked by an overdue invoice."""


class ReadOnlyAccount(DomainError):
    """The partner's portal is read-only because an invoice is long overdue."""


class NotFound(LookupError):
    """The record does not exist, or is not visible to the acting user: a 404 to the web, never a
    message on a form (so it is not a DomainError, and no view has to let it through)."""

    def __init__(self, message: str = "Not found."):
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """The requested state change is not allowed from the current state."""


class AgreementMissing(DomainError):
    """HWaaS needs a signed (and, to proceed, approved) agreement for the customer."""


class ValidationFailed(DomainError):
    """Input broke a business rule that a form cannot check on its own."""


class StaleCart(DomainError):
    """The cart changed since the page was rendered; reload and try again."""


class CartCheckedOut(DomainError):
    """The cart became an order (another tab, a double submit): it can no longer change."""

    def __init__(self, message: str, order_id: int):
        super().__init__(message)
        self.order_id = order_id
