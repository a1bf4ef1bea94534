"""Plain SQL for the two hot spots of a 100,000-row KPI import.

The ORM's bulk_create prepares every field of every object one by one; for
new KPIs (33 columns) that is most of an import's time. Here the values are
already the right Python types (text, Decimal, int, None), which the SQLite
and PostgreSQL drivers take as they are, so rows go straight to
`executemany`. Table and column names come from the model's metadata, never
from input; every value is a query parameter.
"""

from functools import partial
from operator import attrgetter

from django.db import connection, models

from indicators.models import KPI, Round
from indicators.signals import kpis_written_in

BATCH = 1000
_INSERTED = [field for field in KPI._meta.concrete_fields if not field.primary_key]
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DecimalField,
    models.ForeignKey,
    models.BooleanField,
)


def insert_kpis(kpis: list[KPI]) -> None:
    """INSERT new KPIs (their plans and KRAs saved already); their ids are not read back.

    Parents created by the same import are linked afterwards, by code (`link_parents`).
    """
    if not kpis:
        return
    for kpi in kpis:
        kpi.kra_id = kpi.kra.pk  # the KRAs were just created: copy their new ids
        if kpi.plan_id is None:
            kpi.plan_id = kpi.plan.pk
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _INSERTED)
    row_marks = "(" + ", ".join(["%s"] * len(_INSERTED)) + ")"
    head = f"INSERT INTO {quote(KPI._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    getters = []
    for field in _INSERTED:
        if isinstance(field, _PLAIN):
            getters.append(attrgetter(field.attname))
        else:
            getters.append(partial(_prepared, field))
    many_rows = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(kpis), BATCH):
            rows = [tuple(get(kpi) for get in getters) for kpi in kpis[start : start + BATCH]]
            if many_rows:
                # psycopg2's executemany sends one statement per row: at a
                # ministry's 1,000,000 KPIs that is a million round trips.
                marks = ", ".join([row_marks] * len(rows))
                cursor.execute(head + marks, [value for row in rows for value in row])
            else:
                cursor.executemany(head + row_marks, rows)  # SQLite's executemany is a loop in C
    kpis_written_in(kpi.plan_id for kpi in kpis)


def _prepared(field, kpi: KPI):
    return field.get_db_prep_save(field.pre_save(kpi, True), connection)


def link_parents(round_: Round, pending: list[tuple[str, str]]) -> None:
    """Point each (KPI code, parent code) of `round_` at its parent, found by code."""
    table, quote = quote_table(), connection.ops.quote_name
    sql = (
        f"UPDATE {table} SET {quote('parent_id')} = (SELECT p.{quote('id')} FROM {table} p "  # noqa: S608
        f"WHERE p.{quote('round_id')} = %s AND p.{quote('code')} = %s) "
        f"WHERE {quote('round_id')} = %s AND {quote('code')} = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pending), BATCH):
            part = pending[start : start + BATCH]
            cursor.executemany(sql, [(round_.pk, parent, round_.pk, code) for code, parent in part])


def quote_table() -> str:
    return connection.ops.quote_name(KPI._meta.db_table)
