"""resolve_ticket: an admin answers the account's oldest open ticket of a kind."""
from __future__ import annotations

from lastmile.core.errors import InvalidInput
from lastmile.tickets.services import open_ticket_of_kind, ticket_resolve

from ..registry import ANY, BOOL, TEXT, verb


@verb("resolve_ticket", ticket=TEXT, premium_available=BOOL, contract=ANY, approved=BOOL)
def resolve_ticket(ctx, account, actor, ticket=None, **answer):
    """`premium_available` answers a premium_availability ticket (PKG-4); `contract`
    answers a contract_lookup ticket (CON-8: `none` or a contract mapping);
    `approved: false` declines a utopia_admin request (default: handled and applied)."""
    if not ticket:
        raise InvalidInput("say which ticket: its kind, e.g. premium_availability", field="ticket")
    ticket_resolve(ticket=open_ticket_of_kind(account=account, kind=ticket), actor=actor, answer=answer)
