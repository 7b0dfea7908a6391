"""Devices forms: choosing devices, Replace, Cancel, Withdraw, Order CLASSOUND."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from hwaas.cart.forms import DeliveryAddressForm
from hwaas.domain_forms import NoControlCharacters
from hwaas.i18n import lazy_gettext as _l
from hwaas.models.replacements import REPLACEMENT_REASONS


class DeviceChoice(SelectMultipleField):
    """Checkboxes of devices. Any id is accepted here: the service says which are the PBX's
    (another partner's device is not found, a 404, as everywhere)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=_l("Devices"), **kwargs):
        super().__init__(label, coerce=str, validate_choice=False, **kwargs)


class ChooseForm(FlaskForm):
    """The device choice as a GET query (?devices=1&devices=2): no CSRF, nothing changes."""

    class Meta:
        csrf = False

    devices = DeviceChoice()


class ReplaceForm(DeliveryAddressForm):
    devices = DeviceChoice(_l("Devices to replace"))
    reason = RadioField(_l("Reason"), choices=[SelectChoice(k, _l(v)) for k, v in REPLACEMENT_REASONS.items()],
                        validators=[DataRequired(_l("Choose the reason: Faulty, Damaged or Other."))])
    note = TextAreaField(_l("What is wrong (required for Other)"),
                         validators=[Length(max=500), NoControlCharacters(True)])


class CancelForm(FlaskForm):
    devices = DeviceChoice(_l("Devices to cancel"))


class WithdrawForm(FlaskForm):
    pass


class ClassoundForm(FlaskForm):
    pbx_id = RadioField(_l("PBX"), coerce=str, validate_choice=True,
                        validators=[DataRequired(_l("Choose the PBX to add CLASSOUND to."))])
