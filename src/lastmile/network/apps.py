from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "lastmile.network"
    label = "network"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import coa, jobs, services  # noqa: F401 - periodic jobs, the noc_followup resolver, the CoA hook
        from .models import PackageRadiusProfile
        from .radius import profiles_changed

        post_save.connect(profiles_changed, sender=PackageRadiusProfile, dispatch_uid="radius-profiles")
        post_delete.connect(profiles_changed, sender=PackageRadiusProfile, dispatch_uid="radius-profiles-del")
