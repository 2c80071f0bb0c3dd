"""Scenario verbs of cancellations (CAN-1..CAN-8) and the account key `contract` (CON-1, CON-8)."""
from __future__ import annotations

from lastmile.cancellations import contract_spec
from lastmile.cancellations.services import (
    cancellation_request,
    contract_apply_spec,
    equipment_returned,
    pickup_failed,
)
from lastmile.core.actors import superuser

from ..registry import BOOL, DATE, TEXT, account_key, verb
from ..yamlload import ScenarioError


@verb("request_cancellation", last_day=DATE, reason=TEXT, prorate_final_month=BOOL, moved_out=BOOL,
      improve=TEXT)
def request_cancellation(ctx, account, actor, last_day=None, reason=None, prorate_final_month=False,
                         moved_out=False, improve=""):
    cancellation_request(
        account=account, last_day=last_day, reason=reason, actor=actor,
        prorate_final_month=bool(prorate_final_month), moved_out=bool(moved_out), improve=improve or "",
    )


@verb("equipment_returned")
def equipment_returned_verb(ctx, account, actor):
    equipment_returned(account=account, actor=actor)


@verb("pickup_failed")
def pickup_failed_verb(ctx, account, actor):
    pickup_failed(account=account, actor=actor)


def _check_contract(value, line):
    """The shape of `contract:` is checked when the file loads (a bad one is exit 2)."""
    try:
        parsed = contract_spec.parse(value)
    except ValueError as exc:
        raise ScenarioError(getattr(value, "line", None) or line, str(exc)) from None
    return parsed


@account_key("contract", _check_contract)
def apply_contract(ctx, account, parsed):
    contract_apply_spec(account=account, parsed=parsed, actor=superuser("scenario set-up"),
                        reason="scenario: the account's contract")
