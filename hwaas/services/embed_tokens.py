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

PyJWT checks the signature, the algorithm (HS256 only), the audience and that every required
claim is there with the right type. The three time comparisons are made here, against the `now`
the caller passes, with the same 30 s of leeway: PyJWT reads the system clock and cannot be given
another, and a service takes its clock as an argument (tests, a pinned business date).
"""
import base64
import binascii
import dataclasses
import datetime as dt
import re
import secrets
from urllib.parse import urlsplit

import jwt
from jwt.exceptions import InvalidJTIError, InvalidSubjectError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hwaas.models import EmbedTokenUse, User

AUDIENCE = "hwaas"
ALGORITHMS = ["HS256"]  # fixed here, never taken from the token ("none", HS512, RS256 confusion, …)
REQUIRED_CLAIMS = ["exp", "iat", "aud", "jti", "sub"]
MAX_LIFETIME = 300  # seconds: a launch link is for clicking now, not for bookmarking
CLOCK_SKEW = 30  # seconds of disagreement tolerated between the portal's clock and ours
MAX_TOKEN_LENGTH = 4096
MIN_SECRET_LENGTH = 32
_JTI = re.compile(r"[A-Za-z0-9._~-]{16,128}")
# What a missing claim is called in the log, the same words as when it is there but wrong.
_MISSING = {"aud": "wrong audience", "iat": "iat and exp must be integers",
            "exp": "iat and exp must be integers", "jti": "missing or malformed jti", "sub": "missing sub"}


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


def _check_compact_form(token) -> None:
    """Three base64url parts, each spelled the one canonical way: a signature whose unused padding
    bits were flipped would otherwise decode to the same bytes and make a second, twin token."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed: empty or too long")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed: not three parts")
    for part in parts:
        if not re.fullmatch(r"[A-Za-z0-9_-]*", part):
            raise InvalidToken("malformed: not base64url")
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            raise InvalidToken("malformed: not base64url") from None
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != part:
            raise InvalidToken("malformed: not canonical base64url")


def _check_header(token: str) -> None:
    """The documented header: typ JWT when given, no critical extensions (PyJWT knows one, b64,
    which this format does not allow). The algorithm is PyJWT's to check."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as error:
        raise InvalidToken(f"malformed: {error}") from None
    except jwt.InvalidTokenError:  # e.g. a critical extension PyJWT does not know
        raise InvalidToken("unsupported header") from None
    if header.get("typ", "JWT") != "JWT" or "crit" in header:
        raise InvalidToken("unsupported header")


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
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})


def decode(token: str, secret: str, now: dt.datetime | int, audience: str = AUDIENCE) -> Claims:
    """Check the signature first, then every claim; raise InvalidToken on the first problem.
    Pure: nothing is recorded, see redeem() for the one-time use."""
    if not secret:
        raise InvalidToken("no shared secret configured")
    _check_compact_form(token)
    _check_header(token)
    try:
        claims = jwt.decode(
            token, secret, algorithms=ALGORITHMS, audience=audience, leeway=CLOCK_SKEW,
            options={"require": REQUIRED_CLAIMS, "verify_signature": True, "verify_aud": True,
                     "verify_sub": True, "verify_jti": True,
                     # compared below with the caller's clock (see the module's docstring)
                     "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidSignatureError:
        raise InvalidToken("bad signature") from None
    except jwt.InvalidAlgorithmError:
        raise InvalidToken("unsupported header") from None
    except jwt.MissingRequiredClaimError as error:
        raise InvalidToken(_MISSING.get(error.claim, f"missing {error.claim}")) from None
    except jwt.InvalidAudienceError:
        raise InvalidToken("wrong audience") from None
    except InvalidSubjectError:
        raise InvalidToken("missing sub") from None
    except InvalidJTIError:
        raise InvalidToken("missing or malformed jti") from None
    except jwt.DecodeError as error:
        raise InvalidToken(f"malformed: {error}") from None
    except jwt.InvalidTokenError as error:
        raise InvalidToken(f"refused: {type(error).__name__}") from None

    now_ts = _timestamp(now)
    iat, exp = claims["iat"], claims["exp"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp)):
        raise InvalidToken("iat and exp must be integers")
    if now_ts >= exp + CLOCK_SKEW:
        raise InvalidToken("expired")
    if iat > now_ts + CLOCK_SKEW:
        raise InvalidToken("issued in the future")
    nbf = claims.get("nbf")
    if nbf is not None and (not isinstance(nbf, int) or isinstance(nbf, bool) or nbf > now_ts + CLOCK_SKEW):
        raise InvalidToken("not yet valid")
    if exp - iat > MAX_LIFETIME or exp > now_ts + MAX_LIFETIME + CLOCK_SKEW:
        raise InvalidToken("lifetime too long")
    jti = claims["jti"]
    if not _JTI.fullmatch(jti):
        raise InvalidToken("missing or malformed jti")
    sub = claims["sub"]
    if not sub.strip() or len(sub) > 254:
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
