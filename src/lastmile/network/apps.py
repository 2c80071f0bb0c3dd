from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "lastmile.network"
    label = "network"

    def ready(self) -> None:
        from . import coa, jobs, services  # noqa: F401 - periodic jobs, the noc_followup resolver, the CoA hook
