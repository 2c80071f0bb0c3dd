"""Set-based writes for the day run (issue 6): `executemany` on Django's own connection.

`bulk_create` builds a model instance and prepares every field of every row in
Python, which is most of a 100,000-account bill run. The day-run jobs know their
columns and their values, so they hand plain tuples to the driver instead, inside
the same transaction (and the same unique constraints: a collision still raises
django.db.IntegrityError and rolls the chunk back).

Values go in already adapted: `db_date`, `db_datetime` and `json_text` turn Python
values into what the connection's driver stores; Decimal passes as it is.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import json

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Field, ForeignObject, Lookup


def _connection(model):
    if len(connections.settings) == 1:  # the usual single database: no router to ask
        return connections["default"]
    return connections[router.db_for_write(model)]


def db_date(value, model=None):
    conn = _connection(model) if model is not None else connections["default"]
    if conn.vendor == "sqlite":  # what the SQLite backend stores, without the detour
        return value.isoformat() if value is not None else None
    return conn.ops.adapt_datefield_value(value)


def db_datetime(value, model=None):
    conn = _connection(model) if model is not None else connections["default"]
    return conn.ops.adapt_datetimefield_value(value)


_float_decimal = decimal.Context(prec=15).create_decimal_from_float
_CENT = decimal.Decimal("0.01")


def money_from_db(value):
    """An amount read by a raw query, as Django's field would read it: SQLite keeps
    a decimal column as an integer or a float of 15 significant digits (Django's own
    converter, which this repeats), PostgreSQL hands a Decimal back."""
    if value is None or isinstance(value, decimal.Decimal):
        return value
    return _float_decimal(value).quantize(_CENT)


def date_from_db(value):
    """A date read by a raw query: SQLite gives the ISO text it stores."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def json_text(value) -> str:
    return json.dumps(value)


def insert(model, fields: list[str], rows: list[tuple], *, json_fields=()) -> int:
    """INSERT `rows` (tuples in the order of `fields`) into `model`'s table at once."""
    if not rows:
        return 0
    conn = _connection(model)
    qn = conn.ops.quote_name
    columns = [model._meta.get_field(name).column for name in fields]
    if conn.vendor == "postgresql":
        return _copy(conn, model, columns, rows)
    cast = ""
    marks = [f"%s{cast}" if name in json_fields else "%s" for name in fields]
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(marks)})"
    )
    with conn.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def create(model, objs: list) -> int:
    """`bulk_create` for rows nobody needs the ids of, through `insert` (COPY on
    PostgreSQL): the same values bulk_create would write (each field's pre_save and
    database preparation), without building a multi-row INSERT per thousand rows."""
    if not objs:
        return 0
    from django.db.models import JSONField

    conn = _connection(model)
    fields = [f for f in model._meta.concrete_fields
              if not f.primary_key and not getattr(f, "generated", False)]
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields) for obj in objs]
    if conn.vendor == "postgresql":  # COPY adapts the JSON itself
        json_at = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
        if json_at:
            rows = [tuple(_plain_json(v) if i in json_at else v for i, v in enumerate(row)) for row in rows]
    return insert(model, [f.name for f in fields], rows,
                  json_fields=[f.name for f in fields if isinstance(f, JSONField)])


def _plain_json(value):
    from psycopg.types.json import Jsonb

    return value if value is None or isinstance(value, Jsonb) else Jsonb(value)


def _copy(conn, model, columns, rows) -> int:
    """PostgreSQL: COPY ... FROM STDIN, the bulk path (executemany is a round trip a row).

    Constraint violations still surface as django.db.IntegrityError.
    """
    qn = conn.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with conn.cursor() as cursor, conn.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def exists(sql: str, params=()) -> bool:
    """A raw `SELECT 1 ... LIMIT 1` for a job's "is anything due today?" guard.

    Compiling an ORM query costs about a millisecond; a simulated year runs every job
    365 times, so the guards that let a quiet day return at once are raw. Inside
    `ask_together` the answer comes from one statement asked for every guard.
    """
    gathering = _gathering.get()
    if gathering is not None:
        key = (sql, tuple(params))
        if gathering.recording:
            gathering.asked.setdefault(key, None)
            return False  # so `a or b or c` lets every guard be asked
        if key in gathering.answers:
            return gathering.answers[key]
    return _fetchone(sql, params) is not None


def _fetchone(sql: str, params):
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


class _Gathering:
    def __init__(self):
        self.recording = True
        self.asked: dict[tuple, None] = {}
        self.answers: dict[tuple, bool] = {}


_gathering: contextvars.ContextVar[_Gathering | None] = contextvars.ContextVar("lastmile_probes", default=None)


