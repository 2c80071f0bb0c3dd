"""Issue 14: the foreign keys' own indexes go (see core.migration_ops)."""
import django.db.models.deletion
from django.db import migrations, models

from lastmile.core.migration_ops import fk_index_dropped


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_alter_email_account_alter_phone_account'),
        ('network', '0004_nasdevice_api_password_nasdevice_api_port_and_more'),
    ]

    operations = [
        fk_index_dropped(
            model_name="nocrequest", name="account", index="network_nocrequest_account_id_464f876e", table="network_nocrequest", column="account_id",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='noc_requests', to='accounts.account'),
        ),
    ]
