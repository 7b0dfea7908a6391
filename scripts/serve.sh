#!/usr/bin/env bash
# Serves hwaas with gunicorn on 127.0.0.1:PORT, with the outbox mail sender alongside.
set -euo pipefail
port="${1:-5000}"
bin=.venv/bin
sender_pid=""
if $bin/flask --help 2>/dev/null | grep -q "send-mail"; then
  $bin/flask send-mail --loop &
  sender_pid=$!
  trap '[ -n "$sender_pid" ] && kill "$sender_pid" 2>/dev/null || true' EXIT INT TERM
fi
exec_args=(--bind "127.0.0.1:${port}" --workers "${WEB_CONCURRENCY:-2}" --access-logfile - wsgi:app)
$bin/gunicorn "${exec_args[@]}"
