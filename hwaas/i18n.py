"""Languages (DESIGN §3.9): English and Italian; another language is a catalogue in
hwaas/translations/<code>/, no code. The language of a request is the user's choice (account page;
the switch on the sign-in page for someone not signed in), else the browser's Accept-Language,
else English."""
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from hwaas.extensions import babel
from hwaas.services import errors

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT = "en"


def languages() -> dict[str, str]:
    """{code: the language's name in itself}, English first."""
    codes = [DEFAULT] + sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())
    return {code: Locale.parse(code).get_display_name(code).capitalize() for code in codes}


def select_language() -> str:
    available = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in available:
        return current_user.language
    if session.get("language") in available:
        return session["language"]
    return request.accept_languages.best_match(list(available), default=DEFAULT)


class LazyText(LazyString):
    """A message translated when it is shown (form labels and validators built once, read in each
    request's language). flask_babel's own lazy string calls itself safe HTML, so a name inside
    it (a product's, in a quantity's label) would reach the page unescaped: this one is escaped
    like any other text."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string: str, **variables) -> LazyText:
    """`_l`: what flask_babel.lazy_gettext does, escaped in templates (LazyText)."""
    return LazyText(gettext, string, **variables)


def language() -> str:
    """The request's language code ("en", "it"): what documents, exports and mails are written in."""
    locale = get_locale()
    return locale.language if locale else DEFAULT


def translate_refusal(template: str, params: dict) -> str | None:
    """A service's refusal (DomainError) in the request's language, its dates and amounts written
    as that language writes them; None outside a request (the CLI, the jobs): English."""
    if not has_request_context():
        return None
    return errors.fill(gettext(template), params, language(), current_app.config.get("CURRENCY", "EUR"))


def init_app(app: Flask) -> None:
    errors.install_translator(translate_refusal)
    babel.init_app(app, default_locale=DEFAULT, default_translation_directories=str(TRANSLATIONS),
                   locale_selector=select_language)
    app.config["LANGUAGES"] = languages()

    @app.context_processor
    def _language():
        return {"current_language": language(), "languages": app.config["LANGUAGES"]}
