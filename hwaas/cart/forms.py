"""The checkout form: reference, delivery address, terms; the delivery address form it shares
with Replace."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from hwaas.domain_forms import NoControlCharacters
from hwaas.services.checkout import NewAddress

NEW_ADDRESS = "new"


class DeliveryAddressForm(FlaskForm):
    """A delivery address: an entry of the address book, or a new one typed in (checkout, Replace)."""

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


def address_choices(book) -> list[tuple[str, str]]:
    """The address radio's options: the partner's address book, then a new address."""
    return [(str(a.id), f"{a.label}: {a.one_line()}") for a in book] + [(NEW_ADDRESS, "A new address")]


class CheckoutForm(DeliveryAddressForm):
    idempotency_key = HiddenField()
    expected_total = HiddenField()
    # "1" when the cart holds services only (CLASSOUND): nothing is delivered, so no address is
    # asked. The service reads the cart and still requires an address when it holds hardware.
    services_only = HiddenField()
    reference = StringField("Order reference", validators=[
        DataRequired("Enter your order reference."),
        Length(max=80, message="The order reference can be at most 80 characters."), NoControlCharacters()])
    accept_terms = BooleanField("I accept the HWaaS terms of service", validators=[
        DataRequired("Accept the terms to place the order.")])

    def validate(self, extra_validators=None) -> bool:
        if self.services_only.data == "1":
            self.address.validators = [Optional()]
            self.address.validate_choice = False
        return super().validate(extra_validators)
