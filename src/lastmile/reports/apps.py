from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lastmile.reports"
    label = "reports"
