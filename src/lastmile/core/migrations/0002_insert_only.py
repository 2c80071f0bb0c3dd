from django.db import migrations

from lastmile.core.dbtriggers import insert_only


class Migration(migrations.Migration):
    """AUD-1 / BIL-6 / TKT-2: history that cannot be edited."""

    dependencies = [("core", "0001_initial")]
    operations = [insert_only("core_timelineentry")]
