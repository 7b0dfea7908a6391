#!/usr/bin/env bash
# Serves hwaas with gunicorn on HOST:PORT (HOST defaults to 127.0.0.1), with the outbox mail sender
# alongside (SMTP, or instance/mail/*.eml in development without MAIL_SERVER).
set -euo pipefail
port="${1:-5000}"
host="${HOST:-127.0.0.1}"
bin=.venv/bin
sender_pid=""
if $bin/flask --help 2>/dev/null | grep -q "send-mail"; then
  $bin/flask send-mail --loop &
  sender_pid=$!
  trap '[ -n "$sender_pid" ] && kill "$sender_pid" 2>/dev/null || true' EXIT INT TERM
fi
exec_args=(--bind "${host}:${port}" --workers "${WEB_CONCURRENCY:-2}" --access-logfile - wsgi:app)
$bin/gunicorn "${exec_args[@]}"
