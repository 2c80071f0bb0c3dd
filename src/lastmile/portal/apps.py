from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer's own pages (POR-1, POR-2): a separate login, never a staff page."""

    name = "lastmile.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
