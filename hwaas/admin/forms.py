from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from hwaas.domain_forms import NoControlCharacters, WholeNumberField
from hwaas.i18n import lazy_gettext as _l
from hwaas.models.catalogue import CATEGORIES


# The categories' names in the reader's language (the catalogue model keeps them in English).
CATEGORY_NAMES = {"desk_phone": _l("Desk phones"), "headset": _l("Headsets"), "conference": _l("Conference devices")}


class AmountField(DecimalField):
    """A Decimal with a message that says what to type."""

    def __init__(self, *args, message: str = _l("Enter an amount like 12.50 (a dot before the cents, no "
                                                "currency sign)."), **kwargs):
        super().__init__(*args, places=2, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None


def _amount(label, required=None) -> AmountField:
    """A price field: `required` is the message when it is left empty; optional without one."""
    validators = [InputRequired(required)] if required else [Optional()]
    return AmountField(label, validators=validators, render_kw={"inputmode": "decimal", "autocomplete": "off"})


class ProductForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[InputRequired(_l("Enter the SKU.")), Length(max=40),
                                             NoControlCharacters()])
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the product name.")), Length(max=200),
                                               NoControlCharacters()])
    category = SelectField(_l("Category"), validate_choice=False,
                           validators=[InputRequired(_l("Choose a category."))],
                           choices=[SelectChoice("", _l("Choose a category"))]
                           + [SelectChoice(k, CATEGORY_NAMES.get(k, v)) for k, v in CATEGORIES.items()])
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=500), NoControlCharacters(True)])
    capex_price = _amount(_l("CapEx price (purchase, per unit)"), _l("Enter the CapEx price (purchase, per unit)."))
    opex_monthly = _amount(_l("OpEx price for One month"))
    opex_yearly = _amount(_l("OpEx price for One year"))
    opex_five_years = _amount(_l("OpEx price for Five years"))
    stock = WholeNumberField(_l("Stock"), message=_l("Enter the stock as a whole number."),
                             validators=[InputRequired(_l("Enter the stock as a whole number."))],
                             render_kw={"inputmode": "numeric"})
    active = BooleanField(_l("Active (shown to partners and in the price lists)"))


class BandForm(FlaskForm):
    min_quantity = WholeNumberField(_l("From quantity"), message=_l("Enter the quantity as a whole number, like 10."),
                                    validators=[
        InputRequired(_l("Enter the quantity the band starts from.")),
        NumberRange(min=2, message=_l("Enter 2 or more."))],
        render_kw={"inputmode": "numeric"})
    discount_percent = AmountField(_l("Discount (%)"), validators=[InputRequired(_l("Enter the discount."))],
                                   message=_l("Enter the discount as a number, like 5 or 7.5."),
                                   render_kw={"inputmode": "decimal"})


class TierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the tier's name.")), Length(max=80),
                                               NoControlCharacters()])
    discount_percent = AmountField(_l("Discount on list (%)"),
                                   validators=[InputRequired(_l("Enter the discount, 0 for none."))],
                                   message=_l("Enter the discount as a number, like 5 or 7.5."),
                                   render_kw={"inputmode": "decimal"})


class MarkPaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the payment date."))], format="%Y-%m-%d")


class ImportForm(FlaskForm):
    file = FileField(_l("Import file (JSON)"), validators=[FileRequired(_l("Choose the JSON file to import."))])
