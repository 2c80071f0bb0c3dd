from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lastmile.reports"
    label = "reports"

    def ready(self):
        from . import jobs  # noqa: F401 - registers the day run's collections close
