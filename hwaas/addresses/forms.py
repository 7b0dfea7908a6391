"""An address book entry, as edited."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Regexp

from hwaas.domain_forms import NoControlCharacters
from hwaas.services.addresses import NewAddress


class AddressForm(FlaskForm):
    label = StringField("Name in the address book", validators=[
        InputRequired("Enter a name for this address, like Milan warehouse."), Length(max=80), NoControlCharacters()])
    recipient = StringField("Recipient", validators=[
        InputRequired("Enter the recipient."), Length(max=200), NoControlCharacters()])
    street = StringField("Street and number", validators=[
        InputRequired("Enter the street and number."), Length(max=200), NoControlCharacters()])
    postcode = StringField("Postcode", validators=[
        InputRequired("Enter the postcode."), Length(max=20), NoControlCharacters()])
    city = StringField("City", validators=[InputRequired("Enter the city."), Length(max=80), NoControlCharacters()])
    country = StringField("Country code", validators=[
        InputRequired("Enter the country code."),
        Regexp(r"^\s*[A-Za-z]{2}\s*$", message="Enter the country as a two-letter code, like IT.")])

    def address(self) -> NewAddress:
        return NewAddress(recipient=self.recipient.data, street=self.street.data, postcode=self.postcode.data,
                          city=self.city.data, country=self.country.data, label=self.label.data)
