"""Customer views: the searchable list, a customer's PBXs and Devices, Order HWaaS."""
from flask import current_app, flash, redirect, render_template, request, url_for

from hwaas.cart.forms import attach_error
from hwaas.customers import bp
from hwaas.customers.forms import add_to_cart_form
from hwaas.models.types import utcnow
from hwaas.services import carts, customers
from hwaas.services.errors import DomainError, NotASubscription, NotFound, TermMismatch
from hwaas.services.paging import page_number
from hwaas.services.pricing import SUBSCRIPTION_TERMS, TERM_LABELS
from hwaas.web import current_standing, render, role_required, scope, today

partners_only = role_required("partner")
DURATIONS = [(term, TERM_LABELS[term]) for term in SUBSCRIPTION_TERMS]


@bp.get("/")
@partners_only
def index():
    query = request.args.get("q", "").strip()
    page = customers.search(scope(), query, page_number(request.args.get("page")),
                            current_app.config["PAGE_SIZE"])
    return render("customers/index.html", "customers/_results.html", q=query, results=page)


@bp.get("/<int:customer_id>")
@partners_only
def show(customer_id: int):
    return render_template("customers/show.html", overview=customers.overview(scope(), customer_id, today()))


@bp.route("/<int:customer_id>/order-hwaas", methods=["GET", "POST"])
@partners_only
def order(customer_id: int):
    """Duration → PBX of that term → quantities → Add to cart. GET (and the htmx swap of
    #order-form) shows the options for a Duration; POST adds to the cart."""
    values = request.form if request.method == "POST" else request.args
    term = values.get("term")
    pbx = values.get("pbx_id") or values.get("pbx")
    options = customers.order_options(scope(), customer_id, term, today(),
                                      int(pbx) if pbx and pbx.isdigit() else None)
    form = add_to_cart_form(options.products, options.pbxs, posted=request.method == "POST",
                            term=options.term, pbx_id=options.selected_pbx_id)
    if request.method == "POST":
        form.term.data = term  # what was posted, even a term this page would not offer
        if form.validate():
            try:
                cart, repricing = carts.add_to_cart(
                    scope(), customer_id=customer_id, pbx_id=form.pbx_id.data, term=term,
                    quantities=form.quantities(), today=today(), now=utcnow(), standing=current_standing())
            except NotFound:
                raise
            except (TermMismatch, NotASubscription) as error:
                attach_error(form, DomainError(error.message, "pbx_id"))
            except DomainError as error:
                first_quantity = next((f"qty_{item.product.id}" for item in options.products), None)
                attach_error(form, error, {"term": "pbx_id", "products": first_quantity})
            else:
                if repricing is not None and repricing.changed:
                    flash(repricing.message, "info")
                flash("Added to the cart.", "success")
                return redirect(url_for("cart.show", cart_id=cart.id), code=303)
    status = 422 if form.errors else 200
    return render("customers/order.html", "customers/_order_form.html", status=status,
                  options=options, form=form, durations=DURATIONS, form_has_errors=bool(form.errors))
