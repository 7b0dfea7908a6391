"""Devices views: the PBX's page, Replace, Cancel (confirmation page or dialog), Withdraw,
Order CLASSOUND. Thin: each parses its form, calls one service and chooses the response."""
from flask import current_app, flash, redirect, request, url_for

from hwaas.devices import bp
from hwaas.devices.forms import CancelForm, ChooseForm, ClassoundForm, ReplaceForm, WithdrawForm
from hwaas.cart.forms import NEW_ADDRESS
from hwaas.domain_forms import show_error
from hwaas.extensions import db
from hwaas.models.types import utcnow
from hwaas.services import cancellations, carts, checkout, devices, replacements
from hwaas.services.errors import DomainError, NotFound
from hwaas.web import current_standing, render, role_required, scope, today

partners_only = role_required("partner")


def _pbx_url(pbx_id: int, **kw) -> str:
    return url_for("devices.pbx", pbx_id=pbx_id, _external=True, **kw)


@bp.get("/pbxs/<int:pbx_id>")
@partners_only
def pbx(pbx_id: int):
    return render("devices/pbx.html", "devices/pbx.html", view=devices.pbx_page(scope(), pbx_id, today()))


@bp.route("/pbxs/<int:pbx_id>/replace", methods=["GET", "POST"])
@partners_only
def replace(pbx_id: int):
    page = devices.pbx_page(scope(), pbx_id, today())
    form = ReplaceForm() if request.method == "POST" else ReplaceForm(formdata=None)
    form.address.choices = [(str(a.id), a.label + " — " + a.one_line()) for a in checkout.addresses(scope())] + [
        (NEW_ADDRESS, "A new address")]
    chosen = request.form.getlist("devices") if request.method == "POST" else request.args.getlist("devices")
    if request.method == "POST" and form.validate():
        try:
            made = replacements.request_replacement(
                scope(), current_user_obj(), pbx_id, chosen, form.reason.data, form.note.data or "",
                standing=current_standing(), now=utcnow(), address_id=form.address_id(),
                new_address=form.new_address(), url=url_for("manager.replacements", _external=True))
        except NotFound:
            raise
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            page = devices.pbx_page(scope(), pbx_id, today())
        else:
            flash(f"Replacement request {made.number} sent: the area manager will approve it and ship the new "
                  "devices. Follow it on this page.", "success")
            return redirect(url_for("devices.pbx", pbx_id=pbx_id) + f"#replacement-{made.id}", code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render("devices/replace.html", "devices/replace.html", status=status, view=page, form=form,
                  chosen=set(chosen), form_has_errors=status == 422)


@bp.route("/pbxs/<int:pbx_id>/cancel", methods=["GET", "POST"])
@partners_only
def cancel(pbx_id: int):
    """GET: the confirmation for the devices chosen (?devices=…), as a page or, for htmx, a
    dialog; POST: confirm. A refused choice comes back with the reason (422)."""
    if request.method == "POST":
        form = CancelForm()
        chosen = request.form.getlist("devices")
        if form.validate():
            try:
                made = cancellations.confirm(scope(), current_user_obj(), pbx_id, chosen, today(), utcnow(),
                                             current_standing(), _pbx_url(pbx_id),
                                             current_app.config["CURRENCY"])
            except NotFound:
                raise
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                flash(f"Cancelled {made.quantity} device(s): they stop on {made.effective_on.isoformat()}. "
                      "You can withdraw the cancellation until then.", "success")
                return redirect(url_for("devices.pbx", pbx_id=pbx_id) + "#cancellations-title", code=303)
    else:
        form = CancelForm(formdata=None)
        chosen = request.args.getlist("devices")
    preview = None
    choosing = request.method == "GET" and not chosen and not request.headers.get("HX-Request")
    if not choosing and not form.errors and not form.form_errors:
        try:
            preview = cancellations.preview(scope(), pbx_id, chosen, today())
        except NotFound:
            raise
        except DomainError as error:
            show_error(form, error)
    page = devices.pbx_page(scope(), pbx_id, today()) if preview is None else None
    status = 200 if preview is not None or choosing else 422
    context = dict(preview=preview, form=form, chosen=set(chosen), form_has_errors=status == 422,
                   fee_text=cancellations.fee_text(preview.fee, current_app.config["CURRENCY"]) if preview else "",
                   view=page or _Header(preview.pbx), action_url=url_for("devices.cancel", pbx_id=pbx_id),
                   choose_legend="Devices to cancel", choose_button="Review the cancellation")
    return render("devices/cancel.html", "devices/_cancel_dialog.html", status=status, **context)


class _Header:
    """What the Cancel page's header needs when the preview already carries the PBX."""

    def __init__(self, pbx):
        self.pbx = pbx
        self.customer = pbx.customer


@bp.post("/cancellations/<int:cancellation_id>/withdraw")
@partners_only
def withdraw(cancellation_id: int):
    form = WithdrawForm()
    cancellation = cancellations.get(scope(), cancellation_id)
    pbx_id = cancellation.pbx_id
    if not form.validate():
        flash("This form has expired; try again.", "error")
        return redirect(url_for("devices.pbx", pbx_id=pbx_id), code=303)
    try:
        cancellations.withdraw(scope(), current_user_obj(), cancellation_id, today(), utcnow(), current_standing(),
                               _pbx_url(pbx_id))
    except NotFound:
        raise
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("devices.pbx", pbx_id=pbx_id), code=303)
    flash("The cancellation was withdrawn: the devices stay and renew with the PBX.", "success")
    return redirect(url_for("devices.pbx", pbx_id=pbx_id) + "#cancellations-title", code=303)


@bp.route("/customers/<int:customer_id>/classound", methods=["GET", "POST"])
@partners_only
def classound(customer_id: int):
    customer, offers = devices.classound_offers(scope(), customer_id, today())
    form = ClassoundForm() if request.method == "POST" else ClassoundForm(formdata=None)
    form.pbx_id.choices = [(str(o.pbx.id), o.pbx.name) for o in offers if o.available]
    if request.method == "GET" and request.args.get("pbx"):
        form.pbx_id.data = request.args.get("pbx")
    if request.method == "POST" and form.validate():
        try:
            cart = carts.add_classound(scope(), pbx_id=int(form.pbx_id.data), today=today(), now=utcnow(),
                                       standing=current_standing())
        except NotFound:
            raise
        except DomainError as error:
            db.session.rollback()
            show_error(form, DomainError(error.message, "pbx_id"))
        else:
            flash("CLASSOUND was added to the cart.", "success")
            return redirect(url_for("cart.show", cart_id=cart.id), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render("devices/classound.html", "devices/classound.html", status=status, customer=customer,
                  offers=offers, form=form, form_has_errors=status == 422)


def current_user_obj():
    from flask_login import current_user

    return current_user._get_current_object()
