#!/usr/bin/env bash
# Extracts every translatable message from the code and templates (babel.cfg) and merges it into
# each language's catalogue, hwaas/translations/<code>/LC_MESSAGES/messages.po; translate the new
# entries there (an empty msgstr, or one marked fuzzy, fails tests/unit/test_translations.py), then
# `make install` compiles them. A new language: scripts/translations.sh init <code>.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
pot=$(mktemp --suffix=.pot)
trap 'rm -f "$pot"' EXIT
$bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
  --omit-header -o "$pot" hwaas
if [ "${1:-}" = "init" ]; then
  $bin/pybabel init -i "$pot" -d hwaas/translations -l "$2"
else
  $bin/pybabel update -i "$pot" -d hwaas/translations --no-fuzzy-matching --ignore-obsolete
fi
