"""Checkout: the gates (overdue ladder, signed agreement, a cart priced for today), then exactly
one order per cart however many submits, retries or tabs, with its prices snapshotted."""
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from hwaas.messages import N_
from hwaas.models import Address, Cart, CartLine, Customer, Order, OrderLine, Product, User
from hwaas.models.catalogue import SERVICE_CATEGORIES
from hwaas.services import addresses as address_book, agreements, overdue
from hwaas.services.addresses import NewAddress  # noqa: F401  (checkout's form builds one)
from hwaas.services.carts import (
    LIVE_STATUSES, CartQuote, get_cart, quote_cart, require_classound_orderable, require_current,
)
from hwaas.services.errors import (
    AgreementMissing, DomainError, NotFound, StaleCart, ValidationFailed,
)
from hwaas.services.orders import record_status
from hwaas.services.pricing import require_term_match
from hwaas.services.tenancy import PartnerScope

_KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")


NO_ADDRESS = NewAddress(recipient="", street="", postcode="", city="", country="")


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False: this submit found the order an earlier one placed


def order_number(order_id: int, year: int) -> str:
    return f"HW-{year}-{order_id:06d}"


# --- gates -----------------------------------------------------------------------------------


def require_agreement(scope: PartnerScope, customer: Customer) -> None:
    """HWaaS needs the customer's signed agreement uploaded (DESIGN §3.6); approval comes later."""
    # The customer's latest agreement must be uploaded or approved: a newer rejection counts.
    if not agreements.has_signed(scope.session, customer.id):
        raise AgreementMissing(
            N_("Upload the signed HWaaS agreement for %(customer)s first: download it prefilled from "
               "the customer's Agreement page, have %(customer)s sign it and upload the signed copy there. "
               "Then check out: your cart is kept until then."),
            customer=customer.name,
        )


def blockers(scope: PartnerScope, cart: Cart, standing: overdue.Standing, today: dt.date) -> list[DomainError]:
    """Every reason the cart cannot be checked out now, for the review page (place_order raises the first)."""
    found: list[DomainError] = []
    checks = [lambda: _require_lines(cart), lambda: require_current(cart, today)]
    if has_hardware(cart):
        checks[:0] = [lambda: overdue.check_can_order_hardware(standing),
                      lambda: require_agreement(scope, cart.customer)]
    else:
        checks.insert(0, lambda: overdue.check_writable(standing))
    if has_classound(cart):
        checks.append(lambda: require_classound_orderable(scope, cart.pbx, today, in_cart_ok=True))
    for check in checks:
        try:
            check()
        except DomainError as error:
            found.append(error)
    return found


def has_hardware(cart: Cart) -> bool:
    """A cart with any device needs the agreement, a delivery address and stock; one of CLASSOUND
    only (a service, DESIGN §3.4.1) needs none of them."""
    return any(line.product.category not in SERVICE_CATEGORIES for line in cart.lines)


def has_classound(cart: Cart) -> bool:
    return any(line.product.category == "classound" for line in cart.lines)


def _require_lines(cart: Cart) -> None:
    if not cart.lines:
        raise ValidationFailed(N_("This cart is empty. Add products to it before checking out."))


def addresses(scope: PartnerScope) -> list[Address]:
    return address_book.book(scope)


def addresses_for(scope: PartnerScope, customer_id: int) -> tuple[list[Address], int | None]:
    """The address book, and the entry the customer's latest order went to (checkout's default),
    in one query. None when that order named no entry (placed before entries were remembered, or
    its entry was deleted): then nobody's address is guessed, the partner chooses."""
    last = (select(Order.delivery_address_id)
            .where(Order.partner_id == scope.partner_id, Order.customer_id == customer_id)
            .order_by(Order.id.desc()).limit(1).scalar_subquery())
    rows = scope.session.execute(
        scope.select(Address, Address, (Address.id == last).label("last_used")).order_by(Address.label, Address.id)
    ).all()
    return [row.Address for row in rows], next((row.Address.id for row in rows if row.last_used), None)


@dataclass(frozen=True)
class Review:
    """What the review step shows: the cart priced as last priced, the address book, and every
    reason it cannot be placed now. `order` is set once the cart has become an order."""

    cart: Cart
    quote: CartQuote | None
    addresses: list[Address]
    blockers: list[DomainError]
    order: Order | None = None
    last_used_address_id: int | None = None  # the customer's latest order's entry


