"""The approval queue of payment arrangements (DLQ-4).

An agent proposes; the case pauses only when a manager approves. The page lists the
proposals oldest first with what a manager needs to decide (today's balance owed
against the installments' total), and the services check again who may act and
whether the proposal still covers the balance: their sentence is shown on the row.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from lastmile.billing.selectors import balance
from lastmile.core.errors import LastmileError
from lastmile.core.money import ZERO
from lastmile.core.timeline_text import plain
from lastmile.delinquency import selectors as dlq_selectors
from lastmile.delinquency import services as dlq_services
from lastmile.delinquency.models import Arrangement

from .views import actor, console_view, status_of


def _row(arrangement: Arrangement) -> dict:
    installments = [{"on": dt.date.fromisoformat(i["on"]), "amount": Decimal(i["amount"])}
                    for i in arrangement.installments]
    total = sum((i["amount"] for i in installments), ZERO)
    owed = balance(account=arrangement.account)
    return {"arrangement": arrangement, "account": arrangement.account, "installments": installments,
            "total": total, "owed": owed, "short": owed - total if total < owed else None}


def _queue(request, *, status: int = 200, errors: dict | None = None, reasons: dict | None = None):
    rows = [_row(a) for a in dlq_selectors.proposals()]
    for row in rows:
        pk = row["arrangement"].pk
        row["error"] = (errors or {}).get(pk, "")
        row["reason"] = (reasons or {}).get(pk, "")
    may_approve = actor(request).can("arrangement.approve")
    shown = {r["arrangement"].pk for r in rows} if may_approve else set()
    error = next((e for pk, e in (errors or {}).items() if e and pk not in shown), "")
    return render(request, "console/approvals.html", {
        "rows": rows, "error": error, "may_approve": may_approve}, status=status)


@console_view
@require_GET
def approvals(request):
    """Everyone sees the queue; only a manager gets the buttons (the services check too)."""
    return _queue(request)


@console_view
@require_POST
def approve(request, arrangement_id: int):
    arrangement = get_object_or_404(Arrangement, pk=arrangement_id)
    try:
        done = dlq_services.arrangement_approve(arrangement=arrangement, actor=actor(request))
    except LastmileError as exc:
        return _queue(request, status=status_of(exc), errors={arrangement.pk: plain(exc.message)})
    messages.success(request, f"Arrangement approved for {done.account.name}; the case is paused while it is kept.")
    return redirect("console:approvals")


@console_view
@require_POST
def decline(request, arrangement_id: int):
    arrangement = get_object_or_404(Arrangement, pk=arrangement_id)
    reason = request.POST.get("reason", "")
    try:
        done = dlq_services.arrangement_decline(arrangement=arrangement, actor=actor(request), reason=reason)
    except LastmileError as exc:
        return _queue(request, status=status_of(exc), errors={arrangement.pk: plain(exc.message)},
                      reasons={arrangement.pk: reason})
    messages.success(request, f"Arrangement for {done.account.name} declined; the reason is noted on the case.")
    return redirect("console:approvals")
