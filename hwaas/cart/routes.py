"""Cart views: parse the form, call one service, choose the response (fragment, page or 303)."""
import uuid

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hwaas.cart import bp
from hwaas.cart.forms import NEW_ADDRESS, CheckoutForm, address_choices
from hwaas.domain_forms import record_id
from hwaas.messages import N_
from hwaas.models.types import utcnow
from hwaas.services import agreements, carts, checkout
from hwaas.services.errors import CartCheckedOut, StaleCart
from hwaas.web import (
    access, current_standing, failed, is_partial_request, refusal_page, refusals, render, scope, see_other, today,
)

access(bp, "partner")


def cart_context(cart, problems=None, line_errors=None, message=None):
    """What the cart page and its #cart fragment show; one function for both (STYLE rule 8)."""
    quote = carts.quote_cart(cart)
    current = quote.is_current(today())
    return {
        "cart": cart, "quote": quote, "current": current, "editable": current,
        "band_saving": carts.band_saving(scope(), quote) if current else None,
        "problems": problems or [], "line_errors": line_errors or {}, "message": message,
        "form_has_errors": bool(problems),
    }


def _cart_response(cart_id: int, status: int = 200, **context):
    cart = carts.get_cart(scope(), cart_id)
    # The page around the widget says when Checkout will need the customer's signed agreement.
    signed = None if is_partial_request() else agreements.has_signed(scope().session, cart.customer_id)
    return render("cart/show.html", "cart/_cart.html", status=status, agreement_signed=signed,
                  **cart_context(cart, **context))


def _after_change(cart_id: int, message: str):
    """htmx gets the cart widget in its new state; a plain form goes back to the cart page."""
    if is_partial_request():
        return _cart_response(cart_id, message=message)
    flash(message, "success")
    return see_other(url_for("cart.show", cart_id=cart_id))


def _refused(cart_id: int, refused, anchor: str = "cart", line_id: int | None = None):
    """The cart again with the service's refusal: in the summary, and next to its line if any.
    A cart that became an order has no cart page any more: the refusal names the order."""
    if isinstance(refused.error, CartCheckedOut):
        return refusal_page(409, _("This cart is an order now"), refused.message,
                            (url_for("orders.show", order_id=refused.error.order_id), _("Open the order")))
    if isinstance(refused.error, StaleCart):
        anchor = "stale"  # the inputs are not shown on a stale cart: point at Reopen
    line_errors = {line_id: refused.message} if line_id and anchor != "stale" else {}
    return _cart_response(cart_id, status=422, problems=[(anchor, refused.message)], line_errors=line_errors)


@bp.get("/")
def index():
    quotes = carts.live_carts(scope())
    return render_template(
        "cart/index.html",
        in_progress=[q for q in quotes if q.cart.status == "open"],
        saved=[q for q in quotes if q.cart.status == "saved"],
    )


@bp.get("/<int:cart_id>")
def show(cart_id: int):
    return _cart_response(cart_id)


@bp.post("/<int:cart_id>/lines/<int:line_id>")
def update_line(cart_id: int, line_id: int):
    raw = request.form.get("quantity", "").strip()
    quantity = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 6 else -1
    if quantity == 0:  # 0 removes the line, and says so
        return _remove(cart_id, line_id, N_("%(name)s was removed from the cart (quantity 0)."))
    with refusals() as refused:
        cart = carts.set_quantity(scope(), cart_id, line_id, quantity, today=today(), now=utcnow(),
                                  standing=current_standing())
    if refused:
        return _refused(cart_id, refused, anchor=f"qty-{line_id}", line_id=line_id)
    line = next(l for l in cart.lines if l.id == line_id)
    return _after_change(cart_id, _("%(name)s: quantity %(quantity)s.", name=line.product.name,
                                     quantity=line.quantity))


@bp.post("/<int:cart_id>/lines/<int:line_id>/remove")
def remove_line(cart_id: int, line_id: int):
    return _remove(cart_id, line_id, N_("%(name)s was removed from the cart."))


def _remove(cart_id: int, line_id: int, said: str):
    """`said`: the N_-marked sentence that tells the line is gone, with the product's %(name)s."""
    with refusals() as refused:
        _cart, name = carts.remove_line(scope(), cart_id, line_id, today=today(), now=utcnow(),
                                    standing=current_standing())
    if refused:
        return _refused(cart_id, refused)
    return _after_change(cart_id, _(said, name=name))


