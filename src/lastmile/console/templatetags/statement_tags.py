"""The account page's statements with their state (issue 10): one read of the
account's ledger for all of them, so the list costs the same however many it shows."""
from __future__ import annotations

from django import template

from lastmile.billing.selectors import statement_states
from lastmile.core import clock

register = template.Library()


@register.inclusion_tag("console/statements/_list.html")
def statement_list(account, statements):
    statements = list(statements)
    states = statement_states(statements=statements, today=clock.today()) if statements else {}
    return {"account": account, "rows": [(s, states[s.pk]) for s in statements]}
