"""Carts: one live cart per customer + PBX + duration, many per partner. Lines keep the unit
price they were last priced at; a cart's quote is those prices prorated as of `priced_on`, and
re-pricing for a new day is an explicit step that says what changed."""
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from hwaas.messages import N_
from hwaas.models import Cart, CartLine, Customer, Order, Pbx, QuantityBand
from hwaas.services import catalogue, overdue
from hwaas.services.errors import CartCheckedOut, NotFound, StaleCart, ValidationFailed
from hwaas.services.phrasing import said
from hwaas.services.pricing import (
    SUBSCRIPTION_TERMS, ZERO, LineQuote, band_discount, current_period, period_label, prorate, quote_line,
    cancellation_fee, quote_total, require_subscription, require_term_match, term_label, tier_price,
)
from hwaas.services.tenancy import PartnerScope

LIVE_STATUSES = ("open", "saved")
MAX_QUANTITY = 999


# --- quotes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotedLine:
    line: CartLine
    quote: LineQuote

    @property
    def product(self):
        return self.line.product


@dataclass(frozen=True)
class CartQuote:
    """The cart priced as of `on`: per line the full term price, the period and the prorated amount."""

    cart: Cart
    on: dt.date
    lines: list[QuotedLine]
    start: dt.date
    expires: dt.date

    @property
    def total(self) -> Decimal:
        return quote_total(q.quote for q in self.lines)

    @property
    def items(self) -> int:
        return sum(q.line.quantity for q in self.lines)

    @property
    def days(self) -> int:
        return (self.expires - self.on).days

    @property
    def period_days(self) -> int:
        return (self.expires - self.start).days

    @property
    def period_label(self) -> str:
        return period_label(self.on, self.expires, self.days, self.period_days)

    def is_current(self, today: dt.date) -> bool:
        return self.on == today

    @property
    def minimum_run_charge(self) -> Decimal:
        """What the cart's devices cost if each is cancelled before it ran a single month: the
        6-month minimum (DESIGN §3.8), monthly price × 6 per device, half-up per line. The most a
        cancellation fee can be for this order, shown where the rule is stated."""
        # The fee of cancelling each line's devices on their first day: the same computation as a
        # cancellation's (pricing.cancellation_fee), so "at most" holds to the cent. CLASSOUND is
        # a service, not a rented device: it has no minimum.
        return sum((cancellation_fee(q.line.unit_price, self.cart.term, self.on, self.on, q.line.quantity).amount
                    for q in self.lines if q.line.product.category != "classound"), ZERO)


def quote_cart(cart: Cart, on: dt.date | None = None) -> CartQuote:
    """Price the cart's lines as of `on` (default: the day it was last priced)."""
    on = on or cart.priced_on
    pbx = cart.pbx
    start, expires = current_period(pbx.activated_on, cart.term, on)
    lines = [
        QuotedLine(line, quote_line(line.unit_price, line.quantity, pbx.activated_on, cart.term, on))
        for line in cart.lines
    ]
    return CartQuote(cart=cart, on=on, lines=lines, start=start, expires=expires)


@dataclass(frozen=True)
class BandSaving:
    """What Save & Recalculate would take off a cart whose lines reach a quantity band."""

    amount: Decimal  # the prorated total less, a positive amount
    bands: list[tuple[str, int, Decimal]]  # (product name, band's first quantity, discount percent)


def band_saving(scope: PartnerScope, quote: CartQuote) -> BandSaving | None:
    """The saving quantity bands would bring to a cart priced without them, or None: the cart
    says it before Save & Recalculate (DESIGN §3.7). It is what recalculating computes for the
    cart's day while the catalogue's prices stay as the lines have them; one query (the bands of
    the cart's products)."""
    cart = quote.cart
    if cart.bands_applied or not quote.lines:
        return None
    bands: dict[int, list[tuple[int, Decimal]]] = {}
    for product_id, min_quantity, percent in scope.session.execute(
            select(QuantityBand.product_id, QuantityBand.min_quantity, QuantityBand.discount_percent)
            .where(QuantityBand.product_id.in_([q.line.product_id for q in quote.lines]))):
        bands.setdefault(product_id, []).append((min_quantity, percent))
    saved, reached = ZERO, []
    for q in quote.lines:
        line = q.line
        percent = band_discount(line.quantity, bands.get(line.product_id, []))
        if not percent:
            continue
        banded = prorate(tier_price(line.unit_price, percent) * line.quantity, q.quote.start, q.quote.expires,
                         quote.on)
        saved += q.quote.amount - banded
        threshold = max(m for m, _ in bands[line.product_id] if m <= line.quantity)
        reached.append((line.product.name, threshold, percent))
    return BandSaving(saved, reached) if saved > 0 else None


