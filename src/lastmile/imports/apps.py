from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "lastmile.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self):
        from . import jobs  # noqa: F401 - registers the first-bill catch-up of the day run
