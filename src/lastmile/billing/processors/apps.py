from django.apps import AppConfig


class ProcessorsConfig(AppConfig):
    """Card processors behind one adapter (BIL-5, BIL-6, POR-1): its own app so that
    the attempts table and the webhook live beside the adapters they serve."""

    name = "lastmile.billing.processors"
    label = "processors"
    default_auto_field = "django.db.models.BigAutoField"
