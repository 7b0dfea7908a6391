"""Time-based one-time passwords (RFC 6238) as a second factor: set-up and checking."""
import datetime as dt

import pyotp
import segno

from hwaas.models import User

ISSUER = "hwaas"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The set-up QR code as inline SVG markup (no image request, no inline script)."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app")


def verify(secret: str, code: str, now: dt.datetime, last_step: int | None = None) -> int | None:
    """The accepted time step when `code` is right (±1 step of drift) and not used before."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdecimal() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step_now = int(now.timestamp()) // totp.interval
    for step in (step_now, step_now - 1, step_now + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str, now: dt.datetime) -> bool:
    """Accept the code once: a replayed code (same or earlier step) is refused."""
    if not user.totp_secret:
        return False
    step = verify(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def enable(user: User, secret: str, code: str, now: dt.datetime) -> bool:
    step = verify(secret, code, now)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    return True


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None


def required_for(user: User) -> bool:
    return bool(user.partner is not None and user.partner.totp_required)
