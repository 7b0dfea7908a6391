#!/usr/bin/env bash
# Serves hwaas with gunicorn on 127.0.0.1:PORT, with the outbox mail sender and the daily renewal job alongside.
set -euo pipefail
port="${1:-5000}"
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
exec_args=(--bind "127.0.0.1:${port}" --workers "${WEB_CONCURRENCY:-2}" --access-logfile - wsgi:app)
$bin/gunicorn "${exec_args[@]}"
