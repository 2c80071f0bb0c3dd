"""Issue 14: the foreign keys' own indexes go (see core.migration_ops)."""
import django.db.models.deletion
from django.db import migrations, models

from lastmile.core.migration_ops import fk_index_dropped


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_alter_email_account_alter_phone_account'),
        ('billing', '0004_statement_due_id'),
    ]

    operations = [
        fk_index_dropped(
            model_name="ledgerentry", name="account", index="billing_ledgerentry_account_id_ac8d6a24", table="billing_ledgerentry", column="account_id",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='ledger', to='accounts.account'),
        ),
        fk_index_dropped(
            model_name="statement", name="account", index="billing_statement_account_id_08f1ed9c", table="billing_statement", column="account_id",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='statements', to='accounts.account'),
        ),
    ]
