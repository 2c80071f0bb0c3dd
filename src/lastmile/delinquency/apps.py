from django.apps import AppConfig


class DelinquencyConfig(AppConfig):
    name = "lastmile.delinquency"
    label = "delinquency"
