"""gunicorn settings for `make serve` (deploy/serve.sh); all from the environment.

HOST, PORT            where to listen (127.0.0.1:8000: a reverse proxy in front)
WEB_CONCURRENCY       worker processes (default 2 x CPU cores + 1)
GUNICORN_TIMEOUT      seconds a request may take before its worker is restarted
FORWARDED_ALLOW_IPS   proxies whose X-Forwarded-* headers gunicorn believes
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container may use
    except AttributeError:
        return os.cpu_count() or 1


bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
# Spreadsheet uploads and report pages can take a while; exports run as jobs.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, to contain slow memory growth.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
accesslog = "-"
errorlog = "-"
proc_name = "kpi_portal"
# Heartbeat files in memory, not on a possibly slow disk.
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# gunicorn 27's control socket is one per user by default: several instances
# on one host would collide, and we do not use it.
control_socket_disable = True
