"""The monitoring figures, kept by the database itself (triggers), and their rebuild.

`monitoring.UnitFigure` holds, per round and unit, how many KPIs of approved
plans count in that unit with a given latest status and latest check-in
date (NO_CHECKIN, the oldest date there is, with status "" when there is
none). "No news" depends on today, so it is not stored: the page counts the
rows older than the round's cutoff as no news (monitoring.figures).

What a KPI adds to the figures depends on four tables: the KPI (its plan
and round), its plan (status, round, owner), the owner node (kind and
parent: a person's KPIs count in the person's unit) and monitoring.Progress
(the latest check-in). A trigger on each of them, in the same statement as
the write, takes away what the changed rows added before and adds what they
add now: one upsert of the net change per key (`kpis = kpis + change`,
atomic on PostgreSQL whatever runs alongside), keys in a fixed order, then
the rows that fell to zero go. So every write path keeps the figures: the
services, the imports' bulk_create/bulk_update and raw executemany, the
admin, cascading deletes, tree moves, test data made with the ORM.

SQLite: row triggers (`FOR EACH ROW`, updates only when a column that
matters changed). PostgreSQL: statement triggers over the transition tables
(`REFERENCING OLD TABLE ... NEW TABLE`), so a bulk write of 100,000 rows
costs one grouped statement rather than 100,000.

Plans and nodes need no insert or delete trigger: a new plan or node has no
KPIs yet, and neither can be deleted while it has KPIs (PROTECT, and
Django's cascade deletes Progress, then KPIs, before their plan).

The triggers are installed by migrations (`install`); a change to the SQL
here needs a new migration calling `install` again.
"""

# Every name in this SQL is a constant of this module and the only values
# are integers passed as parameters: no text from outside reaches it.
# ruff: noqa: S608

from dataclasses import dataclass

FIGURES = "monitoring_unitfigure"
KEY = "round_id, unit_id, status, latest"
NO_CHECKIN = "0001-01-01"
PREFIX = "monitoring_fig"


@dataclass(frozen=True)
class Source:
    """A table the figures depend on: its alias in the join and the columns that matter."""

    table: str
    alias: str
    pk: str
    columns: tuple[str, ...]


KPIS = Source("indicators_kpi", "k", "id", ("plan_id", "round_id"))
PLANS = Source("indicators_plan", "p", "id", ("round_id", "owner_id", "status"))
NODES = Source("orgchart_node", "o", "id", ("kind", "parent_id"))
PROGRESS = Source("monitoring_progress", "g", "kpi_id", ("status", "date"))
SOURCES = (KPIS, PLANS, NODES, PROGRESS)


def contribution(sign: int, relations: dict[str, str] | None = None) -> str:
    """SELECT (round_id, unit_id, status, latest, n) for each counted KPI, n = `sign`.

    `relations` puts a relation (a trigger's old or new rows) in place of a
    source table, by alias; a relation for Progress joins inner (it gives
    the status, NULL for none), the table itself joins left.
    """
    relations = relations or {}

    def table(source: Source) -> str:
        return relations.get(source.alias, source.table)

    progress_join = "JOIN" if PROGRESS.alias in relations else "LEFT JOIN"
    return (
        "SELECT p.round_id AS round_id, "
        "CASE WHEN o.kind = 'individual' THEN o.parent_id ELSE o.id END AS unit_id, "
        f"COALESCE(g.status, '') AS status, COALESCE(g.date, '{NO_CHECKIN}') AS latest, "
        f"{sign} AS n "
        f"FROM {table(KPIS)} k "
        f"JOIN {table(PLANS)} p ON p.id = k.plan_id "
        f"JOIN {table(NODES)} o ON o.id = p.owner_id "
        f"{progress_join} {table(PROGRESS)} g ON g.kpi_id = k.id "
        "WHERE k.round_id = p.round_id AND p.status = 'approved'"
    )


def apply_sql(parts: list[str]) -> str:
    """Add the net change of `parts` to the figures, one upsert, keys in order."""
    union = " UNION ALL ".join(parts)
    return (
        f"INSERT INTO {FIGURES} ({KEY}, kpis) "
        f"SELECT {KEY}, SUM(n) FROM ({union}) AS c WHERE unit_id IS NOT NULL "
        f"GROUP BY {KEY} HAVING SUM(n) <> 0 ORDER BY {KEY} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET kpis = {FIGURES}.kpis + excluded.kpis"
    )


def prune_sql(old: str) -> str:
    """Delete the rows the old part took down to zero (locked already by the upsert).

    Below zero too: a row goes negative only when the figures were emptied
    under the triggers, e.g. by a flush deleting table by table in no set
    order (SQLite); the figures then stay empty rather than keep the debt.
    """
    return (
        f"DELETE FROM {FIGURES} WHERE kpis <= 0 AND ({KEY}) IN "
        f"(SELECT {KEY} FROM ({old}) AS c WHERE unit_id IS NOT NULL)"
    )


# -- the relations of a trigger's old and new rows, per database --------------------


def _sqlite_row(source: Source, row: str, *, no_progress: bool = False) -> str:
    """One row of a row trigger (OLD or NEW) as a relation; no_progress: a KPI without one."""
    names = (source.pk, *source.columns)
    values = [
        f"NULL AS {name}" if no_progress and name != source.pk else f"{row}.{name} AS {name}"
        for name in names
    ]
    return f"(SELECT {', '.join(values)})"


