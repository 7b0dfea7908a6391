"""The address book: list, edit and delete the partner's delivery addresses."""
from flask import flash, render_template, request, url_for
from flask_babel import gettext as _

from hwaas.addresses import bp
from hwaas.addresses.forms import AddressForm
from hwaas.services import addresses
from hwaas.web import access, failed, refusals, scope, see_other

access(bp, "partner")


@bp.get("/")
def index():
    return render_template("addresses/index.html", book=addresses.book(scope()))


@bp.route("/<int:address_id>/edit", methods=["GET", "POST"])
def edit(address_id: int):
    entry = addresses.get(scope(), address_id)
    form = AddressForm(obj=entry if request.method == "GET" else None)
    if form.validate_on_submit():
        with refusals(form) as refused:
            entry = addresses.change(scope(), address_id, form.address())
        if not refused:
            flash(_("%(label)s was changed.", label=entry.label), "success")
            return see_other(url_for("addresses.index"))
    return render_template("addresses/edit.html", entry=entry, form=form), failed(form)


@bp.post("/<int:address_id>/delete")
def delete(address_id: int):
    entry = addresses.delete(scope(), address_id)
    flash(_("%(label)s was deleted from your address book. Orders placed to it keep their address.",
            label=entry.label), "success")
    return see_other(url_for("addresses.index"))
