from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "lastmile.billing"
    label = "billing"

    def ready(self):
        from . import autopay, billrun  # noqa: F401  (register the daily jobs)
