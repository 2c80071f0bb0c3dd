from django.apps import AppConfig


class CancellationsConfig(AppConfig):
    name = "lastmile.cancellations"
    label = "cancellations"

    def ready(self) -> None:
        # registers the scheduled actions (uninstall, equipment_pickup), the ticket
        # resolvers (cancellation, contract_lookup) and the daily equipment-fee job
        from . import services  # noqa: F401
