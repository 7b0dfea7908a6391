"""Typed business errors: each carries a human message and, optionally, the form field it concerns."""
import datetime as dt
from collections.abc import Callable
from decimal import Decimal


class Money(Decimal):
    """An amount in a refusal's parameters: shown as money in the reader's language."""


class DomainError(Exception):
    """A business rule refused the request; views show `message`, next to `field` if given.

    `template` is English with %(name)s placeholders and marked for the catalogue where it is
    written (`raise InvalidTransition(N_("Invoice %(number)s was paid on %(paid_on)s."),
    number=…, paid_on=…)`); `message` is that sentence in the language of whoever reads it
    (the web layer installs the translator, DESIGN §3.9): a date in `params` is written as that
    language writes dates, a `Money` as money, anything else as str().
    """

    def __init__(self, template: str, field: str | None = None, **params):
        super().__init__(template)
        self.template = template
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        return render(self.template, self.params)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.template!r}, field={self.field!r})"


# (template, params) → the sentence in the reader's language; installed by hwaas.i18n for requests.
Translator = Callable[[str, dict], "str | None"]
_translator: Translator | None = None


def install_translator(translator: Translator | None) -> None:
    global _translator
    _translator = translator


def render(template: str, params: dict) -> str:
    """The sentence in the reader's language when a translator takes it, else in English."""
    if _translator is not None:
        translated = _translator(template, params)
        if translated is not None:
            return translated
    return fill(template, params, "en")


def fill(text: str, params: dict, language: str, currency: str = "EUR") -> str:
    if not params:
        return text
    from hwaas.services.documents import format_date, format_money  # documents → pricing → errors

    def shown(value):
        if isinstance(value, Money):
            return format_money(Decimal(value), currency, language)
        if isinstance(value, (dt.date, dt.datetime)):
            return format_date(value, language)
        return value

    return text % {name: shown(value) for name, value in params.items()}


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

    def __init__(self, template: str, order_id: int, **params):
        super().__init__(template, **params)
        self.order_id = order_id
