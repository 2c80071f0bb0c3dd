"""The actions the console offers on an account, by its state and the user's role
(issue 10): the one place the account page's action links come from.

An action that makes no sense in the account's state is not offered (no "Reinstate"
on an active account); one that the state or the role forbids right now is shown
disabled with the reason as a sentence. The reasons are the services' own: each
offer asks the same precondition the service checks (`*_check`, `*_case`,
`fee_waiver`, `manual_noc_capability`, the actor's capabilities), and the services
still check everything when the action is taken.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from lastmile.cancellations.services import cancellation_check
from lastmile.core.actors import CAPABILITIES, Actor
from lastmile.core.choices import AccountStatus, Role
from lastmile.core.errors import LastmileError, PermissionRefused
from lastmile.core.timeline_text import plain
from lastmile.delinquency import selectors as dlq_selectors
from lastmile.delinquency.services import arrangement_case, claim_case, fee_waiver, proposal_check
from lastmile.network.services import manual_noc_capability
from lastmile.plans import selectors as plan_selectors
from lastmile.plans.services import plan_change_check, trial_check

_ROLE_ORDER = (Role.AGENT, Role.BILLING, Role.MANAGER, Role.NOC, Role.ADMIN)


@dataclass(frozen=True)
class Offer:
    key: str
    label: str
    url: str
    allowed: bool = True
    reason: str = ""  # why it cannot be done now, when not allowed
    element_id: str = ""
    primary: bool = False


def needs(capability: str) -> str:
    """"Needs a manager." / "Needs the agent, billing, manager or admin role." """
    holders = [r.label if r == Role.NOC else r.label.lower() for r in _ROLE_ORDER if r in CAPABILITIES[capability]]
    if len(holders) == 1:
        return f"Needs {'an' if holders[0][0] in 'aeiou' else 'a'} {holders[0]}."
    return f"Needs the {', '.join(holders[:-1])} or {holders[-1]} role."


def _sentence(exc: LastmileError) -> str:
    text = plain(exc.message)
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _refusal(check) -> str:
    """The service's refusal sentence, or "" when its precondition holds."""
    try:
        check()
    except LastmileError as exc:
        return _sentence(exc)
    return ""


def account_offers(*, account, actor: Actor) -> list[Offer]:
    """Every action the account page offers, in the order the page shows them."""
    n = account.number
    url = lambda name: reverse(f"console:{name}", args=[n])  # noqa: E731
    status = account.status
    closed = status in AccountStatus.closed()
    offers: list[Offer] = []

    def offer(key, label, name, *, capability=None, refusal="", element_id="", primary=False, href=None):
        reason = refusal or (needs(capability) if capability and not actor.can(capability) else "")
        offers.append(Offer(key=key, label=label, url=href or url(name), allowed=not reason, reason=reason,
                            element_id=element_id or f"offer-{key}", primary=primary))

    # delinquency (DLQ-4..DLQ-7): only while a case is open, or service is shut off
    case = dlq_selectors.open_case(account=account)
    if status in AccountStatus.shut_off():
        offer("reinstate", "Reinstate", "reinstate", capability="payment.post", primary=True)
    if case is not None:
        offer("payment_claim", "Where is my payment?", "payment_claim", capability="account.change",
              refusal=_refusal(lambda: claim_case(account=account)))
        offers.extend(_arrangement_offers(account, actor, case))
    try:
        fee_waiver(account=account, actor=actor)
    except PermissionRefused as exc:  # a fee to waive, but only by a manager's override
        offer("fee_waive", "Waive fee", "fee_waive", capability="fee.waive", refusal=_sentence(exc))
    except LastmileError:
        pass  # no fee to waive
    else:
        offer("fee_waive", "Waive fee", "fee_waive", capability="fee.waive")

    # plans (PKG-1..PKG-10)
    if not closed:
        pending = _refusal(lambda: plan_change_check(account=account))
        offer("plan_change", "Change plan", "plan_change", capability="plan.change", refusal=pending)
        trial = plan_selectors.active_trial(account=account)
        if trial is None:
            offer("trial", "Start a trial", "trial", capability="plan.change",
                  refusal=pending or _refusal(lambda: trial_check(account=account)))
        else:
            offer("trial_revert", "Revert trial", "trial_revert", capability="plan.change", refusal=pending)

    # the network and the end of service (NET-2, CAN-1)
    if not closed and status not in AccountStatus.shut_off():
        offer("suspend", "Suspend", "suspend", capability=manual_noc_capability(account))
    if not closed:
        offer("cancel", "Cancel service", "cancel", capability="cancellation.request",
              refusal=_refusal(lambda: cancellation_check(account=account)))

    # the account itself
    offer("account_edit", "Edit contact details", "account_edit", capability="account.change",
          element_id="account-edit-link")
    if not closed:
        offer("contract_new", "Add a contract", "contract_new", capability="account.change")
    offer("emails", "Emails", "account_emails", element_id="account-emails-link")
    return offers


def _arrangement_offers(account, actor: Actor, case) -> list[Offer]:
    """DLQ-4: an agent proposes, a manager approves: what each sees differs."""
    n = account.number
    made = _refusal(lambda: arrangement_case(account=account))
    waiting = _refusal(lambda: proposal_check(case))
    if actor.can("arrangement.approve"):
        if waiting and not made:
            return [Offer(key="arrangement_approve", label="Approve the proposed arrangement",
                          url=reverse("console:approvals"), element_id="offer-arrangement-approve", primary=True)]
        return [Offer(key="arrangement", label="Approve arrangement", url=reverse("console:arrangement", args=[n]),
                      allowed=not made, reason=made, element_id="offer-arrangement")]
    reason = made or waiting or ("" if actor.can("arrangement.propose") else needs("arrangement.propose"))
    return [Offer(key="arrangement", label="Propose arrangement", url=reverse("console:arrangement", args=[n]),
                  allowed=not reason, reason=reason, element_id="offer-arrangement")]
