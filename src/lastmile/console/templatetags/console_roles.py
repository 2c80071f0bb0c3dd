"""`{% if user|may:"noc.confirm" %}`: show a link only to those the services would let
through (the services still check; this only keeps the menu honest)."""
from django import template

from lastmile.core.actors import from_user

register = template.Library()


@register.filter
def may(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return from_user(user).can(capability)
