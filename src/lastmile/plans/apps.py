from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "lastmile.plans"
    label = "plans"

    def ready(self):
        # register the ticket resolvers, the scheduled "plan_change" action and the daily job
        from . import jobs, services  # noqa: F401
