"""What every form shares: record ids and text as users may type them (STYLE rule 5's inputs)."""
import re

from wtforms import IntegerField
from wtforms.validators import ValidationError

from hwaas.i18n import lazy_gettext as _l

MAX_RECORD_ID = 2**31 - 1  # ids are INTEGER columns on every database


def record_id(value) -> int | None:
    """A record id typed or posted by a user: ASCII digits naming an id the databases can hold;
    anything else (Unicode digits like "²", 400 digits, a sign, blanks) is None, never an error."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_RECORD_ID else None


def coerce_record_id(value) -> int:
    """`coerce=` for a select or radio of record ids: a bad value is the field's error, not a 500."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        number = record_id(value)
    if number is None or not 0 < number <= MAX_RECORD_ID:
        raise ValueError(_l("Choose one of the options."))
    return number


class WholeNumberField(IntegerField):
    """A whole number as people type it: ASCII digits, an optional minus, at most nine digits (every
    count here fits an INTEGER column). Anything else — "²", 400 digits, "1e3" — is the field's
    own error, not an overflow further on."""

    _NUMBER = re.compile(r"-?[0-9]{1,9}")

    def __init__(self, *args, message: str = _l("Enter a whole number, like 3."), **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        if not text:
            self.data = None
            return
        if not self._NUMBER.fullmatch(text):
            self.data = None
            raise ValueError(self.message)
        self.data = int(text)


class NoControlCharacters:
    """Refuse control characters (NUL and the like; tab and newlines are allowed in `multiline`
    fields): they have no place in a name or a note, and PostgreSQL cannot store NUL in text."""

    def __init__(self, multiline: bool = False, message: str | None = None):
        self.allowed = {"\t", "\n", "\r"} if multiline else set()
        self.message = message or _l("Remove the control characters from this field; use letters, digits and "
                                     "punctuation.")

    def __call__(self, form, field):
        value = field.data if isinstance(field.data, str) else ""
        if has_control_characters(value, self.allowed):
            raise ValidationError(self.message)


def has_control_characters(value: str, allowed=frozenset()) -> bool:
    return any((ord(c) < 32 or 127 <= ord(c) < 160) and c not in allowed for c in value)
