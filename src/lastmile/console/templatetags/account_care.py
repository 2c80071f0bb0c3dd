"""The account page's account-care pieces (issue 9), rendered from the account alone so
the account page's view stays as it is: the contracts on file, and the equipment card
that appears only while a confirmed cancellation's equipment is pending (CAN-6)."""
from __future__ import annotations

import datetime as dt

from django import template

from lastmile.accounts.selectors import contracts_on_file
from lastmile.cancellations import selectors as can_selectors
from lastmile.cancellations.choices import EquipmentState
from lastmile.core import ispconfig

register = template.Library()


@register.inclusion_tag("console/account_care/_equipment.html")
def equipment_card(account):
    cancellation = can_selectors.confirmed_cancellation(account=account)
    if cancellation is None or cancellation.equipment != EquipmentState.PENDING:
        return {"account": account, "pending": None}
    settings = ispconfig.current()
    due = (cancellation.uninstall_on + dt.timedelta(days=settings.equipment_return_days)
           if cancellation.uninstall_on else None)
    return {"account": account, "pending": cancellation, "fee": settings.equipment_fee, "due": due}


@register.inclusion_tag("console/account_care/_contracts_section.html")
def contracts_section(account):
    return {"account": account, "contracts": contracts_on_file(account=account),
            "status": can_selectors.contract_status(account=account)}
