"""A statement in the console (issue 10): its lines, what was paid against it and
when, and its state; printed from this page (a print stylesheet) or downloaded as
the PDF the customer received (console.documents, BIL-8).

Reads only; the state is today's, from the injected clock, so a statement turns
past due the day after its due date without anything being written."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from lastmile.accounts.selectors import account_get
from lastmile.billing import selectors as billing_selectors
from lastmile.core import clock, ispconfig

from .views import console_view


@console_view
@require_GET
def statement_page(request, number: str, statement_id: int):
    account = account_get(number=number)
    statement = billing_selectors.statement_get(account=account, statement_id=statement_id)
    detail = billing_selectors.statement_detail(statement=statement, today=clock.today())
    settings = ispconfig.current()
    return render(request, "console/statements/statement.html", {
        "account": account, "isp_name": settings.isp_name, "isp_address": settings.isp_address,
        "isp_phone": settings.isp_phone, "today": clock.today(), **detail,
    })
