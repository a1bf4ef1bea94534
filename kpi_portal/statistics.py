"""Fresh planner statistics after an import writes many rows (PostgreSQL).

Autovacuum analyzes a table some time after it changed. Until then the
planner believes a round that has just received 1,000,000 KPIs holds a few
hundred, and picks the round_id index over (round_id, code): looking up
4,900 codes took 1.0 s instead of 0.3 s right after the ministry's import,
and locking a chunk's plans 95 ms instead of 23 ms (BENCHMARKS.md, "Imports
at ministry scale"). An import that wrote many rows analyzes the tables it
wrote, inside its transaction, so the statistics arrive with the rows.
"""

from collections.abc import Iterable

from django.db import connection, models

ANALYZE_ROWS = 10_000


def analyze_after_bulk(tables: Iterable[type[models.Model]], rows: int) -> None:
    """ANALYZE the models' tables when `rows` rows were written (PostgreSQL only)."""
    if rows < ANALYZE_ROWS or connection.vendor != "postgresql":
        return
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")  # names from the models, never input
