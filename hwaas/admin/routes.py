"""The administrator's area: catalogue, price tiers, invoices (mark paid, import), partners' security."""
from flask import current_app, flash, render_template, request, url_for
from flask_babel import ngettext
from flask_babel import gettext as _
from flask_login import current_user

from hwaas.admin import bp
from hwaas.admin.forms import CATEGORY_NAMES, BandForm, ImportForm, MarkPaidForm, ProductForm, TierForm
from hwaas.auth.forms import PartnerSecurityForm
from hwaas.extensions import db
from hwaas.i18n import language
from hwaas.services import admin_catalogue, billing, importer, security_settings
from hwaas.services.documents import format_date
from hwaas.services.paging import page_number
from hwaas.services.pricing import SUBSCRIPTION_TERMS
from hwaas.domain_forms import record_id
from hwaas.web import access, failed, refusals, render, see_other, today

access(bp, "admin")

MAX_IMPORT_BYTES = 10 * 1024 * 1024


# --- catalogue -------------------------------------------------------------------------------


@bp.route("/catalogue")
def catalogue():
    return render_template("admin/catalogue.html", products=admin_catalogue.products(db.session),
                           version=admin_catalogue.current_version(db.session), terms=SUBSCRIPTION_TERMS,
                           category_names=CATEGORY_NAMES)


def _product_input(form: ProductForm) -> admin_catalogue.ProductInput:
    return admin_catalogue.ProductInput(
        sku=form.sku.data or "", name=form.name.data or "", category=form.category.data or "",
        capex_price=form.capex_price.data, stock=form.stock.data, active=form.active.data,
        description=form.description.data or "",
        opex={term: getattr(form, f"opex_{term}").data for term in SUBSCRIPTION_TERMS},
    )


def _product_page(form: ProductForm, product=None, band_form=None, status: int = 200):
    return render_template("admin/product.html", form=form, product=product,
                           band_form=band_form or BandForm(formdata=None),
                           form_has_errors=bool(form.errors or (band_form and band_form.errors))), status


def _product_data(product) -> dict:
    return {"sku": product.sku, "name": product.name, "category": product.category,
            "description": product.description, "capex_price": product.capex_price, "stock": product.stock,
            "active": product.active, **{f"opex_{t}": product.opex_price(t) for t in SUBSCRIPTION_TERMS}}


def _catalogue_version() -> int:
    return admin_catalogue.current_version(db.session).id


@bp.route("/catalogue/new", methods=["GET", "POST"])
def product_new():
    form = ProductForm(data={"active": True, "stock": 0} if request.method == "GET" else None)
    if form.validate_on_submit():
        with refusals(form) as refused:
            product = admin_catalogue.create_product(db.session, _product_input(form), current_user)
        if not refused:
            flash(_("Product %(sku)s added. The price lists now use catalogue version %(version)s.",
                    sku=product.sku, version=_catalogue_version()), "success")
            return see_other(url_for("admin.product_edit", product_id=product.id))
    return _product_page(form, status=failed(form))


@bp.route("/catalogue/<int:product_id>", methods=["GET", "POST"])
def product_edit(product_id: int):
    product = admin_catalogue.product(db.session, product_id)
    if request.method == "GET":
        return _product_page(ProductForm(formdata=None, data=_product_data(product)), product)
    form = ProductForm()
    if form.validate_on_submit():
        with refusals(form) as refused:
            product = admin_catalogue.update_product(db.session, product_id, _product_input(form), current_user)
        if not refused:
            flash(_("Product %(sku)s saved. The price lists now use catalogue version %(version)s.",
                    sku=product.sku, version=_catalogue_version()), "success")
            return see_other(url_for("admin.product_edit", product_id=product_id))
    return _product_page(form, admin_catalogue.product(db.session, product_id), status=422)


@bp.route("/catalogue/<int:product_id>/bands", methods=["POST"])
def band_add(product_id: int):
    product = admin_catalogue.product(db.session, product_id)
    band_form = BandForm()
    if band_form.validate_on_submit():
        with refusals(band_form) as refused:
            band = admin_catalogue.add_band(db.session, product_id, band_form.min_quantity.data,
                                            band_form.discount_percent.data, current_user)
        if not refused:
            flash(_("Quantity band from %(quantity)s units added to %(sku)s.", quantity=band.min_quantity,
                    sku=product.sku), "success")
            return see_other(url_for("admin.product_edit", product_id=product_id) + "#bands")
        product = admin_catalogue.product(db.session, product_id)
    return _product_page(ProductForm(formdata=None, data=_product_data(product)), product, band_form, 422)


@bp.route("/catalogue/<int:product_id>/bands/<int:band_id>/delete", methods=["POST"])
def band_delete(product_id: int, band_id: int):
    # CSRFProtect has checked the token; there is nothing else to parse.
    admin_catalogue.delete_band(db.session, product_id, band_id, current_user)
    flash(_("Quantity band removed."), "success")
    return see_other(url_for("admin.product_edit", product_id=product_id) + "#bands")


# --- price tiers -----------------------------------------------------------------------------


