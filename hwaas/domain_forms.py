"""Showing a service's DomainError on the form that caused it (STYLE rule 5)."""
from flask_wtf import FlaskForm

from hwaas.services.errors import DomainError


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put the error next to its field, or at the top of the form when it names no field of it."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class NoControlCharacters:
    """Refuse control characters (NUL and the like; tab and newlines are allowed in `multiline`
    fields): they have no place in a name or a note, and PostgreSQL cannot store NUL in text."""

    def __init__(self, multiline: bool = False, message: str | None = None):
        self.allowed = {"\t", "\n", "\r"} if multiline else set()
        self.message = message or "Remove the control characters from this field; use letters, digits and punctuation."

    def __call__(self, form, field):
        from wtforms.validators import ValidationError

        value = field.data if isinstance(field.data, str) else ""
        if any((ord(c) < 32 or 127 <= ord(c) < 160) and c not in self.allowed for c in value):
            raise ValidationError(self.message)
