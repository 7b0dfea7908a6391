"""Order forms: the partner's cancel (with an optional note)."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from hwaas.domain_forms import NoControlCharacters
from hwaas.i18n import lazy_gettext as _l


class CancelForm(FlaskForm):
    note = TextAreaField(_l("Why are you cancelling? (optional)"), validators=[
        Length(max=500, message=_l("Keep the note under 500 characters.")), NoControlCharacters(multiline=True)])
