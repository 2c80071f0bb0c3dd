from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "lastmile.network"
    label = "network"
