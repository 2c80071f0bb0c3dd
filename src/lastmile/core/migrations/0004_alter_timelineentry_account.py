"""Issue 14: the foreign keys' own indexes go (see core.migration_ops)."""
import django.db.models.deletion
from django.db import migrations, models

from lastmile.core.migration_ops import fk_index_dropped


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_alter_email_account_alter_phone_account'),
        ('core', '0003_dayrun'),
    ]

    operations = [
        fk_index_dropped(
            model_name="timelineentry", name="account", index="core_timelineentry_account_id_dff98a47", table="core_timelineentry", column="account_id",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='timeline', to='accounts.account'),
        ),
    ]
