"""Embed launch tokens: the host portal signs one, hwaas redeems it once and signs the partner in.

A token is a JSON Web Token with HMAC-SHA256 (JWS compact form, "HS256"), so any JWT library can
make one, and nothing else is accepted:

    base64url(header) "." base64url(claims) "." base64url(HMAC-SHA256(secret, header "." claims))

    header  {"alg": "HS256", "typ": "JWT"}                  alg must be exactly HS256
    claims  {"sub": "<partner user's e-mail>",
             "aud": "hwaas",                                  this app, and nothing else
             "iat": <issued at, Unix seconds>,               not in the future (30 s of clock skew)
             "exp": <expires, Unix seconds>,                  at most 5 minutes after now
             "jti": "<unique id, 16-128 of A-Z a-z 0-9 . _ ~ ->",   used once, ever
             "next": "/customers"}                             optional; a path on this site

The used token ids live in the database (embed_token_uses) until the token would have expired
anyway, so a replay is refused by every worker and host.
"""
import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hwaas.models import EmbedTokenUse, User

AUDIENCE = "hwaas"
HEADER = {"alg": "HS256", "typ": "JWT"}
MAX_LIFETIME = 300  # seconds: a launch link is for clicking now, not for bookmarking
CLOCK_SKEW = 30  # seconds of disagreement tolerated between the portal's clock and ours
MAX_TOKEN_LENGTH = 4096
MIN_SECRET_LENGTH = 32
_JTI = re.compile(r"[A-Za-z0-9._~-]{16,128}")


class InvalidToken(ValueError):
    """The token is refused. `reason` is for the log (never the token itself); the user only ever
    hears that the link did not work."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Claims:
    sub: str
    jti: str
    iat: int
    exp: int
    next: str


@dataclasses.dataclass(frozen=True)
class Launch:
    user: User
    next: str


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise InvalidToken("malformed: not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed: not base64url") from None
    if _b64encode(raw) != text:  # one spelling per value: no twin tokens from unused padding bits
        raise InvalidToken("malformed: not canonical base64url")
    return raw


def _json_part(text: str) -> dict:
    try:
        value = json.loads(_b64decode(text))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidToken("malformed: not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken("malformed: not a JSON object")
    return value


def _signature(secret: str, signing_input: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()


def _timestamp(now: dt.datetime | int | float) -> int:
    if isinstance(now, dt.datetime):
        if now.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return int(now.timestamp())
    return int(now)


def is_local_path(target: str) -> bool:
    """A path on this site: no scheme, no host, no `//host` or `/\\host` tricks, no control characters."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def issue(secret: str, sub: str, now: dt.datetime | int, *, next: str = "/", lifetime: int = 120,
          jti: str | None = None, audience: str = AUDIENCE) -> str:
    """Make a launch token, as a host portal would (used by the tests and the `flask embed-link`
    command; the portal does the same in its own language, see docs/embedding.md)."""
    iat = _timestamp(now)
    claims = {"sub": sub, "aud": audience, "iat": iat, "exp": iat + lifetime,
              "jti": jti or secrets.token_urlsafe(24), "next": next}
    signing_input = (_b64encode(json.dumps(HEADER, separators=(",", ":")).encode())
                     + "." + _b64encode(json.dumps(claims, separators=(",", ":")).encode()))
    return signing_input + "." + _b64encode(_signature(secret, signing_input))


def decode(token: str, secret: str, now: dt.datetime | int, audience: str = AUDIENCE) -> Claims:
    """Check the signature first, then every claim; raise InvalidToken on the first problem.
    Pure: nothing is recorded, see redeem() for the one-time use."""
    if not secret:
        raise InvalidToken("no shared secret configured")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed: empty or too long")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed: not three parts")
    header_part, claims_part, signature_part = parts
    header = _json_part(header_part)
    # The algorithm is fixed here, never taken from the token ("none", RS256 confusion, …).
    if header.get("alg") != "HS256" or header.get("typ", "JWT") != "JWT" or "crit" in header:
        raise InvalidToken("unsupported header")
    expected = _signature(secret, header_part + "." + claims_part)
    if not hmac.compare_digest(expected, _b64decode(signature_part)):
        raise InvalidToken("bad signature")

    claims = _json_part(claims_part)
    now_ts = _timestamp(now)
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise InvalidToken("wrong audience")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp)):
        raise InvalidToken("iat and exp must be integers")
    if now_ts >= exp + CLOCK_SKEW:
        raise InvalidToken("expired")
    if iat > now_ts + CLOCK_SKEW:
        raise InvalidToken("issued in the future")
    nbf = claims.get("nbf")
    if nbf is not None and (not isinstance(nbf, int) or nbf > now_ts + CLOCK_SKEW):
        raise InvalidToken("not yet valid")
    if exp - iat > MAX_LIFETIME or exp > now_ts + MAX_LIFETIME + CLOCK_SKEW:
        raise InvalidToken("lifetime too long")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not _JTI.fullmatch(jti):
        raise InvalidToken("missing or malformed jti")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 254:
        raise InvalidToken("missing sub")
    next_path = claims.get("next", "/")
    if not is_local_path(next_path):
        raise InvalidToken("next is not a path on this site")
    return Claims(sub=sub.strip(), jti=jti, iat=iat, exp=exp, next=next_path)


def redeem(session: Session, token: str, secret: str, now: dt.datetime) -> Launch:
    """Decode the token, find the partner user it names and record its id as used (flushed, in a
    savepoint): a second redemption anywhere raises InvalidToken("replayed")."""
    claims = decode(token, secret, now)
    user = session.scalar(select(User).where(func.lower(User.email) == claims.sub.lower()))
    if user is None or not user.active or not user.is_partner:
        raise InvalidToken("sub is not an active partner user")
    # Ids of tokens that have expired can never be replayed: forget them.
    session.execute(delete(EmbedTokenUse).where(EmbedTokenUse.expires_at < now - dt.timedelta(seconds=CLOCK_SKEW)))
    expires_at = dt.datetime.fromtimestamp(claims.exp + CLOCK_SKEW, dt.timezone.utc)
    try:
        with session.begin_nested():
            session.add(EmbedTokenUse(jti=claims.jti, expires_at=expires_at, used_at=now))
    except IntegrityError:
        raise InvalidToken("replayed") from None
    return Launch(user=user, next=claims.next)
