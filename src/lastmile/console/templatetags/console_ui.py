"""The console's shared pieces of page: an account's status badges.

`{% status_badges account %}` shows the account's status, plus "On trial" while a
PKG-5 trial is active and "Cancellation scheduled" while a cancellation is under way
(CAN-2). `{% status_badges account "account-status" %}` puts that id on the status
badge (the account page), `flags=False` leaves out the two look-ups (long lists).
"""
from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("console/_badges.html")
def status_badges(account, badge_id: str = "", flags: bool = True) -> dict:
    trial = cancellation = None
    if flags and account is not None and getattr(account, "pk", None):
        from lastmile.cancellations.selectors import open_cancellation
        from lastmile.plans.selectors import active_trial

        trial = active_trial(account=account)
        cancellation = open_cancellation(account=account)
    return {"account": account, "badge_id": badge_id, "trial": trial, "cancellation": cancellation}
