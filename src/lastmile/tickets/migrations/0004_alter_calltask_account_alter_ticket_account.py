"""Issue 14: the foreign keys' own indexes go (see core.migration_ops)."""
import django.db.models.deletion
from django.db import migrations, models

from lastmile.core.migration_ops import fk_index_dropped


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_alter_email_account_alter_phone_account'),
        ('tickets', '0003_assignee_user_calltask_note'),
    ]

    operations = [
        fk_index_dropped(
            model_name="calltask", name="account", index="tickets_calltask_account_id_2fb6767a", table="tickets_calltask", column="account_id",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='call_tasks', to='accounts.account'),
        ),
        fk_index_dropped(
            model_name="ticket", name="account", index="tickets_ticket_account_id_91e3d17e", table="tickets_ticket", column="account_id",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='accounts.account'),
        ),
    ]
