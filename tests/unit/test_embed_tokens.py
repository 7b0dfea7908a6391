"""Embed launch tokens: the format a portal produces, every refusal, and one-time use in the database."""
import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from hwaas.models import EmbedTokenUse
from hwaas.services import embed_tokens
from hwaas.services.embed_tokens import CLOCK_SKEW, InvalidToken, decode, issue, redeem

SECRET = "s" * 40
NOW = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.timezone.utc)
T = int(NOW.timestamp())
JTI = "launch-0123456789abcdef"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def portal_token(claims: dict, secret: str = SECRET, header: dict | None = None) -> str:
    """Made the way docs/embedding.md tells a portal to make it, independently of hwaas's own code."""
    header = header or {"alg": "HS256", "typ": "JWT"}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def claims(**overrides) -> dict:
    return {"sub": "anna@example.com", "aud": "hwaas", "iat": T, "exp": T + 120, "jti": JTI,
            "next": "/customers", **overrides}


def reason(token: str, now=NOW, secret: str = SECRET) -> str:
    with pytest.raises(InvalidToken) as refused:
        decode(token, secret, now)
    return refused.value.reason


def test_a_token_made_by_the_portal_is_accepted():
    decoded = decode(portal_token(claims()), SECRET, NOW)
    assert decoded == embed_tokens.Claims(sub="anna@example.com", jti=JTI, iat=T, exp=T + 120, next="/customers")


def test_issue_makes_what_decode_accepts_and_next_defaults_to_home():
    assert decode(issue(SECRET, "anna@example.com", NOW, jti=JTI), SECRET, NOW).next == "/"
    token = portal_token({k: v for k, v in claims().items() if k != "next"})
    assert decode(token, SECRET, NOW).next == "/"


def test_an_audience_list_naming_hwaas_is_accepted():
    assert decode(portal_token(claims(aud=["crm", "hwaas"])), SECRET, NOW).sub == "anna@example.com"


@pytest.mark.parametrize("tamper", [
    lambda t: portal_token(claims(), secret="another-secret-of-forty-characters-xxxxx"),
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: t.rsplit(".", 1)[0] + ".",
    lambda t: t.split(".")[0] + "." + b64(json.dumps(claims(sub="boss@example.com")).encode()) + "." + t.split(".")[2],
])
def test_a_wrong_signature_is_refused(tamper):
    assert reason(tamper(portal_token(claims()))) == "bad signature"


def test_every_single_character_change_is_refused():
    token = portal_token(claims())
    for i in [*range(0, len(token), 7), len(token) - 1]:  # the last one only holds padding bits in part
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
        with pytest.raises(InvalidToken):
            decode(changed, SECRET, NOW)


@pytest.mark.parametrize("header", [
    {"alg": "none", "typ": "JWT"}, {"alg": "HS512", "typ": "JWT"}, {"alg": "RS256"}, {"typ": "JWT"},
    {"alg": "HS256", "typ": "JWT", "crit": ["exp"]},
])
def test_only_hs256_is_accepted_whatever_the_token_says(header):
    assert reason(portal_token(claims(), header=header)) == "unsupported header"


@pytest.mark.parametrize("aud", ["crm", "", None, ["crm"], "HWAAS"])
def test_a_token_for_another_audience_is_refused(aud):
    assert reason(portal_token(claims(aud=aud))) == "wrong audience"


def test_an_expired_token_is_refused_after_the_clock_skew():
    token = portal_token(claims(iat=T - 200, exp=T - 60))
    assert reason(token) == "expired"
    just_within = portal_token(claims(iat=T - 200, exp=T - CLOCK_SKEW + 1))
    assert decode(just_within, SECRET, NOW).exp == T - CLOCK_SKEW + 1


def test_a_token_issued_in_the_future_beyond_the_skew_is_refused():
    assert reason(portal_token(claims(iat=T + CLOCK_SKEW + 5, exp=T + 150))) == "issued in the future"
    assert decode(portal_token(claims(iat=T + CLOCK_SKEW - 5, exp=T + 150)), SECRET, NOW)
    assert reason(portal_token(claims(nbf=T + 300))) == "not yet valid"


def test_a_long_lived_token_is_refused():
    assert reason(portal_token(claims(exp=T + 3600))) == "lifetime too long"
    assert reason(portal_token(claims(iat=T - 1000, exp=T + 100))) == "lifetime too long"


@pytest.mark.parametrize("values", [{"iat": None}, {"exp": "9999999999"}, {"exp": float(T + 60)}, {"iat": True}])
def test_times_must_be_integers(values):
    assert reason(portal_token(claims(**values))) == "iat and exp must be integers"


@pytest.mark.parametrize("jti", [None, "", "short", "x" * 129, "has spaces in it ok?", 12345678901234567])
def test_the_token_id_is_required_and_plain(jti):
    assert reason(portal_token(claims(jti=jti))) == "missing or malformed jti"


@pytest.mark.parametrize("sub", [None, "", "   ", 7])
def test_the_subject_is_required(sub):
    assert reason(portal_token(claims(sub=sub))) == "missing sub"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "customers",
    "/customers\r\nSet-Cookie: x=1", "", None,
])
def test_next_must_be_a_path_on_this_site(target):
    assert reason(portal_token(claims(next=target))) == "next is not a path on this site"


def test_next_keeps_its_query_string():
    assert decode(portal_token(claims(next="/customers?q=acme&page=2")), SECRET, NOW).next == "/customers?q=acme&page=2"


@pytest.mark.parametrize("token", [
    "", "abc", "a.b", "a.b.c.d", "!!!.###.$$$", b64(b"not json") + ".e30.", b64(b"[1]") + ".e30.",
    "x" * 5000, None,
])
def test_malformed_tokens_are_refused(token):
    assert reason(token).startswith(("malformed", "unsupported header"))


