"""Customer views: the searchable list, a customer's PBXs and Devices, Order HWaaS."""
from flask import current_app, flash, render_template, request, url_for
from flask_babel import gettext as _

from hwaas.customers import bp
from hwaas.customers.forms import add_to_cart_form
from hwaas.domain_forms import has_control_characters, record_id
from hwaas.i18n import lazy_gettext as _l
from hwaas.models.types import utcnow
from hwaas.extensions import db
from hwaas.services import agreements, carts, customers, revenue
from hwaas.services.paging import page_number
from hwaas.services.pricing import SUBSCRIPTION_TERMS, TERM_LABELS
from hwaas.web import access, current_standing, failed, is_partial_request, refusals, render, scope, see_other, today

access(bp, "partner")

DURATIONS = [(term, TERM_LABELS[term]) for term in SUBSCRIPTION_TERMS]
SEARCH_REFUSED = _l("Remove the control characters from the search; use letters, digits and punctuation.")


@bp.get("/")
def index():
    query = request.args.get("q", "").strip()
    refused = has_control_characters(query)
    page = customers.search(scope(), "" if refused else query, page_number(request.args.get("page")),
                            current_app.config["PAGE_SIZE"])
    return render("customers/index.html", "customers/_results.html", status=422 if refused else 200,
                  q="" if refused else query, q_error=SEARCH_REFUSED if refused else None, results=page,
                  mrr=revenue.mrr_by_customer(scope(), (c.id for c, _count in page.items), today()),
                  form_has_errors=refused)


@bp.get("/<int:customer_id>")
def show(customer_id: int):
    overview = customers.overview(scope(), customer_id, today())
    return render_template("customers/show.html", overview=overview,
                           renewals=revenue.next_renewals(scope(), [s.pbx for s in overview.pbxs], today()))


@bp.route("/<int:customer_id>/order-hwaas", methods=["GET", "POST"])
def order(customer_id: int):
    """Duration → PBX of that term → quantities → Add to cart. GET (and the htmx swap of
    #order-form) shows the options for a Duration; POST adds to the cart."""
    values = request.form if request.method == "POST" else request.args
    term = values.get("term")
    options = customers.order_options(scope(), customer_id, term, today(),
                                      record_id(values.get("pbx_id") or values.get("pbx")))
    form = add_to_cart_form(options.products, options.pbxs, posted=request.method == "POST",
                            term=options.term, pbx_id=options.selected_pbx_id)
    if request.method == "POST":
        form.term.data = term  # what was posted, even a term this page would not offer
        if form.validate():
            first_quantity = next((f"qty_{item.product.id}" for item in options.products), None)
            with refusals(form, {"term": "pbx_id", "products": first_quantity}) as refused:
                cart, repricing = carts.add_to_cart(
                    scope(), customer_id=customer_id, pbx_id=form.pbx_id.data, term=term,
                    quantities=form.quantities(), today=today(), now=utcnow(), standing=current_standing())
            if not refused:
                if repricing is not None and repricing.changed:
                    flash(repricing.message, "info")
                flash(_("Added to the cart."), "success")
                return see_other(url_for("cart.show", cart_id=cart.id))
    return render("customers/order.html", "customers/_order_form.html", status=failed(form),
                  options=options, form=form, durations=DURATIONS, form_has_errors=bool(form.errors),
                  agreement_signed=None if is_partial_request() else agreements.has_signed(db.session, customer_id))
