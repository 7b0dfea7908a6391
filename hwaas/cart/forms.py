"""The checkout form: reference, delivery address, terms; the delivery address form it shares
with Replace."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from hwaas.domain_forms import NoControlCharacters
from hwaas.i18n import lazy_gettext as _l
from hwaas.services.checkout import NewAddress

NEW_ADDRESS = "new"


class DeliveryAddressForm(FlaskForm):
    """A delivery address: an entry of the address book, or a new one typed in (checkout, Replace)."""

    address = RadioField(_l("Delivery address"), coerce=str, validate_choice=True,
                         validators=[DataRequired(_l("Choose a delivery address, or add a new one."))])
    new_label = StringField(_l("Name in the address book (optional)"),
                            validators=[Optional(), Length(max=80), NoControlCharacters()])
    new_recipient = StringField(_l("Recipient"), validators=[Length(max=200), NoControlCharacters()])
    new_street = StringField(_l("Street and number"), validators=[Length(max=200), NoControlCharacters()])
    new_postcode = StringField(_l("Postcode"), validators=[Length(max=20), NoControlCharacters()])
    new_city = StringField(_l("City"), validators=[Length(max=80), NoControlCharacters()])
    new_country = StringField(_l("Country code"), default="IT", validators=[
        Optional(), Regexp(r"^[A-Za-z]{2}\Z", message=_l("Enter the country as a two-letter code, like IT."))])

    # A new address's required fields, each with its own sentence when left empty.
    NEW_REQUIRED = (
        ("new_recipient", _l("Enter the recipient of the new address.")),
        ("new_street", _l("Enter the street and number of the new address.")),
        ("new_postcode", _l("Enter the postcode of the new address.")),
        ("new_city", _l("Enter the city of the new address.")),
        ("new_country", _l("Enter the country code of the new address.")),
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.address.data == NEW_ADDRESS:
            for name, message in self.NEW_REQUIRED:
                field = self[name]
                if not (field.data or "").strip() and not field.errors:
                    field.errors = [*field.errors, message]
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
    return [(str(a.id), f"{a.label}: {a.one_line()}") for a in book] + [(NEW_ADDRESS, _l("A new address"))]


class CheckoutForm(DeliveryAddressForm):
    idempotency_key = HiddenField()
    expected_total = HiddenField()
    # "1" when the cart holds services only (CLASSOUND): nothing is delivered, so no address is
    # asked. The service reads the cart and still requires an address when it holds hardware.
    services_only = HiddenField()
    reference = StringField(_l("Order reference"), validators=[
        DataRequired(_l("Enter your order reference.")),
        Length(max=80, message=_l("The order reference can be at most 80 characters.")), NoControlCharacters()])
    accept_terms = BooleanField(_l("I accept the HWaaS terms of service"), validators=[
        DataRequired(_l("Accept the terms to place the order."))])

    def validate(self, extra_validators=None) -> bool:
        if self.services_only.data == "1":
            self.address.validators = [Optional()]
            self.address.validate_choice = False
        return super().validate(extra_validators)