# --- re-pricing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceChange:
    name: str
    old: Decimal  # prorated amount of the line before
    new: Decimal


@dataclass(frozen=True)
class Repricing:
    """What re-pricing a cart changed, in words a partner reads (DESIGN §3.3, §3.7)."""

    on: dt.date
    previous_on: dt.date | None
    period_label: str
    renewed_on: dt.date | None = None  # the PBX renewed since the cart was last priced
    changes: list[PriceChange] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # products no longer offered for the term
    bands: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.removed or self.day_changed)

    @property
    def day_changed(self) -> bool:
        return self.previous_on is not None and self.previous_on != self.on

    @property
    def message(self) -> str:
        """In the request's language (hwaas.services.phrasing); each change is one clause."""
        parts = []
        if self.renewed_on:
            parts.append(said(N_("the PBX renewed on %(renewed_on)s, so the period is now %(period)s"),
                              renewed_on=self.renewed_on, period=self.period_label))
        elif self.day_changed:
            parts.append(said(N_("the period is now %(period)s"), period=self.period_label))
        parts.extend(f"{c.name} {c.old:.2f} → {c.new:.2f}" for c in self.changes)
        parts.extend(said(N_("%(product)s is no longer offered for this Duration and was removed"), product=name)
                     for name in self.removed)
        if not parts:
            if self.bands:
                return said(N_("Prices were recalculated with the quantity discounts of the catalogue: "
                               "nothing changed."))
            return said(N_("Prices for %(on)s are unchanged."), on=self.on)
        if self.bands:
            return said(N_("Prices were recalculated with the quantity discounts of the catalogue: %(changes)s."),
                        changes="; ".join(parts))
        return said(N_("Prices were recalculated for %(on)s: %(changes)s."), on=self.on,
                    changes="; ".join(parts))


def _reprice(scope: PartnerScope, cart: Cart, today: dt.date, with_bands: bool) -> Repricing:
    """Re-check the PBX and price every line for `today` at the catalogue in force."""
    pbx = cart.pbx
    require_subscription(pbx.term)
    require_term_match(pbx.term, cart.term)
    _require_active(pbx, today)
    before = quote_cart(cart) if cart.priced_on and cart.priced_on <= today else None
    discount = catalogue.partner_discount(scope.session, scope.partner_id)
    offered = {p.id: p for p in catalogue.offered_products(scope.session, cart.term, [l.product_id for l in cart.lines])}
    if any(line.product.category == "classound" for line in cart.lines):
        service = classound_product(scope.session, cart.term)
        if service is not None:
            offered[service.id] = service
    removed = []
    for line in list(cart.lines):
        product = offered.get(line.product_id)
        if product is None:
            removed.append(line.product.name)
            cart.lines.remove(line)
            continue
        line.unit_price = catalogue.unit_price(product, cart.term, discount, line.quantity, with_bands)
    cart.priced_on = today
    scope.session.flush()
    after = quote_cart(cart)
    old = {q.line.id: q.quote.amount for q in before.lines} if before else {}
    changes = [
        PriceChange(q.line.product.name, old[q.line.id], q.quote.amount)
        for q in after.lines if q.line.id in old and old[q.line.id] != q.quote.amount
    ]
    renewed = after.start if before and after.start >= before.expires else None
    return Repricing(on=today, previous_on=before.on if before else None, period_label=after.period_label,
                     renewed_on=renewed, changes=changes, removed=removed, bands=with_bands)


def _require_active(pbx: Pbx, today: dt.date) -> None:
    if pbx.activated_on > today:
        raise ValidationFailed(
            N_("%(pbx)s is activated on %(activated_on)s; HWaaS can be ordered for it from that day."),
            field="pbx_id", pbx=pbx.name, activated_on=pbx.activated_on,
        )


def require_current(cart: Cart, today: dt.date) -> None:
    if cart.priced_on != today:
        raise StaleCart(
            N_("This cart was priced for %(priced_on)s. Reopen it to re-price it for today "
               "(%(today)s) before changing it or checking it out."),
            priced_on=cart.priced_on, today=today,
        )


# --- reading ---------------------------------------------------------------------------------