def review(scope: PartnerScope, cart_id: int, standing: overdue.Standing, today: dt.date) -> Review:
    cart = get_cart(scope, cart_id, live=False)
    if cart.status not in LIVE_STATUSES:
        return Review(cart=cart, quote=None, addresses=[], blockers=[], order=order_for_cart(scope, cart.id))
    book, last_used = addresses_for(scope, cart.customer_id)
    return Review(cart=cart, quote=quote_cart(cart), addresses=book, last_used_address_id=last_used,
                  blockers=blockers(scope, cart, standing, today))


# --- placing the order -----------------------------------------------------------------------


# The status history's note of a placed order; stored in English, shown in the reader's language.
PLACED_NOTE = N_("Placed at checkout.")
EXPIRED_FORM = N_("This checkout form has expired. Review the cart again and place the order.")


def place_order(
    scope: PartnerScope, user: User, cart_id: int, *, idempotency_key: str, reference: str,
    terms_accepted: bool, expected_total: str, standing: overdue.Standing, today: dt.date,
    now: dt.datetime, address_id: int | None = None, new_address: NewAddress | None = None,
) -> Placed:
    """Turn the cart into an order Awaiting approval, once.

    Repeats find the first order: by idempotency key (a double submit or a retry of the same
    form), or by cart (a second tab). The cart row is locked (FOR UPDATE on PostgreSQL) and its
    status moved by a guarded UPDATE, so concurrent checkouts of one cart yield one order.
    """
    session = scope.session
    key = (idempotency_key or "").strip()
    if not _KEY.match(key):
        raise ValidationFailed(EXPIRED_FORM)
    earlier = _order_by_key(scope, key)
    if earlier is not None:
        return Placed(earlier, created=False)

    cart = _locked_cart(scope, cart_id)
    if cart.status not in LIVE_STATUSES:
        return _already_ordered(scope, cart.id)

    hardware = has_hardware(cart)
    if hardware:
        overdue.check_can_order_hardware(standing)
        require_agreement(scope, cart.customer)
    else:
        overdue.check_writable(standing)
    _require_lines(cart)
    require_current(cart, today)
    if has_classound(cart):
        require_classound_orderable(scope, cart.pbx, today, in_cart_ok=True)
    require_term_match(cart.pbx.term, cart.term)
    quote = quote_cart(cart)
    if _decimal(expected_total) != quote.total:
        raise StaleCart(
            N_("The cart changed since this page was shown: check the lines and the new total below, "
               "then place the order again."), field="cart")
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed(N_("Enter your order reference."), field="reference")
    if len(reference) > 80:
        raise ValidationFailed(N_("The order reference can be at most 80 characters."), field="reference")
    if not terms_accepted:
        raise ValidationFailed(N_("Accept the terms to place the order."), field="accept_terms")
    # Nothing is delivered for CLASSOUND alone: the order carries no address.
    address = delivery_address(scope, address_id, new_address, now) if hardware else NO_ADDRESS

    # The guarded status change: only one checkout moves the cart out of open/saved.
    claimed = session.execute(
        update(Cart).where(Cart.id == cart.id, Cart.status.in_(LIVE_STATUSES))
        .values(status="ordered", updated_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.expire(cart)
        return _already_ordered(scope, cart.id)
    session.expire(cart, ["status", "updated_at"])

    # The order and its history row go in one flush; its lines in one bulk INSERT after it: one
    # statement each, whatever the number of lines, on both databases.
    order = Order(
        number=f"N-{key[:16]}", partner_id=scope.partner_id, customer_id=cart.customer_id, pbx_id=cart.pbx_id,
        term=cart.term, cart_id=cart.id, idempotency_key=key, reference=reference,
        status="awaiting_approval", ordered_on=today, total=quote.total,
        delivery_recipient=address.recipient, delivery_street=address.street,
        delivery_postcode=address.postcode, delivery_city=address.city, delivery_country=address.country,
        delivery_address_id=address.id if hardware else None,  # services alone ship nowhere
        terms_accepted_at=now, placed_by_id=user.id, created_at=now, history=[],
    )
    session.add(order)
    try:
        record_status(session, order, "awaiting_approval", user, note=PLACED_NOTE, at=now)
    except IntegrityError:
        # The unique idempotency key: a concurrent submit of the same form won the race (the cart
        # lock makes this unreachable for one cart; a key replayed on another cart gets here).
        # Undo this attempt whole, the cart's claim included, and answer with the order placed.
        session.rollback()
        earlier = _order_by_key(scope, key) or _order_by_cart(scope, cart_id)
        if earlier is None:  # the key is another partner's: never theirs to see, never a 500
            raise ValidationFailed(EXPIRED_FORM) from None
        return Placed(earlier, created=False)
    session.execute(insert(OrderLine), [
        {"order_id": order.id, "product_id": q.line.product.id, "sku": q.line.product.sku,
         "name": q.line.product.name, "quantity": q.line.quantity, "unit_price": q.quote.unit_price,
         "period_start": q.quote.start, "period_end": q.quote.expires, "days": q.quote.days,
         "period_days": q.quote.period_days, "amount": q.quote.amount}
        for q in quote.lines
    ])
    order.number = order_number(order.id, today.year)
    _reserve_stock(session, [(q.line.product_id, q.line.quantity) for q in quote.lines
                             if q.line.product.category not in SERVICE_CATEGORIES])
    session.flush()
    return Placed(order, created=True)


def _decimal(value: object) -> Decimal | None:
    """A posted amount, or None: NaN, sNaN and infinities are no amount (and a signalling NaN
    would raise when compared)."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def _order_by_key(scope: PartnerScope, key: str) -> Order | None:
    return scope.session.scalar(scope.select(Order).where(Order.idempotency_key == key))


def order_for_cart(scope: PartnerScope, cart_id: int) -> Order | None:
    """The order a cart became, if it did."""
    return scope.session.scalar(scope.select(Order).where(Order.cart_id == cart_id))


_order_by_cart = order_for_cart


def _already_ordered(scope: PartnerScope, cart_id: int) -> Placed:
    order = _order_by_cart(scope, cart_id)
    if order is None:
        raise NotFound("No such cart.")
    return Placed(order, created=False)


def _locked_cart(scope: PartnerScope, cart_id: int) -> Cart:
    """The cart row, locked until the transaction ends (PostgreSQL; SQLite serialises writers).
    Its lines are read after the lock is held, so they are what the previous holder left.
    Two statements: the cart joined to its customer and PBX, then its lines with their products."""
    cart = scope.session.scalar(
        scope.select(Cart).where(Cart.id == cart_id).with_for_update(of=Cart)
        .options(joinedload(Cart.customer, innerjoin=True), joinedload(Cart.pbx, innerjoin=True),
                 selectinload(Cart.lines).joinedload(CartLine.product, innerjoin=True))
        .execution_options(populate_existing=True)
    )
    if cart is None:
        raise NotFound("No such cart.")
    return cart


def delivery_address(scope: PartnerScope, address_id: int | None, new: NewAddress | None,
                     now: dt.datetime) -> Address:
    """The chosen entry of the address book, or one typed in: it joins the book, or reuses the
    entry already holding it."""
    if new is not None:
        return address_book.add_or_reuse(scope, new, now, prefix="new_")
    if address_id is None:
        raise ValidationFailed(N_("Choose a delivery address, or add a new one."), field="address")
    return scope.get(Address, address_id)


def _reserve_stock(session, quantities: list[tuple[int, int]]) -> None:
    """Take the ordered units off stock; it may go negative (a back-order, DESIGN §3.7).
    One UPDATE sent for every product at once (executemany), in id order, so concurrent checkouts
    lock the product rows in the same order and never deadlock."""
    if not quantities:
        return
    products = Product.__table__
    session.execute(
        update(products).where(products.c.id == bindparam("product_id"))
        .values(stock=products.c.stock - bindparam("quantity")),
        [{"product_id": product_id, "quantity": quantity} for product_id, quantity in sorted(quantities)],
    )
    for product_id, _ in quantities:
        product = session.identity_map.get(session.identity_key(Product, product_id))
        if product is not None:
            session.expire(product, ["stock"])
