"""Order forms: the partner's cancel (with an optional note)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from hwaas.domain_forms import NoControlCharacters


class CancelForm(FlaskForm):
    note = TextAreaField(_l("Why are you cancelling? (optional)"), validators=[
        Length(max=500, message=_l("Keep the note under 500 characters.")), NoControlCharacters(multiline=True)])