def _cart_query(scope: PartnerScope):
    """The cart joined to its customer and PBX, then its lines with their products: two queries."""
    return scope.select(Cart).options(
        joinedload(Cart.customer, innerjoin=True), joinedload(Cart.pbx, innerjoin=True),
        selectinload(Cart.lines).joinedload(CartLine.product, innerjoin=True),
    )


def get_cart(scope: PartnerScope, cart_id: int, live: bool = True) -> Cart:
    """The partner's cart with its customer, PBX and lines; ordered carts are history (NotFound)."""
    stmt = _cart_query(scope).where(Cart.id == cart_id)
    if live:
        stmt = stmt.where(Cart.status.in_(LIVE_STATUSES))
    cart = scope.session.scalar(stmt)
    if cart is None:
        raise NotFound("No such cart.")
    return cart


def live_carts(scope: PartnerScope) -> list[CartQuote]:
    """Every open and saved cart of the partner, newest first, each quoted as last priced."""
    carts = scope.session.scalars(
        _cart_query(scope).where(Cart.status.in_(LIVE_STATUSES)).order_by(Cart.updated_at.desc(), Cart.id.desc())
    )
    return [quote_cart(c) for c in carts]


def find_live_cart(scope: PartnerScope, pbx_id: int, term: str) -> Cart | None:
    return scope.session.scalar(
        _cart_query(scope).where(Cart.pbx_id == pbx_id, Cart.term == term, Cart.status.in_(LIVE_STATUSES)))


# --- changing --------------------------------------------------------------------------------


def resolve_pbx(scope: PartnerScope, customer_id: int, pbx_id: int, term: str, today: dt.date) -> Pbx:
    """The customer's PBX if HWaaS of `term` may be ordered for it; the server's word on terms,
    whatever the client sent (DESIGN §3.2)."""
    customer = scope.get(Customer, customer_id)
    pbx = scope.get(Pbx, pbx_id)
    if pbx.customer_id != customer.id:
        raise NotFound("No such PBX.")
    if term not in SUBSCRIPTION_TERMS:
        if term == "lifetime":
            require_subscription(term)
        raise ValidationFailed(N_("Choose a Duration: One month, One year or Five years."), field="term")
    require_term_match(pbx.term, term)
    _require_active(pbx, today)
    return pbx


def add_to_cart(scope: PartnerScope, *, customer_id: int, pbx_id: int, term: str,
                quantities: Mapping[int, int], today: dt.date, now: dt.datetime,
                standing: overdue.Standing) -> tuple[Cart, Repricing | None]:
    """Add the quantities to the live cart of that PBX and duration, creating it if need be.

    A stale cart is re-priced for today first; the Repricing says what that changed.
    """
    overdue.check_writable(standing)
    pbx = resolve_pbx(scope, customer_id, pbx_id, term, today)
    wanted = {int(pid): int(qty) for pid, qty in quantities.items() if qty}
    for pid, qty in wanted.items():
        if not 0 < qty <= MAX_QUANTITY:
            raise ValidationFailed(N_("Enter a quantity from 0 to %(max)s."), field=f"qty_{pid}", max=MAX_QUANTITY)
    if not wanted:
        raise ValidationFailed(N_("Enter a quantity for at least one product."), field="products")
    products = {p.id: p for p in catalogue.offered_products(scope.session, term, wanted)}
    for pid in wanted:
        if pid not in products:
            raise ValidationFailed(
                N_("That product is not offered for %(term)s. Reload the page and try again."),
                field=f"qty_{pid}", term=term_label(term))

    cart = find_live_cart(scope, pbx.id, term)
    if cart is None:
        cart = _new_cart(scope, pbx, term, today, now)
    repricing = None
    if cart.priced_on != today:
        repricing = _reprice(scope, cart, today, cart.bands_applied)
    discount = catalogue.partner_discount(scope.session, scope.partner_id)
    lines = {line.product_id: line for line in cart.lines}
    for pid, qty in wanted.items():
        line = lines.get(pid)
        if line is None:
            line = CartLine(product=products[pid], quantity=0, unit_price=ZERO)
            cart.lines.append(line)
        if line.quantity + qty > MAX_QUANTITY:
            raise ValidationFailed(
                N_("The cart already holds %(quantity)s of %(product)s; at most %(max)s fit on one line."),
                field=f"qty_{pid}", quantity=line.quantity, product=products[pid].name, max=MAX_QUANTITY)
        line.quantity += qty
        line.unit_price = catalogue.unit_price(products[pid], term, discount, line.quantity, cart.bands_applied)
    cart.updated_at = now
    scope.session.flush()
    return cart, repricing


