"""The filters of the Renewals and Charges pages: GET forms (they change nothing), no CSRF token."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional, Regexp

from hwaas.domain_forms import record_id
from hwaas.i18n import lazy_gettext as _l
from hwaas.models.charges import CHARGE_KINDS

FORMATS = {"xlsx": "EXCEL", "csv": "CSV"}
FORMAT_MESSAGE = _l("Choose EXCEL or CSV.")


def _optional_id(value):
    """An optional record id from a select: empty is None; a value that is not an id is refused
    by the field's pre-validation (`record_id` gives None, kept apart from "empty")."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    number = record_id(value)
    if number is None:
        raise ValueError(_l("Choose one of the options."))
    return number


class _Filter(FlaskForm):
    class Meta:
        csrf = False

    customer = SelectField(_l("Customer"), coerce=_optional_id, validate_choice=False, validators=[Optional()])
    format = RadioField(_l("Format"), choices=[SelectChoice(k, v) for k, v in FORMATS.items()], default="xlsx",
                        validate_choice=False,
                        validators=[Optional(), AnyOf(list(FORMATS), message=FORMAT_MESSAGE)])

    def set_customers(self, customers) -> None:
        self.customer.choices = ([SelectChoice("", _l("All customers"))]
                                 + [SelectChoice(id_, name) for id_, name in customers])


class RenewalsFilter(_Filter):
    pass


class ChargesFilter(_Filter):
    pbx = SelectField(_l("PBX"), coerce=_optional_id, validate_choice=False, validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("", _l("All kinds"))]
                       + [SelectChoice(k, _l(v)) for k, v in CHARGE_KINDS.items()],
                       validate_choice=False,
                       validators=[Optional(), AnyOf(list(CHARGE_KINDS) + [""],
                                                     message=_l("Choose a kind from the list."))])
    month = StringField(_l("Month"), validators=[
        Optional(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Enter the month as YYYY-MM, e.g. 2026-11."))])

    def set_pbxs(self, pbxs) -> None:
        self.pbx.choices = [SelectChoice("", _l("All PBXs"))] + [SelectChoice(id_, name) for id_, name in pbxs]
