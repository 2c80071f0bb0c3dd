from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "lastmile.comms"
    label = "comms"

    def ready(self):
        from . import statements  # noqa: F401  (register the statement emails' minute job)