@bp.post("/<int:cart_id>/save")
def save(cart_id: int):
    with refusals() as refused:
        cart = carts.save(scope(), cart_id, now=utcnow(), standing=current_standing())
    if refused:
        return _refused(cart_id, refused)
    flash(_("Cart saved: %(customer)s · %(pbx)s. It is listed under Saved carts.", customer=cart.customer.name,
            pbx=cart.pbx.name), "success")
    return see_other(url_for("cart.index", _anchor="saved-carts"))


@bp.post("/<int:cart_id>/recalculate")
def recalculate(cart_id: int):
    with refusals() as refused:
        _cart, repricing = carts.recalculate(scope(), cart_id, today=today(), now=utcnow(), standing=current_standing())
    if refused:
        return _refused(cart_id, refused)
    flash(_("Cart saved. %(repricing)s", repricing=repricing.message), "success")
    return see_other(url_for("cart.show", cart_id=cart_id))


@bp.post("/<int:cart_id>/reopen")
def reopen(cart_id: int):
    with refusals() as refused:
        _cart, repricing = carts.reopen(scope(), cart_id, today=today(), now=utcnow(), standing=current_standing())
    if refused:
        return _refused(cart_id, refused)
    flash(repricing.message, "success" if not repricing.changed else "info")
    return see_other(url_for("cart.show", cart_id=cart_id))


@bp.post("/<int:cart_id>/discard")
def discard(cart_id: int):
    with refusals() as refused:
        cart = carts.discard(scope(), cart_id, standing=current_standing())
    if refused:
        return _refused(cart_id, refused)
    flash(_("The cart for %(customer)s · %(pbx)s was discarded.", customer=cart.customer.name, pbx=cart.pbx.name),
          "success")
    return see_other(url_for("cart.index"))


@bp.route("/<int:cart_id>/checkout", methods=["GET", "POST"], endpoint="checkout")
def checkout_view(cart_id: int):
    """The review step (GET) and placing the order (POST); the review is rebuilt after a refusal.

    A POST goes straight to the service, which reads and locks the cart itself: building the
    review first would read the cart twice on the path every order takes (docs/performance.md).
    """
    s = scope()
    form = CheckoutForm()
    if request.method == "POST":
        book = checkout.addresses(s)  # kept: place_order finds the chosen address among these
        form.address.choices = address_choices(book)
        if form.validate():
            with refusals(form) as refused:
                placed = checkout.place_order(
                    s, current_user._get_current_object(), cart_id,
                    idempotency_key=form.idempotency_key.data, reference=form.reference.data,
                    terms_accepted=form.accept_terms.data, expected_total=form.expected_total.data,
                    address_id=record_id(form.address.data), new_address=form.new_address(),
                    standing=current_standing(), today=today(), now=utcnow(),
                )
            if not refused:
                order = placed.order
                if placed.created:
                    flash(_("Order %(number)s placed. It is Awaiting approval.", number=order.number), "success")
                else:
                    flash(_("Order %(number)s was already placed; here it is.", number=order.number), "info")
                return see_other(url_for("orders.show", order_id=order.id))
    review = checkout.review(s, cart_id, current_standing(), today())
    if review.order is not None:  # a repeat of a placed checkout (back button, double submit)
        if request.method == "POST":
            flash(_("Order %(number)s was already placed; here it is.", number=review.order.number), "info")
        return see_other(url_for("orders.show", order_id=review.order.id))
    form.address.choices = address_choices(review.addresses)
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.address.data = _default_address(review)
    form.expected_total.data = str(review.quote.total)  # the total this page shows is the one accepted
    needs_address = checkout.has_hardware(review.cart)
    form.services_only.data = "" if needs_address else "1"
    return render_template("cart/checkout.html", cart=review.cart, quote=review.quote, form=form,
                           blockers=review.blockers, needs_address=needs_address,
                           form_has_errors=bool(form.errors)), failed(form)


def _default_address(review) -> str | None:
    """The entry the customer's latest order went to; none when there is none (the partner
    chooses: another customer's warehouse is never a guess); a new one when the book is empty."""
    if review.last_used_address_id is not None:
        return str(review.last_used_address_id)
    return None if review.addresses else NEW_ADDRESS
