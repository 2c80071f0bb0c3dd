from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "lastmile.tickets"
    label = "tickets"