@bp.route("/tiers", methods=["GET", "POST"])
def tiers():
    form = TierForm(formdata=None) if request.method == "GET" else TierForm()
    if request.method == "POST":
        if form.validate_on_submit():
            with refusals(form) as refused:
                tier = admin_catalogue.create_tier(db.session, form.name.data, form.discount_percent.data,
                                                   current_user)
            if not refused:
                flash(_("Price tier %(name)s added.", name=tier.name), "success")
                return see_other(url_for("admin.tiers"))
    return render_template("admin/tiers.html", rows=admin_catalogue.tiers(db.session), form=form,
                           form_has_errors=bool(form.errors)), failed(form)


@bp.route("/tiers/<int:tier_id>", methods=["GET", "POST"])
def tier_edit(tier_id: int):
    tier = admin_catalogue.tier(db.session, tier_id)
    if request.method == "GET":
        form = TierForm(formdata=None, data={"name": tier.name, "discount_percent": tier.discount_percent})
    else:
        form = TierForm()
        if form.validate_on_submit():
            with refusals(form) as refused:
                tier = admin_catalogue.update_tier(db.session, tier_id, form.name.data,
                                                   form.discount_percent.data, current_user)
            if not refused:
                flash(_("Price tier %(name)s saved; its partners' prices change at once.", name=tier.name), "success")
                return see_other(url_for("admin.tiers"))
            tier = admin_catalogue.tier(db.session, tier_id)
    return render_template("admin/tier.html", tier=tier, form=form,
                           form_has_errors=bool(form.errors)), failed(form)


# --- invoices --------------------------------------------------------------------------------


def _invoices_page(paid_form: tuple[int, MarkPaidForm] | None = None, import_form: ImportForm | None = None,
                   problems: list[str] | None = None, status: int = 200):
    state = request.args.get("status", "open")
    if state not in billing.INVOICE_FILTERS:
        state = "open"
    partner_id = record_id(request.args.get("partner"))
    page = billing.invoice_list(db.session, today(), state, partner_id,
                                page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    failed_id, failed_form = paid_form if paid_form else (None, None)
    import_form = import_form or ImportForm(formdata=None)
    return render("admin/invoices.html", "admin/_invoices.html", status=status, results=page, state=state,
                  partner_id=partner_id, partners=billing.partner_choices(db.session),
                  filters=billing.INVOICE_FILTERS, failed_id=failed_id, failed_form=failed_form,
                  import_form=import_form, problems=problems or [],
                  form_has_errors=bool((failed_form and failed_form.errors) or import_form.errors or problems))


@bp.route("/invoices")
def invoices():
    return _invoices_page()


@bp.route("/invoices/<int:invoice_id>/paid", methods=["POST"])
def mark_paid(invoice_id: int):
    form = MarkPaidForm(prefix=f"invoice-{invoice_id}")
    if form.validate_on_submit():
        with refusals(form) as refused:
            invoice = billing.mark_paid(db.session, invoice_id, form.paid_on.data, today())
        if not refused:
            flash(_("Invoice %(number)s of %(partner)s is marked paid on %(paid_on)s. Any block it caused is "
                    "lifted.", number=invoice.number, partner=invoice.partner.name,
                    paid_on=format_date(invoice.paid_on, language())), "success")
            return see_other(url_for("admin.invoices", **request.args))
    return _invoices_page((invoice_id, form), status=422)


@bp.route("/invoices/import", methods=["POST"])
def import_data():
    form = ImportForm()
    if not form.validate_on_submit():
        return _invoices_page(import_form=form, status=422)
    with refusals(form, {None: "file"}) as refused:
        report = importer.load_upload(db.session, form.file.data.read(MAX_IMPORT_BYTES + 1), MAX_IMPORT_BYTES,
                                      today())
    if refused:
        problems = list(getattr(refused.error, "problems", []))
        if problems:
            form.file.errors = [ngettext("The file has %(num)d problem(s); nothing was imported.",
                                         "The file has %(num)d problem(s); nothing was imported.", len(problems))]
        return _invoices_page(import_form=form, problems=[getattr(p, "message", p) for p in problems[:100]],
                              status=422)
    flash(_("Imported %(file)s: %(summary)s.", file=form.file.data.filename, summary=report.summary().message), "success")
    return see_other(url_for("admin.invoices"))


# --- partners' sign-in security ----------------------------------------------------------------


@bp.route("/partners")
def partners():
    return render_template("admin/partners.html", partners=security_settings.partners(db.session),
                           form=PartnerSecurityForm())


@bp.route("/partners/<int:partner_id>/two-factor", methods=["POST"])
def partner_two_factor(partner_id: int):
    form = PartnerSecurityForm()
    if form.validate_on_submit():
        partner = security_settings.set_two_factor_required(db.session, partner_id, form.totp_required.data)
        if partner.totp_required:
            flash(_("%(partner)s: a second factor is now required.", partner=partner.name), "success")
        else:
            flash(_("%(partner)s: a second factor is optional.", partner=partner.name), "success")
    return see_other(url_for("admin.partners"))
