from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from hwaas.domain_forms import NoControlCharacters, WholeNumberField
from hwaas.models.catalogue import CATEGORIES



class AmountField(DecimalField):
    """A Decimal with a message that says what to type."""

    def __init__(self, *args, message: str = "Enter an amount like 12.50 (a dot before the cents, no "
                 "currency sign).", **kwargs):
        super().__init__(*args, places=2, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None


def _amount(label: str, required: bool = True) -> AmountField:
    validators = [InputRequired(f"Enter the {label}.")] if required else [Optional()]
    return AmountField(label[0].upper() + label[1:], validators=validators,
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})


class ProductForm(FlaskForm):
    sku = StringField("SKU", validators=[InputRequired("Enter the SKU."), Length(max=40), NoControlCharacters()])
    name = StringField("Name", validators=[InputRequired("Enter the product name."), Length(max=200),
                                           NoControlCharacters()])
    category = SelectField("Category", validate_choice=False, validators=[InputRequired("Choose a category.")],
                           choices=[SelectChoice("", "Choose a category")]
                           + [SelectChoice(k, v) for k, v in CATEGORIES.items()])
    description = TextAreaField("Description (optional)", validators=[Length(max=500), NoControlCharacters(True)])
    capex_price = _amount("CapEx price (purchase, per unit)")
    opex_monthly = _amount("OpEx price for One month", required=False)
    opex_yearly = _amount("OpEx price for One year", required=False)
    opex_five_years = _amount("OpEx price for Five years", required=False)
    stock = WholeNumberField("Stock", message="Enter the stock as a whole number.",
                             validators=[InputRequired("Enter the stock as a whole number.")],
                         render_kw={"inputmode": "numeric"})
    active = BooleanField("Active (shown to partners and in the price lists)")


class BandForm(FlaskForm):
    min_quantity = WholeNumberField("From quantity", message="Enter the quantity as a whole number, like 10.",
                                    validators=[
        InputRequired("Enter the quantity the band starts from."), NumberRange(min=2, message="Enter 2 or more.")],
        render_kw={"inputmode": "numeric"})
    discount_percent = AmountField("Discount (%)", validators=[InputRequired("Enter the discount.")],
                                   message="Enter the discount as a number, like 5 or 7.5.",
                                   render_kw={"inputmode": "decimal"})


class TierForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter the tier's name."), Length(max=80),
                                           NoControlCharacters()])
    discount_percent = AmountField("Discount on list (%)",
                                   validators=[InputRequired("Enter the discount, 0 for none.")],
                                   message="Enter the discount as a number, like 5 or 7.5.",
                                   render_kw={"inputmode": "decimal"})


class MarkPaidForm(FlaskForm):
    paid_on = DateField("Paid on", validators=[InputRequired("Enter the payment date.")], format="%Y-%m-%d")


class ImportForm(FlaskForm):
    file = FileField("Import file (JSON)", validators=[FileRequired("Choose the JSON file to import.")])
