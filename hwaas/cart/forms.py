"""The checkout form: reference, delivery address, terms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from hwaas.domain_forms import NoControlCharacters
from hwaas.services.checkout import NewAddress

NEW_ADDRESS = "new"


class CheckoutForm(FlaskForm):
    idempotency_key = HiddenField()
    expected_total = HiddenField()
    reference = StringField("Order reference", validators=[
        DataRequired("Enter your order reference."),
        Length(max=80, message="The order reference can be at most 80 characters."), NoControlCharacters()])
    address = RadioField("Delivery address", coerce=str, validate_choice=True,
                         validators=[DataRequired("Choose a delivery address, or add a new one.")])
    new_label = StringField("Name in the address book (optional)",
                            validators=[Optional(), Length(max=80), NoControlCharacters()])
    new_recipient = StringField("Recipient", validators=[Length(max=200), NoControlCharacters()])
    new_street = StringField("Street and number", validators=[Length(max=200), NoControlCharacters()])
    new_postcode = StringField("Postcode", validators=[Length(max=20), NoControlCharacters()])
    new_city = StringField("City", validators=[Length(max=80), NoControlCharacters()])
    new_country = StringField("Country code", default="IT", validators=[
        Optional(), Regexp(r"^[A-Za-z]{2}\Z", message="Enter the country as a two-letter code, like IT.")])
    accept_terms = BooleanField("I accept the HWaaS terms of service", validators=[
        DataRequired("Accept the terms to place the order.")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.address.data == NEW_ADDRESS:
            for name, label in (("new_recipient", "the recipient"), ("new_street", "the street and number"),
                                ("new_postcode", "the postcode"), ("new_city", "the city"),
                                ("new_country", "the country code")):
                field = self[name]
                if not (field.data or "").strip() and not field.errors:
                    field.errors = [*field.errors, f"Enter {label} of the new address."]
                    valid = False
        return valid

    def new_address(self) -> NewAddress | None:
        if self.address.data != NEW_ADDRESS:
            return None
        return NewAddress(recipient=self.new_recipient.data or "", street=self.new_street.data or "",
                          postcode=self.new_postcode.data or "", city=self.new_city.data or "",
                          country=(self.new_country.data or "").upper(), label=self.new_label.data or "")

