"""The old system's history on the account page (IMP-2: shown, never billed)."""
from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("console/imports/_history.html")
def imported_history(account):
    from lastmile.imports.selectors import history_for

    history = history_for(account=account)
    history["statements"] = history["statements"][:24]
    history["payments"] = history["payments"][:24]
    return history
