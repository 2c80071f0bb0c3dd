from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "lastmile.network"
    label = "network"

    def ready(self) -> None:
        from . import jobs, services  # noqa: F401 - register periodic jobs and the noc_followup resolver
