"""Every message the code and templates mark for translation has an Italian translation, the
catalogue holds nothing the code no longer says, and the compiled catalogue matches it."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "hwaas" / "translations"
LANGUAGES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """What scripts/translations.sh extracts: the messages in the code and templates now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot), "hwaas"],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def test_italian_is_there():
    assert "it" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_translated(extracted, language):
    translated = {m.id: m for m in catalogue(language) if m.id}

    def done(message) -> bool:  # every plural form counts
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return all(strings) and not message.fuzzy

    missing = sorted(map(str, (i for i in extracted if i not in translated or not done(translated[i]))))
    assert not missing, f"untranslated in {language} (run scripts/translations.sh and translate): {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_no_message_the_code_no_longer_uses(extracted, language):
    stale = sorted(str(m.id) for m in catalogue(language) if m.id and m.id not in extracted)
    assert not stale, f"stale in {language} (run scripts/translations.sh): {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    for message in catalogue(language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in filter(None, strings):
            assert set(PLACEHOLDER.findall(ids[-1])) == set(PLACEHOLDER.findall(string)), message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_current_one(language):
    mo = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), "not compiled: `make install` (or make translations) compiles the catalogues"
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    with mo.open("rb") as f:
        compiled = {key(m.id): key(m.string) for m in read_mo(f) if m.id}
    assert compiled == {key(m.id): key(m.string) for m in catalogue(language) if m.id and m.string and not m.fuzzy}
