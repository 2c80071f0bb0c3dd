from django.apps import AppConfig


class CancellationsConfig(AppConfig):
    name = "lastmile.cancellations"
    label = "cancellations"
