"""Reads for plan changes: the price preview (PKG-6), the proration due (BIL-2),
trials (PKG-5)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lastmile.billing.cycle import next_cycle_date, period_containing
from lastmile.billing.models import Statement
from lastmile.billing.proration import change_proration
from lastmile.billing.selectors import balance
from lastmile.catalog.models import Package
from lastmile.catalog.selectors import package_get
from lastmile.core import clock
from lastmile.core.money import ZERO

from .choices import ChangeStatus, TrialStatus
from .models import PlanChange, Trial


@dataclass(frozen=True)
class PlanChangePreview:
    """PKG-6: what the agent reads to the customer before the change is made.

    `prorated` is positive for a charge (upgrade) and negative for a credit
    (downgrade). `next_statement_amount` is what the next statement will ask for if
    nothing else happens before it: the account's balance today (every unpaid or
    credit amount, including charges and prorations posted since the last statement),
    plus this change's proration, plus one month of the new package, never below
    zero (BIL-1).
    """

    package: str
    package_name: str
    monthly: Decimal
    prorated: Decimal
    next_statement_on: dt.date
    next_statement_amount: Decimal


def resolve_package(to) -> Package:
    """A package given as an object or by its code (NotFound names the packages)."""
    if isinstance(to, Package):
        return to
    return package_get(code=str(to))


def proration_amount(*, account, old_monthly: Decimal, new_monthly: Decimal, on: dt.date) -> Decimal:
    """BIL-2 for this account: the prorated difference from `on` to its period's end.

    A change that takes effect on the first day of a period that has not been billed
    yet (a PKG-7 change scheduled for the bill-cycle day runs before that morning's
    bill run) prorates nothing: the coming statement bills the new price in full.
    """
    start, _ = period_containing(on, account.bill_cycle_day)
    if on == start and not Statement.objects.filter(account=account, period_start=start).exists():
        return ZERO
    return change_proration(old_monthly, new_monthly, on, account.bill_cycle_day)


def plan_change_preview(*, account, to, on: dt.date | None = None) -> PlanChangePreview:
    """PKG-6: the new monthly price, the prorated amount (BIL-2) and the next
    statement's date and amount, for a change of `account` to `to` on `on` (today)."""
    on = on or clock.today()
    new = resolve_package(to)
    prorated = proration_amount(
        account=account, old_monthly=account.package.monthly, new_monthly=new.monthly, on=on
    )
    amount = max(balance(account=account) + prorated + new.monthly, ZERO)
    return PlanChangePreview(
        package=new.code, package_name=new.name, monthly=new.monthly, prorated=prorated,
        next_statement_on=next_cycle_date(on, account.bill_cycle_day), next_statement_amount=amount,
    )


def availability_at(*, account) -> str:
    """PKG-4: what is known of Premium at the service address (yes, no, unknown)."""
    from lastmile.accounts.choices import PremiumAvailability

    address = getattr(account, "address", None)
    return address.premium_available if address is not None else PremiumAvailability.UNKNOWN


def packages_offered(*, account, higher_only: bool = False) -> list[Package]:
    """The packages an agent may offer (PKG-9, PKG-4): sold, not the current one, and
    not a reviewed package (Premium) where the address is known not to have it."""
    from lastmile.accounts.choices import PremiumAvailability

    unavailable = availability_at(account=account) == PremiumAvailability.NO
    offered = []
    for package in Package.objects.filter(sold=True).order_by("rank", "code"):
        if package.pk == account.package_id or (higher_only and package.rank <= account.package.rank):
            continue
        if unavailable and package.requires_review and package.rank > account.package.rank:
            continue
        offered.append(package)
    return offered


def pending_change(*, account) -> PlanChange | None:
    return PlanChange.objects.filter(account=account, status=ChangeStatus.PENDING).first()


def plan_changes(*, account):
    return PlanChange.objects.filter(account=account).order_by("requested_at", "id")


def active_trial(*, account) -> Trial | None:
    return (
        Trial.objects.select_related("from_package", "to_package")
        .filter(account=account, status=TrialStatus.ACTIVE).first()
    )


def statement_after_trial(*, trial: Trial) -> Statement | None:
    """PKG-5: the first statement issued after the trial's last day; once it exists the
    trial can no longer be reverted (it is kept)."""
    return (
        Statement.objects.filter(account_id=trial.account_id, issued_on__gt=trial.ends_on)
        .order_by("issued_on").first()
    )


def statements_billed_during_trial(*, trial: Trial, through: dt.date):
    """Statements of periods that began after the trial started (so billed at the
    trial package's price), issued by `through`."""
    return Statement.objects.filter(
        account_id=trial.account_id, period_start__gt=trial.started_on, issued_on__lte=through,
    ).order_by("period_start")
