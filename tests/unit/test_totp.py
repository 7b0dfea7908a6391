"""Second-factor codes as people (and attackers) type them."""
import datetime as dt

import pyotp
import pytest

from hwaas.services import accounts, totp

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("code", ["²²²²²²", "١٢٣٤٥٦", "12345", "1234567", "12 34 5x", ""])
def test_a_code_that_is_not_six_ascii_digits_is_refused_not_an_error(code):
    assert totp.verify(pyotp.random_base32(), code, NOW) is None


def test_a_right_code_with_spaces_is_accepted():
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).at(NOW)
    assert totp.verify(secret, f"{code[:3]} {code[3:]}", NOW) is not None


@pytest.mark.parametrize("session_id", ["²:1", "1:²", "99999999999999999999:1", ":", "x"])
def test_a_session_id_that_names_no_user_is_no_user(session, session_id):
    assert accounts.load_signed_in(session, session_id) is None
