from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "lastmile.comms"
    label = "comms"
