"""Issue 14: the foreign keys' own indexes go (see core.migration_ops)."""
import django.db.models.deletion
from django.db import migrations, models

from lastmile.core.migration_ops import fk_index_dropped


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_search_trigrams'),
    ]

    operations = [
        fk_index_dropped(
            model_name="email", name="account", index="accounts_email_account_id_d2e475eb", table="accounts_email", column="account_id",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='emails', to='accounts.account'),
        ),
        fk_index_dropped(
            model_name="phone", name="account", index="accounts_phone_account_id_3eb44229", table="accounts_phone", column="account_id",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='phones', to='accounts.account'),
        ),
    ]
