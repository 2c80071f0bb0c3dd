"""Plan changes and trials (PKG-1..PKG-10): the price first (PKG-6), then the change."""
from __future__ import annotations

import datetime as dt

from ninja import Router

from lastmile.accounts.selectors import account_get
from lastmile.plans import services as plan_services

from . import selectors
from .auth import actor_of
from .common import responses
from .schemas import PlanChangeIn, PlanChangeOut, PlanPreviewOut, TrialIn, TrialRevertIn

router = Router(tags=["plans"])


def change_out(change) -> dict:
    account = account_get(number=change.account.number)
    return {
        "id": change.pk, "kind": change.kind, "status": change.status, "pending_on": change.pending_on,
        "from_plan": change.from_package.code, "to": change.to_package.code,
        "effective_on": change.effective_on, "applied_on": change.applied_on, "ticket_id": change.ticket_id,
        "outcome": change.outcome, "account_plan": account.package.code,
    }


@router.get("/accounts/{number}/plan-change/preview", response=responses(PlanPreviewOut))
def plan_preview(request, number: str, to: str, on: dt.date | None = None):
    """PKG-6: the new monthly price, the prorated amount (BIL-2), the next statement's date and amount."""
    return selectors.plan_change_preview(account=account_get(number=number), to=to, on=on)


@router.post("/accounts/{number}/plan-changes", response=responses(PlanChangeOut))
def plan_change(request, number: str, payload: PlanChangeIn):
    """PKG-1..PKG-4, PKG-7, PKG-10: applied, scheduled, pending on a ticket, or a
    troubleshooting ticket instead (PKG-3 speed issues); the status says which."""
    change = plan_services.plan_change_request(
        account=account_get(number=number), to=payload.to, actor=actor_of(request), reason=payload.reason,
        speed_issues=payload.speed_issues, consent=payload.consent,
        consent_reference=payload.consent_reference, identity_verified=payload.identity_verified,
        effective=payload.effective,
    )
    return change_out(change)


@router.post("/accounts/{number}/trials", response=responses(PlanChangeOut))
def trial_start(request, number: str, payload: TrialIn):
    """PKG-5: a trial of a higher package, with its prorated charge and a reminder task."""
    change = plan_services.trial_start(
        account=account_get(number=number), to=payload.to, actor=actor_of(request), consent=payload.consent,
        consent_reference=payload.consent_reference, identity_verified=payload.identity_verified,
    )
    return change_out(change)


@router.post("/accounts/{number}/trials/revert", response=responses(PlanChangeOut))
def trial_revert(request, number: str, payload: TrialRevertIn):
    """PKG-5: back to the old package; the trial's prorated charges are voided."""
    change = plan_services.trial_revert(
        account=account_get(number=number), actor=actor_of(request), consent=payload.consent,
        consent_reference=payload.consent_reference, identity_verified=payload.identity_verified,
    )
    return change_out(change)
