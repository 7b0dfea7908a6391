from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from hwaas.services.pricelist import FORMATS, KINDS

KIND_MESSAGE = "Choose OpEx, CapEx or CLASSOUND."
FORMAT_MESSAGE = "Choose EXCEL or PDF."


class PriceListForm(FlaskForm):
    """A GET form (a download changes nothing), so no CSRF token."""

    class Meta:
        csrf = False

    kind = RadioField("Price list", choices=[SelectChoice(k, v) for k, v in KINDS.items()], validate_choice=False,
                      validators=[InputRequired(KIND_MESSAGE), AnyOf(list(KINDS), message=KIND_MESSAGE)])
    format = RadioField("Format", choices=[SelectChoice(k, v) for k, v in FORMATS.items()], validate_choice=False,
                        validators=[InputRequired(FORMAT_MESSAGE), AnyOf(list(FORMATS), message=FORMAT_MESSAGE)])
