from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lastmile.catalog"
    label = "catalog"
