"""Django set-up shared by the benchmarks: a throwaway database, migrated.

Without DATABASE_URL the benchmarks use bench/out/bench.sqlite3. With it,
point it at a database you can lose (e.g. postgres://postgres@127.0.0.1:5432/kpi_bench):
`fresh_database()` empties it.
"""

import os
import resource
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
_ready = False


def setup() -> None:
    """Configure and migrate Django once per process."""
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_portal.settings")
    os.environ.setdefault("DEBUG", "1")
    if not os.environ.get("DATABASE_URL"):
        OUT.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / 'bench.sqlite3'}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    _ready = True


def fresh_database() -> None:
    """Remove every row (the schema stays)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


@contextmanager
def debug_off():
    """Measure as in production: DEBUG=1 would keep every SQL statement in memory."""
    from django.conf import settings

    before = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = before


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    ru_maxrss carries the parent's peak over a fork and exec, so a child
    process would report its parent's memory; /proc's VmHWM is its own.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_page(client, url: str, *, runs: int = 7) -> dict:
    """Median server time (ms) over `runs` requests after a warm-up, and the query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    connection.queries_log.clear()  # a full log (9,000 entries) would hide new queries
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # now: the next request resets the log
    times = []
    with debug_off():
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
    return {
        "status": response.status_code,
        "median_ms": statistics.median(times),
        "queries": count,
        "bytes": len(response.content),
    }
