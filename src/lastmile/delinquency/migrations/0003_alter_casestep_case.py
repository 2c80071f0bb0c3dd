"""Issue 14: the foreign keys' own indexes go (see core.migration_ops)."""
import django.db.models.deletion
from django.db import migrations, models

from lastmile.core.migration_ops import fk_index_dropped


class Migration(migrations.Migration):

    dependencies = [
        ('delinquency', '0002_arrangement_proposal_payment_claim'),
    ]

    operations = [
        fk_index_dropped(
            model_name="casestep", name="case", index="delinquency_casestep_case_id_dcbf109f", table="delinquency_casestep", column="case_id",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='delinquency.case'),
        ),
    ]
