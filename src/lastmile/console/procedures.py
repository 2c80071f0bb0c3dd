"""Guided procedures of the console (architecture.md "Interfaces"): each shows what
the rule says the agent must see first, asks what a person must answer, and then
calls one service. Destructive steps ask for confirmation; a suspend or a cancel
asks for the address ID to be typed back (NET-2)."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from lastmile.accounts.selectors import account_get
from lastmile.api import selectors
from lastmile.api.common import account_detail
from lastmile.billing import selectors as billing_selectors
from lastmile.cancellations import services as can_services
from lastmile.catalog.selectors import package_list
from lastmile.core import ispconfig
from lastmile.core.errors import LastmileError
from lastmile.core.timeline_text import day, plain
from lastmile.delinquency import selectors as dlq_selectors
from lastmile.delinquency import services as dlq_services
from lastmile.network import selectors as net_selectors
from lastmile.network import services as net_services
from lastmile.plans import selectors as plan_selectors
from lastmile.plans import services as plan_services

from .forms import (
    AddressConfirmForm,
    ArrangementForm,
    CancelForm,
    ConfirmForm,
    ConsentForm,
    PaymentClaimForm,
    PaymentForm,
    PlanChoiceForm,
    PremiumQuestionsForm,
)
from .views import actor, console_view, refuse


def _page(request, template: str, account, status: int = 200, **context):
    return render(request, f"console/procedures/{template}", {
        "account": account, "detail": account_detail(account), **context}, status=status)


def _confirmed(request, account, do, done: str, **page):
    """A procedure that needs only a confirmation: GET shows what will happen, a valid
    POST runs `do(actor)`; a refusal is shown on the form with its sentence."""
    form, status = ConfirmForm(request.POST if request.method == "POST" else None), 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                do(actor(request))
            except LastmileError as exc:
                status = refuse(form, exc)
            else:
                messages.success(request, done)
                return redirect("console:account", number=account.number)
    return _page(request, "confirm.html", account, status=status, form=form, **page)


# --- upgrade / plan change (PKG-1..PKG-10) -------------------------------------------
def _premium_upgrade(account, package) -> bool:
    return package is not None and package.requires_review and package.rank > account.package.rank


@console_view
def plan_change(request, number: str, trial: bool = False):
    """The seed's order: the package; for Premium the reason and the speed question
    (PKG-3), then what is known of availability at the address (PKG-4); then the
    price (PKG-6); then identity and consent; then the change."""
    account = account_get(number=number)
    packages = plan_selectors.packages_offered(account=account, higher_only=trial)
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "to" in request.GET else None)
    choice = PlanChoiceForm(data, packages=packages)
    chosen = None
    if data is not None and choice.is_valid():
        chosen = next(p for p in packages if p.code == choice.cleaned_data["to"])
    premium = not trial and _premium_upgrade(account, chosen)
    asked = data is not None and "speed_issues" in data
    questions = PremiumQuestionsForm(data if asked else None)
    answered = premium and asked and questions.is_valid()
    speed = answered and questions.cleaned_data["speed_issues"]
    consent = ConsentForm(request.POST if posted and request.POST.get("step") != "troubleshoot" else None)
    preview, status = None, 200
    ready = chosen is not None and (not premium or (answered and not speed))
    if ready:
        try:
            preview = selectors.plan_change_preview(account=account, to=chosen.code,
                                                    on=choice.cleaned_data["effective"])
        except LastmileError as exc:
            status = refuse(choice, exc)
    reason = questions.cleaned_data["reason"] if answered else ""
    if posted:
        status = max(status, 422)
        try:
            if speed and request.POST.get("step") == "troubleshoot":
                change = plan_services.plan_change_request(
                    account=account, to=chosen.code, actor=actor(request), reason=reason, speed_issues=True)
                messages.success(request, f"No upgrade: we fix the current service before selling a bigger "
                                          f"package. Troubleshooting ticket #{change.ticket_id} is open.")
                return redirect("console:account", number=account.number)
            if preview is not None and consent.is_valid():
                c = {**choice.cleaned_data, **consent.cleaned_data}
                if trial:
                    change = plan_services.trial_start(
                        account=account, to=c["to"], actor=actor(request), consent=c["consent"],
                        consent_reference=c["consent_reference"], identity_verified=c["identity_verified"])
                else:
                    change = plan_services.plan_change_request(
                        account=account, to=c["to"], actor=actor(request), reason=reason,
                        speed_issues=False, consent=c["consent"], consent_reference=c["consent_reference"],
                        identity_verified=c["identity_verified"], effective=c["effective"])
                messages.success(request, _change_sentence(change))
                return redirect("console:account", number=account.number)
        except LastmileError as exc:
            status = refuse(consent if preview is not None else choice, exc)
    availability = plan_selectors.availability_at(account=account)
    hidden_unavailable = [p for p in package_list() if p.sold and _premium_upgrade(account, p)
                          and p not in packages and not trial]
    return _page(request, "plan_change.html", account, status=status, choice=choice, consent=consent,
                 questions=questions, chosen=chosen, premium=premium, answered=answered, speed=speed,
                 preview=preview, trial=trial, availability=availability, reason=reason,
                 hidden_unavailable=hidden_unavailable, utopia=account.network == "utopia",
                 active_trial=plan_selectors.active_trial(account=account))


def _change_sentence(change) -> str:
    """What became of the request, as a sentence for the agent to read back."""
    name = change.to_package.name
    if change.kind == "trial" and change.status == "applied":
        return f"The {name} trial has started; a reminder is set for its last day."
    if change.status == "applied":
        return f"Done: the account is now on {name}. The customer gets a summary email."
    if change.status == "scheduled":
        return f"The change to {name} is scheduled for {change.effective_on}."
    if change.status == "pending":
        who = "an admin (UTOPIA account)" if change.pending_on == "utopia_admin" else \
            "an admin, who checks that it is available at the address"
        return f"The change to {name} waits for {who}; the customer is told the answer."
    return f"{change.get_kind_display()} to {name}: {change.get_status_display().lower()}. {change.outcome}".strip()


@console_view
def trial(request, number: str):
    """PKG-5: a trial of a higher package (an upgrade with its prorated charge)."""
    return plan_change(request, number, trial=True)


@console_view
def trial_revert(request, number: str):
    """PKG-5: back to the old package; every prorated charge of the trial is voided."""
    account = account_get(number=number)
    return _confirmed(
        request, account, lambda who: plan_services.trial_revert(account=account, actor=who),
        "Trial reverted; its prorated charges were voided.",
        title="Revert the trial",
        explain="The old package returns and every prorated charge of the trial is voided.",
        trial=plan_selectors.active_trial(account=account), button="Revert trial")


@console_view
def cancel(request, number: str):
    """Step 1: last day and reason; step 2: the quote and final-bill preview (CAN-7),
    the UTOPIA lease options (CAN-8) and the address ID typed back (NET-2); then confirm."""
    account = account_get(number=number)
    data = request.POST if request.method == "POST" else (request.GET if "last_day" in request.GET else None)
    form = CancelForm(data)
    confirm = AddressConfirmForm(request.POST if request.method == "POST" else None)
    preview, status = None, 200
    if data is not None and form.is_valid():
        preview = selectors.cancellation_preview(account=account, last_day=form.cleaned_data["last_day"],
                                                 prorate_final_month=form.cleaned_data["prorate_final_month"])
    if request.method == "POST":
        status = 422
        if preview is not None and confirm.is_valid():
            c = form.cleaned_data
            try:
                actor(request).require("cancellation.request", "cancelling an account")
                selectors.address_id_confirmed(account=account, typed=confirm.cleaned_data["confirm_address_id"])
                cancellation = can_services.cancellation_request(
                    account=account, last_day=c["last_day"], reason=c["reason"], improve=c["improve"],
                    prorate_final_month=c["prorate_final_month"], moved_out=c["moved_out"], actor=actor(request))
            except LastmileError as exc:
                status = refuse(confirm, exc)
            else:
                messages.success(request, f"Cancellation recorded: last day {day(cancellation.last_day)} "
                                          f"({plain(cancellation.get_status_display()).lower()}).")
                return redirect("console:account", number=account.number)
    return _page(request, "cancel.html", account, status=status, form=form, confirm=confirm, preview=preview)


# --- delinquency: where is my payment, arrangement, reinstate, fee waiver -----------
@console_view
def payment_claim(request, number: str):
    """DLQ-6: the customer says a bill-pay or mailed payment was sent; what they say
    (amount, date, how, reference) is kept and shown on the account."""
    account = account_get(number=number)
    form, status = PaymentClaimForm(request.POST if request.method == "POST" else None), 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                dlq_services.payment_claim_record(
                    account=account, actor=actor(request), amount=(d["amount"] or "").strip() or None,
                    sent_on=d["sent_on"], method=d["method"], reference=d["reference"])
            except LastmileError as exc:
                status = refuse(form, exc)
            else:
                messages.success(request, "Claim recorded: the case is closed, the reactivation fee removed and "
                                          "service restored. The account shows the claim until the payment arrives.")
                return redirect("console:account", number=account.number)
    return _page(request, "confirm.html", account, status=status, form=form,
                 title="Where is my payment?",
                 explain=f"The customer says a bill-pay or mailed payment was sent. Recording it closes the "
                         f"delinquency case, removes its reactivation fee and restores service; no new case "
                         f"opens for {ispconfig.current().grace_after_claim_days} days while the payment "
                         f"travels.",
                 case=dlq_selectors.open_case(account=account), button="Record the claim")


@console_view
def arrangement(request, number: str):
    """DLQ-4: dates and amounts, approved by a manager; the case pauses while it is kept."""
    account = account_get(number=number)
    form, status = ArrangementForm(request.POST if request.method == "POST" else None), 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                made = dlq_services.arrangement_create(account=account, installments=form.installments(),
                                                       actor=actor(request))
            except LastmileError as exc:
                status = refuse(form, exc)
            else:
                messages.success(request, "Payment arrangement proposed; a manager approves it from Approvals."
                                 if made.status == "proposed" else
                                 "Payment arrangement approved; the case is paused while it is kept.")
                return redirect("console:account", number=account.number)
    return _page(request, "arrangement.html", account, status=status, form=form,
                 case=dlq_selectors.open_case(account=account), owed=billing_selectors.balance(account=account),
                 deadline=dlq_services.first_installment_deadline(),
                 may_approve=actor(request).can("arrangement.approve"))


@console_view
def reinstate(request, number: str):
    """DLQ-7: the whole balance, fees included, then service returns by itself; the
    page shows what to collect and what the NOC has confirmed."""
    account = account_get(number=number)
    owed = billing_selectors.balance(account=account)
    return _page(request, "reinstate.html", account, owed=owed,
                 payment_form=PaymentForm(initial={"amount": owed if owed > 0 else ""}),
                 case=dlq_selectors.open_case(account=account),
                 restore=net_selectors.restore_pending(account=account),
                 requests=list(net_selectors.noc_requests_of(account=account)[:10]))


@console_view
def fee_waive(request, number: str):
    """DLQ-5: with autopay, or the account's first fee; otherwise a manager overrides."""
    account = account_get(number=number)
    return _confirmed(
        request, account, lambda who: dlq_services.fee_waive(account=account, actor=who),
        "Reactivation fee waived.",
        title="Waive the reactivation fee",
        explain="Allowed when the customer sets up autopay or it is their first reactivation fee; "
                "otherwise a manager must override.", button="Waive the fee")


# --- the network: suspend (NET-2) ----------------------------------------------------
@console_view
def suspend(request, number: str):
    """NET-2: the address ID and address are shown and typed back before a suspend."""
    account = account_get(number=number)
    form, status = AddressConfirmForm(request.POST if request.method == "POST" else None), 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            operation = "suspend" if account.network == "utopia" else "disconnect"
            typed = form.cleaned_data["confirm_address_id"]
            address = getattr(account, "address", None)
            try:
                if not (address and address.address_id):
                    # a wireless address without an ID is confirmed by its account number
                    selectors.address_id_confirmed(account=account, typed=typed)
                    typed = ""
                net_services.noc_request_manual(account=account, operation=operation, actor=actor(request),
                                                confirm_address_id=typed)
            except LastmileError as exc:
                status = refuse(form, exc)
            else:
                messages.success(request, f"{operation.title()} requested from the network operator.")
                return redirect("console:account", number=account.number)
    return _page(request, "suspend.html", account, status=status, form=form)
