from django.db import migrations

from lastmile.core.dbtriggers import insert_only


class Migration(migrations.Migration):
    """CON-2 / AUD-1: every contract and signature is kept; renewals append."""

    dependencies = [("cancellations", "0001_initial")]
    operations = [insert_only("cancellations_contract")]
