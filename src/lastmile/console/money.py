"""The ledger page and its corrections (BIL-7, AUD-1): void or adjust a charge,
reverse a payment that came back, post an adjustment, refund a credit balance.

Each correction is two steps: the person fills in the amount and the reason, then
reads what will happen and confirms it. The permission and the manager limit are
checked at the first step too, so an agent learns a correction needs a manager
before confirming it; the service checks everything again when it acts.
"""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from lastmile.accounts.selectors import account_get
from lastmile.api.common import account_detail
from lastmile.billing import selectors as billing_selectors
from lastmile.billing import services as billing_services
from lastmile.billing.choices import RefundMethod, ReversalReason
from lastmile.core import ispconfig
from lastmile.core.errors import LastmileError
from lastmile.core.money import (
    MONEY_FORM_REGEX,  # issue 15: within the columns
    money,
)

from .views import actor, console_view, refuse

AMOUNT = MONEY_FORM_REGEX
AMOUNT_ERRORS = {"invalid": "Give the amount as dollars and cents, e.g. 20.00.", "required": "Give the amount."}
REASON_ERRORS = {"required": "Say why: the reason stays on the ledger."}


# --- forms ------------------------------------------------------------------------------
class _Confirmable(forms.Form):
    confirm = forms.BooleanField(required=False, label="Yes, I confirm")


class AdjustmentForm(_Confirmable):
    direction = forms.ChoiceField(
        label="Adjustment", widget=forms.RadioSelect, initial="credit",
        choices=[("credit", "Credit (lowers the balance)"), ("charge", "Charge (raises the balance)")])
    amount = forms.RegexField(regex=AMOUNT, max_length=14, error_messages=AMOUNT_ERRORS)
    reason = forms.CharField(max_length=500, error_messages=REASON_ERRORS,
                             help_text="Kept on the ledger and in the activity.")

    def signed(self) -> Decimal:
        amount = money(self.cleaned_data["amount"])
        return -amount if self.cleaned_data["direction"] == "credit" else amount


class VoidForm(_Confirmable):
    reason = forms.CharField(max_length=500, error_messages=REASON_ERRORS,
                             help_text="Why the charge should never have been posted.")


