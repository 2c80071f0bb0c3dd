"""Indexes the reports read through (issue 10: each report in <= 1 s at 100,000
accounts with a year of history). The ledger is billing's table, but only the
reports need these, so they live and die with this app:

- payments by day (collections: a due date's window of payments, read from the
  index alone);
- fee kinds by day (fees: a few rows among millions of recurring charges);
- each account's entries by day (AR aging: the balance and its newest charges as
  of a day, read from the index alone).

Plain CREATE INDEX: the same statement on SQLite and PostgreSQL.
"""
from django.db import migrations

INDEXES = {
    "reports_ledger_type_day": "billing_ledgerentry (entry_type, posted_on, account_id, amount)",
    "reports_ledger_kind_day": "billing_ledgerentry (kind, posted_on)",
    "reports_ledger_account_day": "billing_ledgerentry (account_id, posted_on, amount)",
}


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_corrections")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}")
        for name, target in INDEXES.items()
    ]
