from flask_wtf import FlaskForm
from wtforms import RadioField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from hwaas.domain_forms import NoControlCharacters
from hwaas.i18n import lazy_gettext as _l
from hwaas.models.catalogue import CATEGORIES
from hwaas.services.pricelist import FORMATS, KINDS, SEARCH_MAX

KIND_MESSAGE = _l("Choose OpEx, CapEx or CLASSOUND.")
FORMAT_MESSAGE = _l("Choose EXCEL or PDF.")
CATEGORY_MESSAGE = _l("Choose a category from the list.")


class PriceListForm(FlaskForm):
    """A GET form (a download changes nothing), so no CSRF token."""

    class Meta:
        csrf = False

    kind = RadioField(_l("Price list"), choices=[SelectChoice(k, v) for k, v in KINDS.items()], validate_choice=False,
                      validators=[InputRequired(KIND_MESSAGE), AnyOf(list(KINDS), message=KIND_MESSAGE)])
    format = RadioField(_l("Format"), choices=[SelectChoice(k, v) for k, v in FORMATS.items()], validate_choice=False,
                        validators=[InputRequired(FORMAT_MESSAGE), AnyOf(list(FORMATS), message=FORMAT_MESSAGE)])


class PriceTableForm(FlaskForm):
    """Which prices the page shows: a list, narrowed to a category and a search. A GET form (the
    URL is the view), no CSRF token. Its ids differ from the download form's on the same page."""

    class Meta:
        csrf = False

    kind = RadioField(_l("Price list"), id="show-kind", choices=[SelectChoice(k, v) for k, v in KINDS.items()],
                      validate_choice=False, default="opex",
                      validators=[Optional(), AnyOf(list(KINDS), message=KIND_MESSAGE)])
    category = SelectField(_l("Category"), id="show-category", validate_choice=False, default="",
                           choices=[SelectChoice("", _l("All categories"))]
                           + [SelectChoice(k, _l(v)) for k, v in CATEGORIES.items()],
                           validators=[Optional(), AnyOf(list(CATEGORIES), message=CATEGORY_MESSAGE)])
    q = SearchField(_l("Search"), id="show-q", default="",
                    validators=[Length(max=SEARCH_MAX, message=_l("Search for at most %(count)s characters.",
                                                                  count=SEARCH_MAX)),
                                NoControlCharacters(message=_l("Remove the control characters from the search; "
                                                               "use letters, digits and punctuation."))])
