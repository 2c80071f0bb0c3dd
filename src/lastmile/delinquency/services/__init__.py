"""Delinquency automation (DLQ-1 .. DLQ-8), one module per procedure: cases
(opening, steps, hooks), arrangements (DLQ-4), claims (DLQ-6) and fees (DLQ-5).

Re-exported here so `from lastmile.delinquency.services import X` keeps working
for every caller (console, API, simulator, bulk path, tests).
"""
from __future__ import annotations

from .arrangements import (
    _arrangement_break,
    _arrangement_progress,
    _installments,
    _pending_disconnect,
    _schedule_of,
    arrangement_approve,
    arrangement_case,
    arrangement_create,
    arrangement_decline,
    arrangement_propose,
    arrangements_check,
    first_installment_deadline,
    proposal_check,
)
from .cases import (
    _ACTIONS,
    _case_advance,
    _disconnect,
    _on_balance_reduced,
    _on_contacted,
    _on_payment,
    _on_service_restored,
    _on_status_changed,
    _shut_off,
    case_open,
    cases_open,
    steps_run,
    subscribe_hooks,
    unanswered_email,
)
from .claims import claim_case, payment_claim_record
from .common import (
    _REASONS,
    DISCONNECT_ACTION,
    _actor,
    _calendar,
    _cancel_pending_disconnect,
    _case_close,
    _close_ticket,
    _contact,
    _d_day,
    _describe,
    _email,
    _email_context,
    _end_call_tasks,
    _facts,
    _fmt_day,
    _next_due,
    _note,
    _reinstate,
    _save,
    _ticket,
    policy_for_network,
    policy_of,
)
from .fees import _charge_fee, fee_waive, fee_waiver

__all__ = [
    "DISCONNECT_ACTION", "arrangement_approve", "arrangement_case", "arrangement_create", "claim_case",
    "fee_waiver", "proposal_check", "arrangement_decline",
    "arrangement_propose", "first_installment_deadline", "arrangements_check", "case_open", "cases_open",
    "fee_waive", "payment_claim_record", "policy_for_network", "policy_of", "steps_run",
    "subscribe_hooks", "unanswered_email",
    "_ACTIONS", "_REASONS", "_actor", "_arrangement_break", "_arrangement_progress", "_calendar",
    "_cancel_pending_disconnect", "_case_advance", "_case_close", "_charge_fee", "_close_ticket",
    "_contact", "_d_day", "_end_call_tasks", "_describe", "_disconnect", "_email", "_email_context", "_facts", "_fmt_day",
    "_installments", "_next_due", "_note", "_on_balance_reduced", "_on_contacted", "_on_payment",
    "_on_service_restored", "_on_status_changed", "_pending_disconnect", "_reinstate", "_save",
    "_schedule_of", "_shut_off", "_ticket",
]
