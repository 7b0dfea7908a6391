#!/usr/bin/env bash
# Serves hwaas with gunicorn on HOST:PORT (HOST defaults to 127.0.0.1), with the outbox mail sender
# (SMTP, or instance/mail/*.eml in development without MAIL_SERVER) and the daily renewal job alongside.
set -euo pipefail
port="${1:-5000}"
host="${HOST:-127.0.0.1}"
bin=.venv/bin
sender_pid=""
renew_pid=""
if $bin/flask --help 2>/dev/null | grep -q "send-mail"; then
  $bin/flask send-mail --loop &
  sender_pid=$!
fi
# The renewal job, once a day (production: a cron line or systemd timer, see README).
$bin/flask renew --loop &
renew_pid=$!
trap 'for pid in $sender_pid $renew_pid; do kill "$pid" 2>/dev/null || true; done' EXIT INT TERM
exec_args=(--bind "${host}:${port}" --workers "${WEB_CONCURRENCY:-2}" --access-logfile - wsgi:app)
$bin/gunicorn "${exec_args[@]}"
