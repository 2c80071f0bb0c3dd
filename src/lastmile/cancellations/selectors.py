"""Reads for cancellations and contracts: the contract that counts, the quote of an
ETF (CON-4..CON-6) and the final-bill preview (CAN-7)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lastmile.billing.billrun import recurring_amount
from lastmile.billing.cycle import period_containing
from lastmile.billing.models import Statement
from lastmile.billing.selectors import balance
from lastmile.core.money import ZERO

from . import etf as etf_rules
from .choices import CancellationStatus, ContractKind, ContractStatus
from .models import AccountContractStatus, Cancellation, Contract


def contract_status(*, account) -> str:
    """CON-8: month-to-month (`none`) unless a contract is known or flagged unknown."""
    row = AccountContractStatus.objects.filter(account=account).values_list("status", flat=True).first()
    return row or ContractStatus.NONE


def contracts(*, account):
    return Contract.objects.filter(account=account).order_by("start", "id")


def current_contract(*, account) -> Contract | None:
    """CON-2: of our own contracts (residential, commercial) the latest counts: the
    newest signature of a paper contract, the newest term of a digital one."""
    return (
        Contract.objects.filter(account=account, kind__in=(ContractKind.RESIDENTIAL, ContractKind.COMMERCIAL))
        .order_by("-start", "-id").first()
    )


def current_lease(*, account) -> Contract | None:
    """CAN-8: the UTOPIA lease (UTOPIA's contract, not ours), the latest signing."""
    return Contract.objects.filter(account=account, kind=ContractKind.UTOPIA_LEASE).order_by("-start", "-id").first()


def contract_end(contract: Contract) -> dt.date:
    """CON-2/CON-3: start (signature, first billing) + term."""
    return etf_rules.contract_end(contract.start, contract.months)


@dataclass(frozen=True)
class Quote:
    under_contract: bool
    etf: Decimal
    months_remaining: int
    contract: Contract | None
    end: dt.date | None
    monthly: Decimal | None


def contract_quote(*, account, requested_on: dt.date, residential_cap: Decimal) -> Quote:
    """CON-4..CON-6: is the customer bound on the request date, and what does leaving cost.

    The rate is the contract's monthly rate, or the account's plan price when the
    contract does not give one (a paper service order, seed 004).
    """
    contract = current_contract(account=account)
    if contract is None:
        return Quote(False, ZERO, 0, None, None, None)
    end = contract_end(contract)
    bound = etf_rules.under_contract(end, requested_on)
    months = etf_rules.months_remaining(requested_on, end) if bound else 0
    monthly = contract.monthly if contract.monthly is not None else account.package.monthly
    if contract.kind == ContractKind.RESIDENTIAL:
        fee = etf_rules.etf_residential(months, monthly, residential_cap, contract.etf_override)
    else:
        fee = etf_rules.etf_commercial(months, monthly, contract.etf_override)
    return Quote(bound, fee if bound else ZERO, months, contract, end, monthly)


def final_period_start(*, account, last_day: dt.date) -> dt.date:
    """CAN-4: the final month is the billing period that contains the last day."""
    return period_containing(last_day, account.bill_cycle_day)[0]


def final_statement(*, account, last_day: dt.date) -> Statement | None:
    """CAN-4: the final month's statement, when it has been issued."""
    return Statement.objects.filter(
        account=account, period_start=final_period_start(account=account, last_day=last_day)
    ).first()


def final_bill_preview(
    *, account, last_day: dt.date, as_of: dt.date, etf: Decimal = ZERO, prorate: bool = False
) -> dict:
    """CAN-7: the balance now and every statement still to be issued through the last
    day, with its date, recurring charge (prorated when CAN-4 applies) and projected
    amount due (the balance carried forward plus the ETF, if one is charged, and the
    recurring charges; payments not yet made are not assumed)."""
    now_balance = balance(account=account)
    cycle = account.bill_cycle_day
    monthly = account.package.monthly
    start, end = period_containing(as_of, cycle)
    if start < as_of:
        start, end = period_containing(end + dt.timedelta(days=1), cycle)
    issued = set(
        Statement.objects.filter(account=account, period_start__gte=start, period_start__lte=last_day)
        .values_list("period_start", flat=True)
    )
    running = now_balance + etf
    statements = []
    while start <= last_day:
        if start not in issued:
            recurring = recurring_amount(
                monthly, period_start=start, period_end=end, service_end=last_day,
                prorate_final=prorate, cycle_day=cycle,
            )
            running += recurring
            statements.append({"date": start, "recurring": recurring, "amount": max(running, ZERO)})
        start, end = period_containing(end + dt.timedelta(days=1), cycle)
    return {"balance": now_balance, "etf": etf, "statements": statements, "final_balance": running}


def open_cancellation(*, account) -> Cancellation | None:
    return Cancellation.objects.filter(account=account, status__in=CancellationStatus.open()).first()


def confirmed_cancellation(*, account) -> Cancellation | None:
    """The cancellation whose equipment is being collected (CAN-5/CAN-6)."""
    return (
        Cancellation.objects.filter(
            account=account, status__in=(CancellationStatus.CONFIRMED, CancellationStatus.UNINSTALLED)
        ).order_by("-requested_at", "-id").first()
    )


def cancellations(*, account):
    return Cancellation.objects.filter(account=account).order_by("-requested_at", "-id")
