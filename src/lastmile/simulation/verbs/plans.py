"""Scenario verbs of plan changes (PKG-1..PKG-10): change_plan, start_trial, revert_trial.

The simulated agent has verified the customer's identity (PKG-6) and the consent's
reference is the scenario line that records it.
"""
from __future__ import annotations

from lastmile.core.errors import InvalidInput
from lastmile.plans.services import plan_change_request, trial_revert, trial_start

from ..registry import BOOL, DATE, TEXT, verb


def _reference(ctx) -> str:
    return f"scenario line {ctx.event_line}"


@verb("change_plan", to=TEXT, reason=TEXT, speed_issues=BOOL, consent=TEXT, effective=DATE)
def change_plan(ctx, account, actor, to=None, reason="", speed_issues=False, consent=None, effective=None):
    if not to:
        raise InvalidInput("say which package to change to", field="to")
    plan_change_request(
        account=account, to=to, actor=actor, reason=reason or "", speed_issues=bool(speed_issues),
        consent=consent, consent_reference=_reference(ctx), identity_verified=True, effective=effective,
    )


@verb("start_trial", to=TEXT, consent=TEXT)
def start_trial(ctx, account, actor, to=None, consent=None):
    """A trial is usually agreed on the phone: consent defaults to verbal_recorded."""
    if not to:
        raise InvalidInput("say which package the trial is of", field="to")
    trial_start(
        account=account, to=to, actor=actor, consent=consent or "verbal_recorded",
        consent_reference=_reference(ctx), identity_verified=True,
    )


@verb("revert_trial")
def revert_trial(ctx, account, actor):
    trial_revert(account=account, actor=actor, consent="verbal_recorded",
                 consent_reference=_reference(ctx), identity_verified=True)