# --- CLASSOUND (DESIGN §3.4.1) ------------------------------------------------------------------


def classound_product(session, term: str):
    """The active CLASSOUND product with a price for `term`, or None."""
    from sqlalchemy import select

    from hwaas.models import Product, ProductPrice

    return session.scalar(
        select(Product).join(ProductPrice, (ProductPrice.product_id == Product.id) & (ProductPrice.term == term))
        .where(Product.active.is_(True), Product.category == "classound").order_by(Product.id).limit(1)
        .options(selectinload(Product.prices), selectinload(Product.bands)))


def require_classound_orderable(scope: PartnerScope, pbx: Pbx, today: dt.date, in_cart_ok: bool = False) -> None:
    """At most one CLASSOUND per PBX: refused for a lifetime PBX, a PBX not yet active, and one
    whose CLASSOUND is active, ordered and not yet active, or already in its cart."""
    from sqlalchemy import select

    from hwaas.models import Order, OrderLine, PbxService, Product

    require_subscription(pbx.term)
    _require_active(pbx, today)
    session = scope.session
    if session.scalar(select(PbxService.id).where(PbxService.pbx_id == pbx.id, PbxService.kind == "classound",
                                                  PbxService.status != "cancelled").limit(1)) is not None:
        raise ValidationFailed(N_("%(pbx)s already has CLASSOUND: there is one per PBX."), field="pbx_id",
                               pbx=pbx.name)
    pending = session.scalar(
        scope.select(Order, Order.number).join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.pbx_id == pbx.id, Order.status.in_(("awaiting_approval", "approved")),
               Product.category == "classound").limit(1))
    if pending is not None:
        raise ValidationFailed(N_("CLASSOUND for %(pbx)s is already ordered (%(order)s); there is one per PBX."),
                               field="pbx_id", pbx=pbx.name, order=pending)
    if not in_cart_ok:
        cart = find_live_cart(scope, pbx.id, pbx.term)
        if cart is not None and any(line.product.category == "classound" for line in cart.lines):
            raise ValidationFailed(N_("CLASSOUND for %(pbx)s is already in its cart; check it out from there."),
                                   field="pbx_id", pbx=pbx.name)


def add_classound(scope: PartnerScope, *, pbx_id: int, today: dt.date, now: dt.datetime,
                  standing: overdue.Standing) -> Cart:
    """Put CLASSOUND for the PBX in its cart: the PBX's term, expiring with it, prorated, one."""
    overdue.check_writable(standing)
    pbx = scope.get(Pbx, pbx_id)
    require_classound_orderable(scope, pbx, today)
    product = classound_product(scope.session, pbx.term)
    if product is None:
        raise ValidationFailed(N_("CLASSOUND is not offered for %(term)s at the moment."),
                               field="pbx_id", term=term_label(pbx.term))
    cart = find_live_cart(scope, pbx.id, pbx.term) or _new_cart(scope, pbx, pbx.term, today, now)
    if cart.priced_on != today:
        _reprice(scope, cart, today, cart.bands_applied)
    discount = catalogue.partner_discount(scope.session, scope.partner_id)
    cart.lines.append(CartLine(product=product, quantity=1,
                               unit_price=catalogue.unit_price(product, pbx.term, discount)))
    cart.updated_at = now
    scope.session.flush()
    return cart


def _new_cart(scope: PartnerScope, pbx: Pbx, term: str, today: dt.date, now: dt.datetime) -> Cart:
    cart = Cart(partner_id=scope.partner_id, customer_id=pbx.customer_id, pbx_id=pbx.id, term=term,
                status="open", priced_on=today, created_at=now, updated_at=now)
    cart.pbx = pbx
    cart.lines = []
    try:
        with scope.session.begin_nested():
            scope.session.add(cart)
    except IntegrityError:
        # Another tab created the live cart for this PBX and duration a moment ago: use it.
        cart = find_live_cart(scope, pbx.id, term)
        if cart is None:
            raise
    return cart


