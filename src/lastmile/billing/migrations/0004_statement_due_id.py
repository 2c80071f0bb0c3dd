"""Issue 14: statements indexed by (due_on, id) instead of due_on alone, so the
reports' daily close finds each due date and its newest statement without a scan."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_corrections")]

    operations = [
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(fields=["due_on", "id"], name="billing_statement_due_id"),
        ),
        migrations.RemoveIndex(model_name="statement", name="billing_sta_due_on_518409_idx"),
    ]
