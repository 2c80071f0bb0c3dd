"""Reads the API and the console share that no context offers on its own.

Views call these (and the contexts' selectors); nothing here writes.
"""
from __future__ import annotations

from lastmile.accounts.models import Account, Note, PaymentCard
from lastmile.accounts.selectors import account_search
from lastmile.core.errors import NotFound
from lastmile.core.models import TimelineEntry
from lastmile.tickets.choices import TaskStatus, TicketStatus
from lastmile.tickets.models import CallTask, Ticket, TicketNote


def account_list(*, query: str = ""):
    """Search by name, address, address ID or account number; every account without a query."""
    if (query or "").strip():
        ids = [a.pk for a in account_search(query=query, limit=200)]
        return Account.objects.select_related("package", "address").filter(pk__in=ids).order_by("name", "number")
    return Account.objects.select_related("package", "address").order_by("number")


def account_timeline(*, account, newest_first: bool = False, types: list[str] | None = None):
    """The account's timeline: the same records the simulator prints (AUD-1)."""
    qs = TimelineEntry.objects.filter(account=account)
    if types:
        qs = qs.filter(type__in=types)
    return qs.order_by("-id" if newest_first else "id")


def account_notes(*, account):
    return Note.objects.filter(account=account).order_by("written_at", "id")


def account_cards(*, account):
    """BIL-6: newest first; the first is the default card."""
    return PaymentCard.objects.filter(account=account).order_by("-added_at", "-id")


def ticket_list(*, status: str | None = TicketStatus.OPEN, account=None, kind: str | None = None):
    qs = Ticket.objects.select_related("account")
    if status:
        qs = qs.filter(status=status)
    if account is not None:
        qs = qs.filter(account=account)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-id")


def ticket_get(*, ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_related("account").get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise NotFound(f"there is no ticket #{ticket_id}", field="ticket") from None


def ticket_notes(*, ticket: Ticket):
    return TicketNote.objects.filter(ticket=ticket).order_by("written_at", "id")


def call_task_queue(*, status: str | None = TaskStatus.OPEN, account=None):
    """DLQ-3: the agents' work queue, oldest call first."""
    qs = CallTask.objects.select_related("account", "account__address")
    if status:
        qs = qs.filter(status=status)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("created_at", "id")


def call_task_get(*, task_id: int) -> CallTask:
    try:
        return CallTask.objects.select_related("account").get(pk=task_id)
    except CallTask.DoesNotExist:
        raise NotFound(f"there is no call task #{task_id}", field="task") from None


# --- previews of the guided procedures (read only; the services decide) ------------
def plan_change_preview(*, account, to, on=None) -> dict:
    """PKG-6: the new monthly price, the prorated amount, the next statement's date and amount."""
    from lastmile.plans.selectors import plan_change_preview as preview

    p = preview(account=account, to=to, on=on)
    return {"package": p.package, "package_name": p.package_name, "monthly": p.monthly,
            "prorated": p.prorated, "next_statement_on": p.next_statement_on,
            "next_statement_amount": p.next_statement_amount}


def cancellation_preview(*, account, last_day, prorate_final_month: bool = False) -> dict:
    """CAN-7 with CON-4..CON-6 and CAN-8: what the agent tells the customer before
    confirming: the contract quote (ETF), the balance and every statement still to be
    issued through the last day, and for UTOPIA the lease options."""
    from lastmile.cancellations import selectors as can
    from lastmile.cancellations.utopia_lease import lease_options
    from lastmile.core import clock, ispconfig
    from lastmile.core.choices import Network
    from lastmile.core.money import ZERO

    settings = ispconfig.current()
    today = clock.today()
    quote = can.contract_quote(account=account, requested_on=today, residential_cap=settings.residential_etf_cap)
    prorate = bool(prorate_final_month) and can.final_statement(account=account, last_day=last_day) is None
    final_bill = can.final_bill_preview(account=account, last_day=last_day, as_of=today,
                                        etf=quote.etf if quote.under_contract else ZERO, prorate=prorate)
    out = {
        "last_day": last_day, "contract_status": can.contract_status(account=account),
        "under_contract": quote.under_contract, "etf": quote.etf, "months_remaining": quote.months_remaining,
        "contract_end": quote.end, "prorate_final_month": prorate,
        "prorate_too_late": bool(prorate_final_month) and not prorate,
        "short_notice": (last_day - today).days < 30,
        "final_bill": final_bill, "utopia": None,
    }
    if account.network == Network.UTOPIA:
        lease = can.current_lease(account=account)
        options = lease_options(
            signed=lease.start if lease else None, last_day=last_day,
            lease_months=lease.months if lease else settings.utopia_lease_months,
            utopia_etf=settings.utopia_etf, finish_max_months=settings.finish_lease_max_months,
        )
        out["utopia"] = {"penalty_free_on": options.penalty_free_on, "months_left": options.months_left,
                         "etf": options.etf, "recommend": options.recommend, "has_lease": lease is not None}
    return out


def address_id_confirmed(*, account, typed: str) -> None:
    """NET-2: before a suspend or a cancel, the agent confirms the address ID (shown
    with the address), never only the name. Raises when it does not match."""
    from lastmile.core.errors import RuleRefusal

    address = getattr(account, "address", None)
    actual = (address.address_id if address else "") or ""
    expected = actual or account.number  # a wireless address without an ID: its account number
    if (typed or "").strip().upper() != expected.upper():
        where = address.one_line() if address else "no address on file"
        raise RuleRefusal(
            f"type the address ID {expected} ({where}) to confirm; you typed {(typed or '').strip() or 'nothing'}",
            field="confirm_address_id",
        )
