from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "lastmile.plans"
    label = "plans"
