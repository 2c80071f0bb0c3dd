from django.apps import AppConfig


class DelinquencyConfig(AppConfig):
    name = "lastmile.delinquency"
    label = "delinquency"

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the day-run job
        from .services import subscribe_hooks

        subscribe_hooks()
