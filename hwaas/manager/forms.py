from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from hwaas.domain_forms import NoControlCharacters
from hwaas.i18n import lazy_gettext as _l


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Note for the partner (optional)"), validators=[Length(max=500), NoControlCharacters(True)])


class RejectForm(FlaskForm):
    note = TextAreaField(_l("Reason"), validators=[InputRequired(_l("Enter the reason; the partner will see it.")),
                                               Length(max=500), NoControlCharacters(True)])


class OrderActionForm(FlaskForm):
    note = TextAreaField(_l("Note for the partner (optional)"), validators=[Length(max=500), NoControlCharacters(True)])


class OrderReasonForm(FlaskForm):
    note = TextAreaField(_l("Reason"), validators=[InputRequired(_l("Enter the reason; the partner will see it.")),
                                               Length(max=500), NoControlCharacters(True)])


class ShipForm(FlaskForm):
    shipment_date = DateField(_l("Shipment date"), validators=[InputRequired(_l("Enter the shipment date."))],
                              format="%Y-%m-%d")
    note = TextAreaField(_l("Note for the partner (optional)"),
                         validators=[Optional(), Length(max=500), NoControlCharacters(True)])


def ship_form_class(lines) -> type[ShipForm]:
    """The Ship form of one order: a serial numbers field per line, named after the line."""
    from hwaas.services.orders import units_field

    fields = {units_field(line.id): TextAreaField(
        _("Serial numbers: %(product)s (%(quantity)s)", product=line.name, quantity=line.quantity),
        validators=[Length(max=60 * line.quantity + 100), NoControlCharacters(True)]) for line in lines}
    return type("OrderShipForm", (ShipForm,), fields)


def order_action_form(action: str, lines=(), **kwargs) -> FlaskForm:
    """The form of one order action; its prefix keeps ids unique when all are on one page."""
    if action == "ship":
        return ship_form_class(lines)(prefix=action, **kwargs)
    cls = {"reject": OrderReasonForm, "cancel": OrderReasonForm}.get(action, OrderActionForm)
    return cls(prefix=action, **kwargs)


class ShipReplacementForm(FlaskForm):
    shipment_date = DateField(_l("Shipment date"), validators=[InputRequired(_l("Enter the shipment date."))],
                              format="%Y-%m-%d")
    serials = TextAreaField(_l("Serial numbers of the new devices"),
                            validators=[Length(max=4000), NoControlCharacters(True)])
    note = TextAreaField(_l("Note for the partner (optional)"),
                         validators=[Optional(), Length(max=500), NoControlCharacters(True)])


def replacement_action_form(action: str, **kwargs) -> FlaskForm:
    """The form of one replacement action; its prefix keeps ids unique when all are on one page."""
    cls = {"ship": ShipReplacementForm, "reject": OrderReasonForm}.get(action, OrderActionForm)
    return cls(prefix=f"r{action}", **kwargs)
