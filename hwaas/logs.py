"""Logging: UTC ISO timestamps, the request id and the user on every line, and secrets redacted
(passwords, cookies, tokens, Authorization) from every record before any handler writes it."""
import datetime as dt
import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request, session

FORMAT = "%(asctime)s %(levelname)s %(name)s request=%(request_id)s user=%(user_id)s %(message)s"
REDACTED = "[REDACTED]"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Names whose values are secrets: "password", "new_password", "csrf_token", "api_key", "otp", …
_SECRET_NAME = (r"(?:[\w-]*(?:password|passwd|pwd|secret|token|cookie|authorization|api[_-]?key|session_?id)[\w-]*"
                r"|(?:[\w-]*[_-])?(?:otp|totp|jti|session)(?:[_-][\w-]*)?)")
_RULES = [
    # Header lines and header reprs: "Cookie: a=b", "Set-Cookie: …", "Authorization: Bearer …",
    # ('Cookie', 'a=b'), {'Authorization': '…'}
    (re.compile(r"(?i)\b((?:set-)?cookie|authorization|x-csrftoken|x-csrf-token)(['\"]?\s*[:,]\s*['\"]?)"
                r"[^'\"\r\n]+"), r"\1\2" + REDACTED),
    # name=value (also URL-encoded), name: value, "name": "value", 'name': 'value' (forms, query strings, JSON, reprs).
    (re.compile(r"(?i)\b(" + _SECRET_NAME + r")(['\"]?\s*(?:[=:]|%3[dD])\s*)(?!\[REDACTED\])"
                r"(?:'[^']*'|\"[^\"]*\"|[^\s&,;}\])]+)"), r"\1\2" + REDACTED),
    # SQL statement parameters in database errors carry whatever was written (hashes, e-mails…).
    (re.compile(r"\[parameters: [^\r\n]*"), "[parameters: " + REDACTED + "]"),
    # Things that are secrets whatever they are called: JWTs, Werkzeug password hashes, bearer tokens.
    (re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]+"), REDACTED),
    (re.compile(r"\b(?:pbkdf2:sha\d+|scrypt):[\w:$./+=-]+"), REDACTED),
    (re.compile(r"(?i)\bbearer\s+[\w.~+/=-]+"), "Bearer " + REDACTED),
]


def current_request_id() -> str:
    """The request's id: the load balancer's X-Request-Id when it is plain (it goes into every log
    line), else a new one. Set on first use, so that a request refused before any view has one too."""
    request_id = g.get("request_id")
    if not request_id or not _REQUEST_ID.fullmatch(request_id):
        header = request.headers.get("X-Request-Id", "")
        g.request_id = header if _REQUEST_ID.fullmatch(header) else uuid.uuid4().hex
    return g.request_id


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites the record's message (and its traceback) with secrets removed. Never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_hwaas_redacted", False):
            return True
        try:
            record.msg = redact(record.getMessage())
            record.args = ()
            if record.exc_info and not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:  # a log line that cannot be formatted must not break the request
            record.msg, record.args = "(unformattable log message)", ()
        record._hwaas_redacted = True
        return True


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to the record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = user_id = "-"
        if has_request_context():
            try:
                request_id = current_request_id()
                user = g.get("_login_user")  # Flask-Login's cache: no database query from a log call
                if user is not None and getattr(user, "is_authenticated", False):
                    user_id = str(user.id)
                else:
                    # The session keeps "user id:session version".
                    user_id = str(session.get("_user_id") or "-").partition(":")[0] or "-"
            except Exception:  # logging must work even from a request that is falling apart
                pass
        record.request_id = getattr(record, "request_id", request_id)
        record.user_id = getattr(record, "user_id", user_id)
        return True


class UTCFormatter(logging.Formatter):
    """ISO 8601 timestamps in UTC, with milliseconds: 2026-11-25T14:03:07.123Z."""

    def formatTime(self, record, datefmt=None):
        moment = dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(record.msecs):03d}Z"


def make_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(UTCFormatter(FORMAT))
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactingFilter())
    handler._hwaas = True
    return handler


def init_app(app: Flask) -> None:
    """One handler on the app's logger ("hwaas"), and redaction on the loggers of the servers,
    whose access lines carry URLs (a launch token is in its URL)."""
    from flask.logging import default_handler

    logger = logging.getLogger("hwaas")
    logger.removeHandler(default_handler)  # ours replaces Flask's, which knows nothing of the above
    if not any(getattr(h, "_hwaas", False) for h in logger.handlers):
        logger.addHandler(make_handler())
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.DEBUG if app.debug else logging.INFO)
    for name in ("hwaas", "werkzeug", "gunicorn.access", "gunicorn.error"):
        other = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in other.filters):
            # Records created on these loggers are redacted before any handler (ours or not) sees them.
            other.addFilter(RedactingFilter())
