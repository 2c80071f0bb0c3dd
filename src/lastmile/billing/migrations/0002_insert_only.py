from django.db import migrations

from lastmile.core.dbtriggers import insert_only


class Migration(migrations.Migration):
    """AUD-1 / BIL-6 / TKT-2: history that cannot be edited."""

    dependencies = [("billing", "0001_initial")]
    operations = [insert_only("billing_ledgerentry")]
