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
