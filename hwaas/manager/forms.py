from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from hwaas.domain_forms import NoControlCharacters


class ReviewForm(FlaskForm):
    note = TextAreaField("Note for the partner (optional)", validators=[Length(max=500), NoControlCharacters(True)])


class RejectForm(FlaskForm):
    note = TextAreaField("Reason", validators=[InputRequired("Enter the reason; the partner will see it."),
                                               Length(max=500), NoControlCharacters(True)])


class OrderActionForm(FlaskForm):
    note = TextAreaField("Note for the partner (optional)", validators=[Length(max=500), NoControlCharacters(True)])


class OrderReasonForm(FlaskForm):
    note = TextAreaField("Reason", validators=[InputRequired("Enter the reason; the partner will see it."),
                                               Length(max=500), NoControlCharacters(True)])


class ShipForm(FlaskForm):
    shipment_date = DateField("Shipment date", validators=[InputRequired("Enter the shipment date.")],
                              format="%Y-%m-%d")
    note = TextAreaField("Note for the partner (optional)",
                         validators=[Optional(), Length(max=500), NoControlCharacters(True)])


def order_action_form(action: str, **kwargs) -> FlaskForm:
    """The form of one order action; its prefix keeps ids unique when all are on one page."""
    cls = {"ship": ShipForm, "reject": OrderReasonForm, "cancel": OrderReasonForm}.get(action, OrderActionForm)
    return cls(prefix=action, **kwargs)