def _postgres_rows(source: Source, side: str, *, event: str, no_progress: bool = False) -> str:
    """A statement trigger's transition table (changed rows only, for an update)."""
    table = {"old": "old_rows", "new": "new_rows"}[side]
    if no_progress:
        return f"(SELECT {source.pk}, NULL::varchar AS status, NULL::date AS date FROM {table})"
    if event != "UPDATE":
        return table
    chosen = "o" if side == "old" else "n"
    olds = ", ".join(f"o.{c}" for c in source.columns)
    news = ", ".join(f"n.{c}" for c in source.columns)
    picked = ", ".join(f"{chosen}.{c}" for c in (source.pk, *source.columns))
    return (
        f"(SELECT {picked} FROM old_rows o JOIN new_rows n ON n.{source.pk} = o.{source.pk} "
        f"WHERE ({olds}) IS DISTINCT FROM ({news}))"
    )


EVENTS = {
    KPIS: ("INSERT", "UPDATE", "DELETE"),
    PLANS: ("UPDATE",),
    NODES: ("UPDATE",),
    PROGRESS: ("INSERT", "UPDATE", "DELETE"),
}


def _sides(source: Source, event: str, relation) -> tuple[str | None, str | None]:
    """(old relation, new relation) of a trigger; None where that side adds nothing."""
    old = relation("old") if event in ("UPDATE", "DELETE") else None
    new = relation("new") if event in ("UPDATE", "INSERT") else None
    if source is PROGRESS and event == "INSERT":
        old = relation("new", no_progress=True)  # the KPI had no check-in before
    if source is PROGRESS and event == "DELETE":
        new = relation("old", no_progress=True)  # and has none after
    return old, new


def trigger_body(source: Source, event: str, relation) -> list[str]:
    """The statements a trigger runs: the upsert of the net change, then the pruning."""
    old, new = _sides(source, event, relation)
    parts = []
    if old is not None:
        parts.append(contribution(-1, {source.alias: old}))
    if new is not None:
        parts.append(contribution(1, {source.alias: new}))
    statements = [apply_sql(parts)]
    if old is not None:
        statements.append(prune_sql(contribution(-1, {source.alias: old})))
    return statements


def _name(source: Source, event: str) -> str:
    return f"{PREFIX}_{source.alias}_{event.lower()}"


ROW_OF_SIDE = {"old": "OLD", "new": "NEW"}


def sqlite_triggers() -> list[str]:
    statements = []
    for source, events in EVENTS.items():
        for event in events:

            def relation(side, *, no_progress=False, source=source):
                return _sqlite_row(source, ROW_OF_SIDE[side], no_progress=no_progress)

            body = "; ".join(trigger_body(source, event, relation))
            when, of = "", ""
            if event == "UPDATE":
                names = (source.pk, *source.columns)
                of = " OF " + ", ".join(names)
                when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in names)
            statements.append(
                f"CREATE TRIGGER {_name(source, event)} AFTER {event}{of} ON {source.table} "
                f"FOR EACH ROW{when} BEGIN {body}; END"
            )
    return statements


def postgres_triggers() -> list[str]:
    statements = []
    for source, events in EVENTS.items():
        for event in events:

            def relation(side, *, no_progress=False, source=source, event=event):
                return _postgres_rows(source, side, event=event, no_progress=no_progress)

            body = "; ".join(trigger_body(source, event, relation))
            name = _name(source, event)
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[event]
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {source.table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return statements


def drop_statements(vendor: str) -> list[str]:
    statements = []
    for source, events in EVENTS.items():
        for event in events:
            name = _name(source, event)
            if vendor == "postgresql":
                statements.append(f"DROP TRIGGER IF EXISTS {name} ON {source.table}")
                statements.append(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements


def install(connection) -> None:
    """(Re)create the triggers on `connection`'s database (a migration's job)."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"monitoring figures: no triggers for {vendor}")
    create = postgres_triggers() if vendor == "postgresql" else sqlite_triggers()
    with connection.cursor() as cursor:
        for statement in [*drop_statements(vendor), *create]:
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor):
            cursor.execute(statement)


def rebuild(connection, round_id: int | None = None) -> None:
    """Recompute the figures from scratch (of one round, or all), in the caller's transaction.

    On PostgreSQL the figures table is locked first, so a trigger of a write
    running alongside applies its change after the rebuild, on top of it.
    """
    where, params = "", []
    if round_id is not None:
        where, params = " AND p.round_id = %s", [round_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {FIGURES} IN EXCLUSIVE MODE")
        if round_id is None:
            cursor.execute(f"DELETE FROM {FIGURES}")
        else:
            cursor.execute(f"DELETE FROM {FIGURES} WHERE round_id = %s", [round_id])
        cursor.execute(
            f"INSERT INTO {FIGURES} ({KEY}, kpis) "
            f"SELECT {KEY}, SUM(n) FROM ({contribution(1)}{where}) AS c "
            f"WHERE unit_id IS NOT NULL GROUP BY {KEY}",
            params,
        )
