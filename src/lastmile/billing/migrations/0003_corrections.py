"""BIL-7: corrections name what they correct and why a payment came back. Both columns
are nullable, so adding them is an ALTER TABLE ADD COLUMN: no table rebuild, and the
insert-only triggers of 0002 stay (AUD-1)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0002_insert_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerentry',
            name='corrects',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='billing.ledgerentry'),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='reason_code',
            field=models.CharField(blank=True, choices=[('returned_check', 'Returned check'), ('nsf', 'Insufficient funds (NSF)'), ('chargeback', 'Chargeback')], max_length=20, null=True),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='entry_type',
            field=models.CharField(choices=[('charge', 'Charge'), ('credit', 'Credit'), ('payment', 'Payment'), ('void', 'Void'), ('reversal', 'Payment reversal'), ('refund', 'Refund')], max_length=10),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('recurring', 'Monthly service'), ('proration', 'Proration'), ('reactivation_fee', 'Reactivation fee'), ('etf', 'Early termination fee'), ('equipment_fee', 'Equipment replacement fee'), ('opening_balance', 'Opening balance'), ('adjustment', 'Adjustment'), ('payment', 'Payment'), ('reversal', 'Payment reversal'), ('refund', 'Refund')], max_length=20),
        ),
    ]
