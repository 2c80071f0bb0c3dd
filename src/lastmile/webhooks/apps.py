from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "lastmile.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import jobs  # noqa: F401  (register the fan-out and delivery minute job)
