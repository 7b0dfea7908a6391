from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from hwaas.i18n import lazy_gettext as _l

ROLE_CHOICES = [
    SelectChoice("owner", _l("Owner — everything, and the partner's users")),
    SelectChoice("orderer", _l("Orderer — customers, carts, checkout, agreements and documents")),
    SelectChoice("viewer", _l("Viewer — reads everything of the partner, changes nothing")),
]


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the colleague's name.")), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter the colleague's e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.com.")), Length(max=254)])
    team_role = RadioField(_l("Role"), choices=ROLE_CHOICES, default="orderer",
                           validators=[DataRequired(_l("Choose a role."))])


class RoleForm(FlaskForm):
    team_role = RadioField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired(_l("Choose a role."))])


class ConfirmForm(FlaskForm):
    """A button in a POST form (deactivate, reactivate, send the invitation again): only the CSRF token."""