def test_without_a_secret_nothing_is_accepted():
    assert reason(portal_token(claims(), secret=""), secret="") == "no shared secret configured"


def test_redeem_signs_in_once_and_refuses_a_replay(session, make):
    user = make.user(email="Anna@Example.com")
    token = portal_token(claims())
    launched = redeem(session, token, SECRET, NOW)
    assert launched.user == user and launched.next == "/customers"
    with pytest.raises(InvalidToken) as refused:
        redeem(session, token, SECRET, NOW + dt.timedelta(seconds=5))
    assert refused.value.reason == "replayed"
    # The session is still usable after the refused insert (a savepoint, not the whole transaction).
    assert session.scalar(select(func.count()).select_from(EmbedTokenUse)) == 1


def test_a_replay_is_refused_from_another_connection_too(app, make, session):
    from hwaas.extensions import db

    make.user(email="anna@example.com")
    session.commit()
    token = portal_token(claims())
    redeem(session, token, SECRET, NOW)
    session.commit()
    # A second worker: its own connection and session.
    with db.engine.connect() as connection:
        from sqlalchemy.orm import Session

        with Session(bind=connection) as other:
            with pytest.raises(InvalidToken) as refused:
                redeem(other, token, SECRET, NOW)
    assert refused.value.reason == "replayed"


@pytest.mark.parametrize("who", ["staff", "inactive", "nobody"])
def test_only_an_active_partner_user_can_be_launched(session, make, who):
    if who == "staff":
        make.staff(email="anna@example.com")
    elif who == "inactive":
        make.user(email="anna@example.com", active=False)
    with pytest.raises(InvalidToken) as refused:
        redeem(session, portal_token(claims()), SECRET, NOW)
    assert refused.value.reason == "sub is not an active partner user"
    assert session.scalar(select(func.count()).select_from(EmbedTokenUse)) == 0


def test_used_ids_are_forgotten_once_their_token_could_not_be_used_anyway(session, make):
    make.user(email="anna@example.com")
    session.add(EmbedTokenUse(jti="old-token-id-000000", expires_at=NOW - dt.timedelta(hours=1), used_at=NOW))
    session.add(EmbedTokenUse(jti="recent-token-id-0000", expires_at=NOW + dt.timedelta(minutes=1), used_at=NOW))
    session.flush()
    redeem(session, portal_token(claims()), SECRET, NOW)
    left = set(session.scalars(select(EmbedTokenUse.jti)))
    assert left == {"recent-token-id-0000", JTI}


def test_is_local_path():
    assert embed_tokens.is_local_path("/orders/12")
    for bad in ("//x", "/\\x", "http://x/", "x", "/a\tb", "", None):
        assert not embed_tokens.is_local_path(bad)


# --- The examples docs/embedding.md gives portal teams make tokens hwaas accepts --------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"


def docs_example(marker: str, language: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```{language}\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert match, f"docs/embedding.md lost its {marker}"
    return match.group(1)


def token_of(url: str) -> str:
    assert url.startswith("https://hwaas.example.com/embed/launch?token=")
    return parse_qs(urlsplit(url).query)["token"][0]


def test_the_documented_python_example_makes_tokens_hwaas_accepts():
    namespace: dict = {}
    exec(docs_example("python-launch-example", "python").replace(
        '"…the shared HWAAS_EMBED_SECRET…"', repr(SECRET)), namespace)
    url = namespace["launch_url"]("anna@example.com", "/orders?status=awaiting_approval")
    claims = decode(token_of(url), SECRET, int(time.time()))
    assert claims.sub == "anna@example.com" and claims.next == "/orders?status=awaiting_approval"


def test_the_documented_node_example_makes_tokens_hwaas_accepts():
    if not shutil.which("node"):
        if os.environ.get("CI"):
            pytest.fail("node is required in CI (make installs htmx with npm)")
        pytest.skip("node is not installed")
    script = docs_example("node-launch-example", "js") + '\nconsole.log(launchUrl("anna@example.com", "/customers"));\n'
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30,
                            env={**os.environ, "HWAAS_EMBED_SECRET": SECRET})
    claims = decode(token_of(result.stdout.strip()), SECRET, int(time.time()))
    assert claims.sub == "anna@example.com" and claims.next == "/customers"


# --- Verified by PyJWT: what an attacker would try against a JWT library -------------------------

def test_an_unsigned_alg_none_token_is_refused():
    import jwt

    unsigned = jwt.encode(claims(), key=None, algorithm="none")
    assert unsigned.endswith(".")  # no signature at all
    assert reason(unsigned) == "unsupported header"


def test_a_token_signed_with_hs512_and_the_right_secret_is_refused():
    import jwt

    with pytest.warns(jwt.warnings.InsecureKeyLengthWarning):  # PyJWT's own note on a 40-byte key for SHA-512
        token = jwt.encode(claims(), SECRET, algorithm="HS512")
    assert reason(token) == "unsupported header"


@pytest.mark.parametrize("claim, expected", [
    ("exp", "iat and exp must be integers"), ("iat", "iat and exp must be integers"),
    ("aud", "wrong audience"), ("jti", "missing or malformed jti"), ("sub", "missing sub"),
])
def test_a_token_without_a_required_claim_is_refused(claim, expected):
    token = portal_token({k: v for k, v in claims().items() if k != claim})
    assert reason(token) == expected


def test_a_token_made_with_pyjwt_by_the_portal_is_accepted():
    import jwt

    token = jwt.encode(claims(), SECRET, algorithm="HS256")
    assert decode(token, SECRET, NOW).jti == JTI
