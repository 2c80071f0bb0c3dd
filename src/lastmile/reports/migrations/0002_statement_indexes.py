"""Statements read from an index alone (issue 10): MRR groups the month's
statements by issue day (their recurring charges), collections reads each due
date's statements (issue day, account, amount due)."""
from django.db import migrations

INDEXES = {
    "reports_statement_issued": "billing_statement (issued_on, recurring)",
    "reports_statement_due": "billing_statement (due_on, issued_on, account_id, amount_due)",
}


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report_indexes")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}")
        for name, target in INDEXES.items()
    ]
