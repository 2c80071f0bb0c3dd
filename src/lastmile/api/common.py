"""Shared pieces of the routers: the error responses and the output shapes' builders."""
from __future__ import annotations

from lastmile.accounts.selectors import email_addresses, phone_numbers
from lastmile.billing.selectors import balance
from lastmile.tickets.choices import TaskStatus, TicketStatus

from . import selectors
from .schemas import ErrorOut

# every endpoint may answer these (documented in the OpenAPI schema)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def responses(ok, code: int = 200) -> dict:
    return {code: ok, **ERRORS}


def account_out(account) -> dict:
    address = getattr(account, "address", None)
    return {
        "number": account.number, "name": account.name, "kind": account.kind,
        "network": account.network, "status": account.status, "plan": account.package.code,
        "address": address.one_line() if address else "",
        "address_id": address.address_id if address else "",
    }


def card_out(card, *, default: bool) -> dict:
    return {"last4": card.last4, "brand": card.brand, "added_at": card.added_at,
            "added_by": card.added_by, "default": default}


def account_detail(account) -> dict:
    address = getattr(account, "address", None)
    cards = list(selectors.account_cards(account=account))
    return {
        "number": account.number, "name": account.name, "kind": account.kind,
        "network": account.network, "status": account.status,
        "plan": {"code": account.package.code, "name": account.package.name,
                 "monthly": account.package.monthly},
        "balance": balance(account=account),
        "portal_access": account.portal_access, "autopay": account.autopay,
        "bill_cycle_day": account.bill_cycle_day, "service_start": account.service_start,
        "service_end": account.service_end,
        "address": None if address is None else {
            "line1": address.line1, "line2": address.line2, "city": address.city,
            "state": address.state, "postal_code": address.postal_code,
            "address_id": address.address_id, "one_line": address.one_line(),
            "premium_available": address.premium_available,
        },
        "phones": phone_numbers(account=account),
        "emails": email_addresses(account=account),
        "cards": [card_out(c, default=i == 0) for i, c in enumerate(cards)],
        "open_tickets": selectors.ticket_list(status=TicketStatus.OPEN, account=account).count(),
        "open_call_tasks": selectors.call_task_queue(status=TaskStatus.OPEN, account=account).count(),
    }


def ledger_out(entry) -> dict:
    return {
        "id": entry.id, "entry_type": entry.entry_type, "kind": entry.kind, "amount": entry.amount,
        "posted_on": entry.posted_on, "method": entry.method, "description": entry.description,
        "reference": entry.reference, "voids": entry.voids_id, "actor": entry.actor,
    }


def timeline_out(row) -> dict:
    return {"id": row.id, "date": row.date, "at": row.at, "type": row.type, "actor": row.actor,
            "why": row.reason, "data": row.data}


def ticket_out(ticket) -> dict:
    return {
        "id": ticket.id, "account": ticket.account.number, "kind": ticket.kind,
        "subject": ticket.subject, "assignee": ticket.assignee, "group": ticket.group,
        "category": ticket.category, "ticket_type": ticket.ticket_type, "status": ticket.status,
        "opened_on": ticket.opened_on, "closed_on": ticket.closed_on,
    }


def call_task_out(task) -> dict:
    return {
        "id": task.id, "account": task.account.number, "name": task.account.name,
        "phone": task.phone, "purpose": task.purpose, "created_on": task.created_on,
        "status": task.status, "outcome": task.outcome,
    }
