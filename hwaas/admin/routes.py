import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from hwaas.admin import bp
from hwaas.admin.forms import BandForm, ImportForm, MarkPaidForm, ProductForm, TierForm
from hwaas.domain_forms import show_error
from hwaas.extensions import db
from hwaas.services import admin_catalogue
from hwaas.services import billing
from hwaas.services.errors import DomainError, ValidationFailed
from hwaas.services.paging import page_number
from hwaas.services.pricing import SUBSCRIPTION_TERMS
from hwaas.web import render, role_required, today

MAX_IMPORT_BYTES = 10 * 1024 * 1024


@bp.before_request
@login_required
@role_required("admin")
def _admins_only():
    return None


def _failed(form, error: DomainError) -> None:
    db.session.rollback()
    show_error(form, error)


# --- catalogue -------------------------------------------------------------------------------


@bp.route("/catalogue")
def catalogue():
    return render_template("admin/catalogue.html", products=admin_catalogue.products(db.session),
                           version=admin_catalogue.current_version(db.session), terms=SUBSCRIPTION_TERMS)


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


@bp.route("/catalogue/new", methods=["GET", "POST"])
def product_new():
    form = ProductForm(data={"active": True, "stock": 0} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            product = admin_catalogue.create_product(db.session, _product_input(form), current_user)
        except DomainError as error:
            _failed(form, error)
        else:
            flash(f"Product {product.sku} added. The price lists now use catalogue version "
                  f"{admin_catalogue.current_version(db.session).id}.", "success")
            return redirect(url_for("admin.product_edit", product_id=product.id), code=303)
    return _product_page(form, status=422 if form.errors else 200)


@bp.route("/catalogue/<int:product_id>", methods=["GET", "POST"])
def product_edit(product_id: int):
    product = admin_catalogue.product(db.session, product_id)
    if request.method == "GET":
        data = {"sku": product.sku, "name": product.name, "category": product.category,
                "description": product.description, "capex_price": product.capex_price,
                "stock": product.stock, "active": product.active}
        data.update({f"opex_{t}": product.opex_price(t) for t in SUBSCRIPTION_TERMS})
        return _product_page(ProductForm(formdata=None, data=data), product)
    form = ProductForm()
    if form.validate_on_submit():
        try:
            admin_catalogue.update_product(db.session, product_id, _product_input(form), current_user)
        except DomainError as error:
            _failed(form, error)
            product = admin_catalogue.product(db.session, product_id)
        else:
            flash(f"Product {form.sku.data.strip()} saved. The price lists now use catalogue version "
                  f"{admin_catalogue.current_version(db.session).id}.", "success")
            return redirect(url_for("admin.product_edit", product_id=product_id), code=303)
    return _product_page(form, product, status=422)


@bp.route("/catalogue/<int:product_id>/bands", methods=["POST"])
def band_add(product_id: int):
    product = admin_catalogue.product(db.session, product_id)
    band_form = BandForm()
    if band_form.validate_on_submit():
        try:
            band = admin_catalogue.add_band(db.session, product_id, band_form.min_quantity.data,
                                      band_form.discount_percent.data, current_user)
        except DomainError as error:
            _failed(band_form, error)
            product = admin_catalogue.product(db.session, product_id)
        else:
            flash(f"Quantity band from {band.min_quantity} units added to {product.sku}.", "success")
            return redirect(url_for("admin.product_edit", product_id=product_id) + "#bands", code=303)
    form = ProductForm(formdata=None, obj=None, data={
        "sku": product.sku, "name": product.name, "category": product.category,
        "description": product.description, "capex_price": product.capex_price, "stock": product.stock,
        "active": product.active, **{f"opex_{t}": product.opex_price(t) for t in SUBSCRIPTION_TERMS}})
    return _product_page(form, product, band_form, 422)


@bp.route("/catalogue/<int:product_id>/bands/<int:band_id>/delete", methods=["POST"])
def band_delete(product_id: int, band_id: int):
    # CSRFProtect has checked the token; there is nothing else to parse.
    admin_catalogue.delete_band(db.session, product_id, band_id, current_user)
    flash("Quantity band removed.", "success")
    return redirect(url_for("admin.product_edit", product_id=product_id) + "#bands", code=303)


# --- price tiers -----------------------------------------------------------------------------


def _tiers_page(form: TierForm, status: int = 200):
    return render_template("admin/tiers.html", rows=admin_catalogue.tiers(db.session), form=form,
                           form_has_errors=bool(form.errors)), status


@bp.route("/tiers", methods=["GET", "POST"])
def tiers():
    form = TierForm(formdata=None) if request.method == "GET" else TierForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                tier = admin_catalogue.create_tier(db.session, form.name.data, form.discount_percent.data, current_user)
            except DomainError as error:
                _failed(form, error)
            else:
                flash(f"Price tier {tier.name} added.", "success")
                return redirect(url_for("admin.tiers"), code=303)
        return _tiers_page(form, 422)
    return _tiers_page(form)


@bp.route("/tiers/<int:tier_id>", methods=["GET", "POST"])
def tier_edit(tier_id: int):
    tier = admin_catalogue.tier(db.session, tier_id)
    if request.method == "GET":
        form = TierForm(formdata=None, data={"name": tier.name, "discount_percent": tier.discount_percent})
    else:
        form = TierForm()
        if form.validate_on_submit():
            try:
                tier = admin_catalogue.update_tier(db.session, tier_id, form.name.data, form.discount_percent.data,
                                             current_user)
            except DomainError as error:
                _failed(form, error)
                tier = admin_catalogue.tier(db.session, tier_id)
            else:
                flash(f"Price tier {tier.name} saved; its partners' prices change at once.", "success")
                return redirect(url_for("admin.tiers"), code=303)
    return render_template("admin/tier.html", tier=tier, form=form,
                           form_has_errors=bool(form.errors)), 422 if form.errors else 200


# --- invoices --------------------------------------------------------------------------------


def _invoices_page(paid_form: tuple[int, MarkPaidForm] | None = None, import_form: ImportForm | None = None,
                   problems: list[str] | None = None, status: int = 200):
    state = request.args.get("status", "open")
    if state not in billing.INVOICE_FILTERS:
        state = "open"
    partner_id = request.args.get("partner", type=int)
    page = billing.invoice_list(db.session, today(), state, partner_id,
                                page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    failed_id, failed_form = paid_form if paid_form else (None, None)
    import_form = import_form or ImportForm(formdata=None)
    return render("admin/invoices.html", "admin/_invoices.html", status=status, results=page, state=state,
                  partner_id=partner_id, partners=billing.partner_choices(db.session),
                  filters=billing.INVOICE_FILTERS, failed_id=failed_id, failed_form=failed_form,
                  import_form=import_form, problems=problems or [],
                  form_has_errors=bool((failed_form and failed_form.errors) or import_form.errors or problems),
                  importer_available=_importer() is not None)


@bp.route("/invoices")
def invoices():
    return _invoices_page()


@bp.route("/invoices/<int:invoice_id>/paid", methods=["POST"])
def mark_paid(invoice_id: int):
    form = MarkPaidForm(prefix=f"invoice-{invoice_id}")
    if form.validate_on_submit():
        try:
            invoice = billing.mark_paid(db.session, invoice_id, form.paid_on.data, today())
        except DomainError as error:
            _failed(form, error)
        else:
            flash(f"Invoice {invoice.number} of {invoice.partner.name} is marked paid on "
                  f"{invoice.paid_on.isoformat()}. Any block it caused is lifted.", "success")
            return redirect(url_for("admin.invoices", **request.args), code=303)
    return _invoices_page((invoice_id, form), status=422)


def _importer():
    try:
        from hwaas.services import importer
    except ImportError:
        return None
    return importer


def _summary(report) -> str:
    parts = []
    for kind, label in getattr(_importer(), "KIND_LABELS", {}).items():
        created, updated = report.created.get(kind, 0), report.updated.get(kind, 0)
        if created or updated:
            parts.append(f"{label}: {created} created, {updated} updated")
    return "; ".join(parts) or "nothing changed"


@bp.route("/invoices/import", methods=["POST"])
def import_data():
    importer = _importer()
    form = ImportForm()
    if importer is None or not form.validate_on_submit():
        return _invoices_page(import_form=form, status=422)
    raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
    try:
        if len(raw) > MAX_IMPORT_BYTES:
            raise ValidationFailed("The file is larger than 10 MB.", field="file")
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValidationFailed("The file is not UTF-8 text. Nothing was imported.", field="file") from None
        except json.JSONDecodeError as error:
            raise ValidationFailed(f"The file is not valid JSON: {error.msg} at line {error.lineno}, column "
                                   f"{error.colno}. Nothing was imported.", field="file") from None
        try:
            report = importer.load(db.session, data, today())
            db.session.flush()
        except SQLAlchemyError:
            # e.g. a NUL character PostgreSQL cannot store: refused like the CLI does, never a 500.
            raise ValidationFailed("The database refused the file's data (a control character in a text, "
                                   "perhaps), so nothing was imported.", field="file") from None
    except ValidationFailed as error:
        db.session.rollback()
        problems = list(getattr(error, "problems", []))
        if problems:
            form.file.errors = [f"The file has {len(problems)} problem(s); nothing was imported."]
        else:
            show_error(form, error)
        return _invoices_page(import_form=form, problems=problems[:100], status=422)
    flash(f"Imported {form.file.data.filename}: {_summary(report)}.", "success")
    return redirect(url_for("admin.invoices"), code=303)