def ask_together(probes: list) -> list[bool]:
    """Call every probe (a callable returning a bool that asks `exists`), with all
    their `exists` guards answered by ONE statement: `SELECT EXISTS(…), EXISTS(…)`.

    Why: a quiet day's stages each ask one or two guards, and on PostgreSQL each is
    a round trip (a simulated year is 365 quiet-ish days, issue 14). The probes run
    twice: first with every guard answering False, which only records what they ask
    (False lets `a or b` go on to ask b); then for real, with the recorded guards
    answered from the one statement. A guard the first pass did not reach is asked
    on its own, so the answers are always the ones each probe would get alone.
    """
    gathering = _Gathering()
    token = _gathering.set(gathering)
    try:
        for probe in probes:
            try:
                probe()
            except Exception:  # noqa: BLE001 - a recording pass only; the real pass raises
                pass
        if gathering.asked:
            keys = list(gathering.asked)
            sql = "SELECT " + ", ".join(f"EXISTS({q})" for q, _ in keys)
            row = _fetchone(sql, [p for _, params in keys for p in params])
            gathering.answers = {key: bool(value) for key, value in zip(keys, row, strict=True)}
        gathering.recording = False
        return [bool(probe()) for probe in probes]
    finally:
        _gathering.reset(token)


def ask_in_turn(probes: list):
    """Yield, probe by probe, whether each says its work is due, for a caller that
    runs each due one before the next is yielded (the day run's stages, the minute
    jobs). The probes still ahead are asked together (`ask_together`), and asked
    again after one said yes, since that work can make a later one due (the bill
    run's statements are the autopay's work). None as a probe: always due."""
    answers: list[bool] | None = None
    for i in range(len(probes)):
        if answers is None:
            answers = [False] * i + ask_together([(lambda p=p: p is None or p()) for p in probes[i:]])
        yield answers[i]
        if answers[i]:
            answers = None


def table(model) -> str:
    return _connection(model).ops.quote_name(model._meta.db_table)


def insert_one(model, values: dict, *, json_fields=(), unless_exists: str = "") -> int | None:
    """INSERT one row and return its id (`RETURNING`, SQLite ≥ 3.35 and PostgreSQL).

    For the hot single-row writes (a payment, a timeline entry): the SQL text is
    cached per model and field list, so nothing is compiled per call. With
    `unless_exists` (a field with a unique constraint) a row already holding that
    value is left alone and None is returned (`ON CONFLICT DO NOTHING`), with no
    IntegrityError to roll back.
    """
    conn = _connection(model)
    names = tuple(values)
    key = (conn.alias, model, names, tuple(json_fields), unless_exists)
    sql = _one_sql.get(key)
    if sql is None:
        qn = conn.ops.quote_name
        cast = "::jsonb" if conn.vendor == "postgresql" else ""
        columns = [model._meta.get_field(name).column for name in names]
        marks = [f"%s{cast}" if name in json_fields else "%s" for name in names]
        conflict = (f" ON CONFLICT ({qn(model._meta.get_field(unless_exists).column)}) DO NOTHING"
                    if unless_exists else "")
        sql = _one_sql[key] = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"VALUES ({', '.join(marks)}){conflict} RETURNING {qn(model._meta.pk.column)}"
        )
    with conn.cursor() as cursor:
        cursor.execute(sql, list(values.values()))
        row = cursor.fetchone()
        return row[0] if row else None


_one_sql: dict = {}


def update_one(model, pk: int, values: dict, *, where_null: tuple[str, ...] = ()) -> int:
    """UPDATE one row by id, with the SQL text cached like `insert_one`'s; returns
    how many rows changed (0 when a `where_null` field is set already). `values`
    are the database's values (see `db_date`, `db_datetime`), a foreign key's
    value its id.

    Why: compiling an ORM `filter(...).update(...)` costs about half a
    millisecond, and autopay settles every card attempt with one (issue 14)."""
    conn = _connection(model)
    names = tuple(values)
    key = ("update", conn.alias, model, names, where_null)
    sql = _one_sql.get(key)
    if sql is None:
        qn = conn.ops.quote_name
        meta = model._meta
        sets = ", ".join(f"{qn(meta.get_field(n).column)} = %s" for n in names)
        nulls = "".join(f" AND {qn(meta.get_field(n).column)} IS NULL" for n in where_null)
        sql = _one_sql[key] = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s{nulls}"
    with conn.cursor() as cursor:
        cursor.execute(sql, [*values.values(), pk])
        return cursor.rowcount


def loaded(instance, pk: int):
    """Mark an instance built in Python as the saved row `pk` (as `Model.save` would)."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = "default"
    return instance


class Ids:
    """A list of integer ids for the `__among` lookup: `filter(account_id__among=Ids(ids))`.

    Why not `__in`: Django prepares and resolves each value of an `__in` list in
    Python, which for a day-run chunk's thousand ids was about 3 ms a query and 0.3 s
    of a 100,000-account delinquency day (issue 14). The ids are made ints here and
    written into the SQL, so nothing but integers can reach it."""

    __slots__ = ("ids",)

    def __init__(self, ids):
        self.ids = [int(i) for i in ids]


class Among(Lookup):
    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self):
        if not isinstance(self.rhs, Ids):
            raise TypeError("__among takes core.bulk.Ids(...)")
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if not self.rhs.ids:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(map(str, self.rhs.ids))})", list(params)


Field.register_lookup(Among)
ForeignObject.register_lookup(Among)