def _cart_to_change(scope: PartnerScope, cart_id: int, now: dt.datetime) -> Cart:
    """The live cart, claimed for this change by a guarded UPDATE: on PostgreSQL it waits for a
    checkout holding the cart's row lock, then finds the cart ordered; on SQLite writers queue.
    A cart that became an order is a refusal naming the order, never a silent edit of it."""
    claimed = scope.session.execute(
        update(Cart).where(Cart.id == cart_id, Cart.partner_id == scope.partner_id,
                           Cart.status.in_(LIVE_STATUSES))
        .values(updated_at=now).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        order = scope.session.execute(
            scope.select(Order, Order.id, Order.number).where(Order.cart_id == cart_id)).first()
        if order is None:
            raise NotFound("No such cart.")
        raise CartCheckedOut(N_("This cart was checked out as order %(number)s, so it can no longer be "
                                "changed. Open the order to follow it."), order_id=order.id, number=order.number)
    return get_cart(scope, cart_id)


def _line(cart: Cart, line_id: int) -> CartLine:
    for line in cart.lines:
        if line.id == line_id:
            return line
    raise NotFound("No such line in this cart.")


def set_quantity(scope: PartnerScope, cart_id: int, line_id: int, quantity: int, *, today: dt.date,
                 now: dt.datetime, standing: overdue.Standing) -> Cart:
    overdue.check_writable(standing)
    cart = _cart_to_change(scope, cart_id, now)
    line = _line(cart, line_id)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(N_("Enter a quantity from 1 to %(max)s, or remove the line."), field="quantity",
                               max=MAX_QUANTITY)
    require_current(cart, today)
    if line.product.category == "classound" and quantity != 1:
        raise ValidationFailed(N_("CLASSOUND is one per PBX: its quantity is 1."), field="quantity")
    line.quantity = quantity
    if cart.bands_applied:  # the band depends on the quantity
        product = next(iter(catalogue.offered_products(scope.session, cart.term, [line.product_id])), None)
        if product is not None:
            discount = catalogue.partner_discount(scope.session, scope.partner_id)
            line.unit_price = catalogue.unit_price(product, cart.term, discount, quantity, True)
    cart.updated_at = now
    scope.session.flush()
    return cart


def remove_line(scope: PartnerScope, cart_id: int, line_id: int, *, today: dt.date, now: dt.datetime,
                standing: overdue.Standing) -> tuple[Cart, str]:
    """Remove the line; returns the cart and the removed product's name."""
    overdue.check_writable(standing)
    cart = _cart_to_change(scope, cart_id, now)
    line = _line(cart, line_id)
    name = line.product.name
    cart.lines.remove(line)
    cart.updated_at = now
    scope.session.flush()
    return cart, name


def save(scope: PartnerScope, cart_id: int, *, now: dt.datetime, standing: overdue.Standing) -> Cart:
    """Keep the cart: it is listed under saved carts until it is ordered or discarded."""
    overdue.check_writable(standing)
    cart = _cart_to_change(scope, cart_id, now)
    if not cart.lines:
        raise ValidationFailed(N_("This cart is empty: there is nothing to save."))
    cart.status = "saved"
    cart.saved_at = now
    cart.updated_at = now
    scope.session.flush()
    return cart


def recalculate(scope: PartnerScope, cart_id: int, *, today: dt.date, now: dt.datetime,
                standing: overdue.Standing) -> tuple[Cart, Repricing]:
    """Save & Recalculate: re-price for today with the catalogue's quantity bands, and save."""
    overdue.check_writable(standing)
    cart = _cart_to_change(scope, cart_id, now)
    if not cart.lines:
        raise ValidationFailed(N_("This cart is empty: there is nothing to recalculate."))
    repricing = _reprice(scope, cart, today, with_bands=True)
    cart.bands_applied = True
    cart.status = "saved"
    cart.saved_at = now
    cart.updated_at = now
    scope.session.flush()
    return cart, repricing


def reopen(scope: PartnerScope, cart_id: int, *, today: dt.date, now: dt.datetime,
           standing: overdue.Standing) -> tuple[Cart, Repricing]:
    """Bring a cart to today: re-check its PBX (still that term, current period) and re-price."""
    overdue.check_writable(standing)
    cart = _cart_to_change(scope, cart_id, now)
    repricing = _reprice(scope, cart, today, cart.bands_applied)
    cart.updated_at = now
    scope.session.flush()
    return cart, repricing


def discard(scope: PartnerScope, cart_id: int, *, standing: overdue.Standing) -> Cart:
    overdue.check_writable(standing)
    cart = get_cart(scope, cart_id)
    scope.session.delete(cart)
    scope.session.flush()
    return cart
