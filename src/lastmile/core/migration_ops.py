"""Migration operations the apps share (no model imports: migrations must not
depend on today's models)."""
from __future__ import annotations

from django.db import migrations


def fk_index_dropped(*, model_name: str, name: str, field, index: str, table: str, column: str):
    """A foreign key's own index goes (`db_index=False`), where a composite index that
    starts with the same column serves its lookups (issue 14: one index less to
    write per row).

    A plain DROP INDEX, not AlterField: on SQLite AlterField rebuilds the table, and
    the rebuild would lose the insert-only triggers (AUD-1) of the timeline and the
    ledger. The index name is Django's own for the field, the same on both engines.
    """
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunSQL(
            f'DROP INDEX IF EXISTS "{index}"',
            reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
        )],
    )