class ReversalForm(_Confirmable):
    reason_code = forms.ChoiceField(label="Why the payment came back", choices=ReversalReason.choices,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": "Choose why the payment came back."})
    note = forms.CharField(required=False, max_length=500, label="Note",
                           help_text="e.g. the bank's notice or the dispute number.")


class RefundForm(_Confirmable):
    amount = forms.RegexField(regex=AMOUNT, max_length=14, error_messages=AMOUNT_ERRORS)
    method = forms.ChoiceField(choices=RefundMethod.choices, initial=RefundMethod.CHECK)
    reason = forms.CharField(max_length=500, error_messages=REASON_ERRORS)


# --- the ledger page ----------------------------------------------------------------------
def _ledger_context(account, **forms_) -> dict:
    balance = billing_selectors.balance(account=account)
    return {
        "account": account, "detail": account_detail(account), "rows": billing_selectors.ledger_rows(account=account),
        "balance": balance, "credit": -balance if balance < 0 else None,
        "adjustment_form": forms_.get("adjustment_form") or AdjustmentForm(),
        "refund_form": forms_.get("refund_form") or RefundForm(initial={"amount": f"{-balance:.2f}"}
                                                               if balance < 0 else None),
        "manager_above": billing_services.dollars(_limit()),
    }


def _limit() -> Decimal:
    return ispconfig.current().correction_manager_above


@console_view
@require_GET
def ledger(request, number: str):
    """Every entry with its running balance, what undid it, and the correction that fits it."""
    account = account_get(number=number)
    return render(request, "console/money/ledger.html", _ledger_context(account))


# --- the two-step correction --------------------------------------------------------------
def _carry(form) -> list[tuple[str, str]]:
    """The first step's answers, carried as hidden fields into the confirmation."""
    return [(name, form.data.get(name, "")) for name in form.fields if name != "confirm"]


def _correct(request, account, form, *, title: str, explain: str, button: str, summary, precheck, do,
             done: str, entry=None):
    """GET or a first POST: the form; a valid first POST: the summary to confirm;
    a confirmed POST: the service acts, or the form shows its sentence."""
    status, confirming, sentence = 200, False, ""
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                precheck(form)
                if form.cleaned_data["confirm"]:
                    do(form)
                    messages.success(request, done)
                    return redirect("console:money_ledger", number=account.number)
                if request.POST.get("step") == "confirm":
                    form.add_error("confirm", "Tick the box to confirm.")
                else:
                    confirming, status, sentence = True, 200, summary(form)
            except LastmileError as exc:
                status = refuse(form, exc)
    return render(request, "console/money/correction.html", {
        "account": account, "detail": account_detail(account), "form": form, "title": title,
        "explain": explain, "button": button, "confirming": confirming, "summary": sentence,
        "carry": _carry(form) if confirming else [], "entry": entry,
        "balance": billing_selectors.balance(account=account),
    }, status=status)


def _after(account, delta: Decimal) -> str:
    now = billing_selectors.balance(account=account)
    return (f"The balance goes from {billing_services.dollars(now)} to "
            f"{billing_services.dollars(now + delta)}.")


def _posted(request):
    return request.POST if request.method == "POST" else None


@console_view
def adjust(request, number: str, entry_id: int | None = None):
    """BIL-7: a credit or a charge with its reason, on the account or against one charge."""
    account = account_get(number=number)
    entry = None if entry_id is None else billing_selectors.ledger_entry(entry_id=entry_id, account=account)
    who = actor(request)
    form = AdjustmentForm(_posted(request))

    def precheck(f):
        amount = billing_services.adjustment_check(account=account, amount=f.signed(), entry=entry)
        billing_services.correction_allowed(actor=who, amount=amount, what="posting an adjustment")

    def summary(f):
        amount = f.signed()
        what = "Credit" if amount < 0 else "Charge"
        against = f" against the {entry.get_kind_display().lower()} of {entry.posted_on}" if entry else ""
        return (f"{what} {billing_services.dollars(abs(amount))}{against}, because: {f.cleaned_data['reason']}. "
                f"{_after(account, amount)}")

    def do(f):
        billing_services.adjustment_post(account=account, amount=f.signed(), reason=f.cleaned_data["reason"],
                                         entry=entry, actor=who)

    title = f"Adjust the {entry.get_kind_display().lower()} of {entry.posted_on}" if entry else "Post an adjustment"
    return _correct(
        request, account, form, title=title, entry=entry, button="Post the adjustment",
        explain=(f"A credit lowers the balance, a charge raises it; either way it is a new ledger entry with its "
                 f"reason. Above {billing_services.dollars(_limit())} a manager must post it."),
        summary=summary, precheck=precheck, do=do, done="Adjustment posted.")


@console_view
def void(request, number: str, entry_id: int):
    """BIL-7: void a charge or a credit posted by mistake, with the reason."""
    account = account_get(number=number)
    entry = billing_selectors.ledger_entry(entry_id=entry_id, account=account)
    who = actor(request)
    form = VoidForm(_posted(request))

    def precheck(f):
        refusal = billing_services.void_refusal(entry)
        if refusal is not None:
            raise refusal
        billing_services.correction_allowed(actor=who, amount=entry.amount, what="voiding a charge")

    def summary(f):
        return (f"Void the {entry.get_kind_display().lower()} of {billing_services.dollars(entry.amount)} posted "
                f"{entry.posted_on}, because: {f.cleaned_data['reason']}. {_after(account, -entry.amount)}")

    def do(f):
        billing_services.charge_void(entry=entry, reason=f.cleaned_data["reason"], actor=who)

    return _correct(
        request, account, form, title=f"Void the {entry.get_kind_display().lower()} of {entry.posted_on}",
        entry=entry, button="Void the charge",
        explain="The charge stays on the ledger, marked voided, with a void entry that cancels it.",
        summary=summary, precheck=precheck, do=do, done="Charge voided.")


@console_view
def reverse(request, number: str, entry_id: int):
    """BIL-7: a returned check, NSF or chargeback: what the payment paid is owed again."""
    account = account_get(number=number)
    entry = billing_selectors.ledger_entry(entry_id=entry_id, account=account)
    who = actor(request)
    form = ReversalForm(_posted(request))
    amount = -entry.amount

    def precheck(f):
        refusal = billing_services.reversal_refusal(entry)
        if refusal is not None:
            raise refusal
        billing_services.correction_allowed(actor=who, amount=amount, what="reversing a payment")

    def summary(f):
        label = ReversalReason(f.cleaned_data["reason_code"]).label.lower()
        if f.cleaned_data["note"]:
            label = f"{label}: {f.cleaned_data['note']}"
        return (f"Reverse the payment of {billing_services.dollars(amount)} of {entry.posted_on} ({label}). "
                f"What it paid is owed again. {_after(account, amount)}")

    def do(f):
        billing_services.payment_reverse(payment=entry, reason_code=f.cleaned_data["reason_code"],
                                         note=f.cleaned_data["note"], actor=who)

    return _correct(
        request, account, form, title=f"Reverse the payment of {entry.posted_on}", entry=entry,
        button="Reverse the payment",
        explain=("For a returned check, insufficient funds (NSF) or a chargeback. The payment stays on the "
                 "ledger, marked reversed; the charges it paid are open again, oldest first, and an unpaid "
                 "statement past its due date goes to delinquency as usual."),
        summary=summary, precheck=precheck, do=do, done="Payment reversed; the amount it paid is owed again.")


@console_view
def refund(request, number: str):
    """BIL-7: refund (part of) a credit balance, never more than the credit."""
    account = account_get(number=number)
    who = actor(request)
    form = RefundForm(_posted(request))

    def precheck(f):
        amount = billing_services.refund_check(account=account, amount=f.cleaned_data["amount"],
                                               method=f.cleaned_data["method"])
        billing_services.correction_allowed(actor=who, amount=amount, what="refunding a credit balance")

    def summary(f):
        amount = money(f.cleaned_data["amount"])
        how = RefundMethod(f.cleaned_data["method"]).label.lower()
        return (f"Refund {billing_services.dollars(amount)} of the credit balance ({how}), because: "
                f"{f.cleaned_data['reason']}. {_after(account, amount)}")

    def do(f):
        billing_services.credit_refund(account=account, amount=f.cleaned_data["amount"].strip(),
                                       method=f.cleaned_data["method"], reason=f.cleaned_data["reason"], actor=who)

    return _correct(
        request, account, form, title="Refund the credit balance", button="Refund",
        explain="Only what the customer is owed can be refunded: at most the credit balance.",
        summary=summary, precheck=precheck, do=do, done="Refund posted.")

