"""An address book entry, as edited."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Regexp

from hwaas.domain_forms import NoControlCharacters
from hwaas.i18n import lazy_gettext as _l
from hwaas.services.addresses import NewAddress


class AddressForm(FlaskForm):
    label = StringField(_l("Name in the address book"), validators=[
        InputRequired(_l("Enter a name for this address, like Milan warehouse.")), Length(max=80),
        NoControlCharacters()])
    recipient = StringField(_l("Recipient"), validators=[
        InputRequired(_l("Enter the recipient.")), Length(max=200), NoControlCharacters()])
    street = StringField(_l("Street and number"), validators=[
        InputRequired(_l("Enter the street and number.")), Length(max=200), NoControlCharacters()])
    postcode = StringField(_l("Postcode"), validators=[
        InputRequired(_l("Enter the postcode.")), Length(max=20), NoControlCharacters()])
    city = StringField(_l("City"), validators=[InputRequired(_l("Enter the city.")), Length(max=80),
                                               NoControlCharacters()])
    country = StringField(_l("Country code"), validators=[
        InputRequired(_l("Enter the country code.")),
        Regexp(r"^\s*[A-Za-z]{2}\s*$", message=_l("Enter the country as a two-letter code, like IT."))])

    def address(self) -> NewAddress:
        return NewAddress(recipient=self.recipient.data, street=self.street.data, postcode=self.postcode.data,
                          city=self.city.data, country=self.country.data, label=self.label.data)
