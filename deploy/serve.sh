#!/usr/bin/env bash
# Production serving (`make serve`): DEBUG off, migrations, collectstatic, then
# gunicorn and the task worker side by side. Ctrl-C or SIGTERM stops both
# (gracefully: the worker finishes the job it is running; a second Ctrl-C
# abandons it). If either one dies, the other is stopped too, so a process
# supervisor (systemd, Docker) sees the failure and restarts the pair.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

if [[ -z "${SECRET_KEY:-}" ]]; then
  cat >&2 <<'MSG'
serve: SECRET_KEY is not set. Production needs a long random secret that stays
the same across restarts (sessions and password-reset links depend on it):

  export SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"

Keep it with the other settings (see deploy/production.env.example), e.g.
  set -a; . /etc/kpi-portal/production.env; set +a; make serve
MSG
  exit 2
fi

export DEBUG=0
TASKS_BACKEND=${TASKS_BACKEND:-database}
export TASKS_BACKEND

"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py collectstatic --no-input -v 0
"$PY" manage.py expire_jobs -v 0

# Own sessions: a Ctrl-C in the terminal reaches only this script, which then
# sends each process the one signal that stops it gracefully (SIGTERM).
pids=()
setsid .venv/bin/gunicorn --config deploy/gunicorn.conf.py kpi_portal.wsgi:application &
pids+=($!)
if [[ "$TASKS_BACKEND" == "database" ]]; then
  setsid "$PY" manage.py db_worker --no-reload --no-startup-delay &
  pids+=($!)
else
  echo "serve: TASKS_BACKEND=$TASKS_BACKEND, jobs run inside requests; no worker started." >&2
fi

stopping=0
stop() {
  if (( stopping )); then
    echo "serve: stopping now, abandoning running jobs." >&2
  else
    stopping=1
    echo "serve: stopping (a running job finishes first; Ctrl-C again to abandon it)." >&2
  fi
  kill -TERM "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM

status=0
wait -n "${pids[@]}" || status=$?
(( stopping )) || { echo "serve: a process exited (status $status)." >&2; stop; }
for pid in "${pids[@]}"; do
  while kill -0 "$pid" 2>/dev/null; do wait "$pid" || true; done
done
exit "$status"
