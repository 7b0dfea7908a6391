"""Devices views: the PBX's page, Replace, Cancel (confirmation page or dialog), Withdraw,
Order CLASSOUND. Thin: each parses its form, calls one service and chooses the response."""
from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hwaas.cart.forms import address_choices
from hwaas.devices import bp
from hwaas.devices.forms import CancelForm, ClassoundForm, ReplaceForm, WithdrawForm
from hwaas.domain_forms import record_id
from hwaas.i18n import language
from hwaas.models.types import utcnow
from hwaas.services import cancellations, carts, checkout, devices, replacements, revenue
from hwaas.services.documents import format_date
from hwaas.web import access, current_standing, external_url, failed, refusals, render, scope, see_other, today

access(bp, "partner")


def _user():
    return current_user._get_current_object()


def _chosen() -> list[str]:
    """The devices ticked, from the posted form or the query string (?devices=…)."""
    return (request.form if request.method == "POST" else request.args).getlist("devices")


@bp.get("/pbxs/<int:pbx_id>")
def pbx(pbx_id: int):
    view = devices.pbx_page(scope(), pbx_id, today())
    renewal = revenue.next_renewals(scope(), [view.pbx], today()).get(view.pbx.id)
    return render("devices/pbx.html", view=view, renewal=renewal)


@bp.route("/pbxs/<int:pbx_id>/replace", methods=["GET", "POST"])
def replace(pbx_id: int):
    """GET: the form, with the devices ticked on the PBX's page chosen; POST: send the request."""
    form = ReplaceForm() if request.method == "POST" else ReplaceForm(formdata=None)
    form.address.choices = address_choices(checkout.addresses(scope()))
    if request.method == "POST" and form.validate():
        with refusals(form) as refused:
            made = replacements.request_replacement(
                scope(), _user(), pbx_id, _chosen(), form.reason.data, form.note.data or "",
                standing=current_standing(), now=utcnow(), address_id=record_id(form.address.data),
                new_address=form.new_address(), url=external_url("manager.replacements"))
        if not refused:
            flash(_("Replacement request %(number)s sent: the area manager approves it and ships the new "
                    "devices; follow it on this page.", number=made.number), "success")
            return see_other(url_for("devices.pbx", pbx_id=pbx_id, _anchor=f"replacement-{made.id}"))
    if request.method == "GET" and form.address.choices:
        form.address.data = form.address.choices[0][0]
    return render("devices/replace.html", status=failed(form), view=devices.pbx_page(scope(), pbx_id, today()),
                  form=form, chosen=set(_chosen()), form_has_errors=bool(form.errors))


@bp.route("/pbxs/<int:pbx_id>/cancel", methods=["GET", "POST"])
def cancel(pbx_id: int):
    """GET with devices (?devices=…): the confirmation, as a page or, for htmx, a dialog; GET
    without: choose them; POST: confirm. A refused choice comes back with its reason (422)."""
    form = CancelForm() if request.method == "POST" else CancelForm(formdata=None)
    chosen = _chosen()
    if request.method == "POST" and form.validate():
        with refusals(form) as refused:
            made = cancellations.confirm(scope(), _user(), pbx_id, chosen, today(), utcnow(), current_standing(),
                                         external_url("devices.pbx", pbx_id=pbx_id),
                                         current_app.config["CURRENCY"])
        if not refused:
            flash(_("%(quantity)s device(s) cancelled: they stop on %(date)s and are to be returned. You can "
                    "withdraw the cancellation until then.", quantity=made.quantity,
                    date=format_date(made.effective_on, language())), "success")
            return see_other(url_for("devices.pbx", pbx_id=pbx_id, _anchor="cancellations-title"))
    preview = None
    choosing = request.method == "GET" and not chosen and not request.headers.get("HX-Request")
    if not choosing and not form.errors:
        with refusals(form):
            preview = cancellations.preview(scope(), pbx_id, chosen, today())
    view = devices.pbx_page(scope(), pbx_id, today()) if preview is None else devices.PbxHeader(preview.pbx)
    fee_text = (cancellations.fee_text(preview.fee, current_app.config["CURRENCY"], language())
                if preview else "")
    return render("devices/cancel.html", "devices/_cancel_dialog.html", status=failed(form), view=view,
                  preview=preview, form=form, chosen=set(chosen), fee_text=fee_text,
                  form_has_errors=bool(form.errors), action_url=url_for("devices.cancel", pbx_id=pbx_id),
                  choose_legend=_("Devices to cancel"), choose_button=_("Review the cancellation"))


@bp.post("/cancellations/<int:cancellation_id>/withdraw")
def withdraw(cancellation_id: int):
    form = WithdrawForm()
    pbx_id = cancellations.get(scope(), cancellation_id).pbx_id
    if form.validate():
        with refusals() as refused:
            cancellations.withdraw(scope(), _user(), cancellation_id, today(), utcnow(), current_standing(),
                                   external_url("devices.pbx", pbx_id=pbx_id))
        if refused:
            flash(refused.message, "error")
        else:
            flash(_("The cancellation was withdrawn: the devices stay and renew with the PBX."), "success")
    return see_other(url_for("devices.pbx", pbx_id=pbx_id, _anchor="cancellations-title"))


@bp.route("/customers/<int:customer_id>/classound", methods=["GET", "POST"])
def classound(customer_id: int):
    """Order CLASSOUND: the customer's PBXs with the price prorated to each one's expiry (or why
    it is not offered); POST puts it in the PBX's cart."""
    customer, offers = devices.classound_offers(scope(), customer_id, today())
    form = ClassoundForm() if request.method == "POST" else ClassoundForm(formdata=None)
    form.pbx_id.choices = [(str(o.pbx.id), o.pbx.name) for o in offers if o.available]
    if request.method == "GET":
        form.pbx_id.data = request.args.get("pbx")
    elif form.validate():
        with refusals(form, {"pbx_id": "pbx_id", None: "pbx_id"}) as refused:
            cart = carts.add_classound(scope(), pbx_id=record_id(form.pbx_id.data), today=today(), now=utcnow(),
                                       standing=current_standing())
        if not refused:
            flash(_("CLASSOUND was added to the cart."), "success")
            return see_other(url_for("cart.show", cart_id=cart.id))
    return render("devices/classound.html", status=failed(form), customer=customer, offers=offers, form=form,
                  form_has_errors=bool(form.errors))
