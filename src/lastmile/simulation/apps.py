from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "lastmile.simulation"
    label = "simulation"
