"""Onboarding and account care (issue 9): open an account, change its contact details
and service address, add a contract or a UTOPIA lease, record the equipment that came
back (or did not), and read the emails as they were sent.

Thin views over lastmile.accounts / cancellations / comms: the services check every
field and permission; a refusal comes back on the form, on the field it names."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from lastmile.accounts import services as account_services
from lastmile.accounts.choices import PremiumAvailability
from lastmile.accounts.selectors import (
    account_get,
    contracts_on_file,
    email_addresses,
    phone_numbers,
)
from lastmile.api.common import account_detail
from lastmile.cancellations import selectors as can_selectors
from lastmile.cancellations import services as can_services
from lastmile.catalog.models import Package
from lastmile.comms import selectors as comms_selectors
from lastmile.core import clock, ispconfig
from lastmile.core.choices import AccountKind, Network
from lastmile.core.errors import LastmileError
from lastmile.core.money import (  # issue 15: within the columns
    MONEY_FORM_REGEX,
    SIGNED_MONEY_FORM_REGEX,
)
from lastmile.core.timeline_text import plain

from .procedures import _confirmed
from .views import actor, console_view, status_of

_DATE = {"widget": forms.DateInput(attrs={"type": "date"})}

CONTRACT_CHOICES = [
    ("residential_digital", "Residential, digital (start and term)"),
    ("residential_paper", "Residential, paper (signature date)"),
    ("commercial", "Commercial (first billing date and term)"),
    ("utopia_lease", "UTOPIA lease (signing date)"),
]


def _lines(text: str) -> list[str]:
    """One phone or email per line (commas also separate them)."""
    return [p.strip() for line in (text or "").splitlines() for p in line.split(",") if p.strip()]


class ContractFields(forms.Form):
    """CON-1..3 and CAN-8; which fields count depends on the kind (the service says
    which one is missing)."""

    contract_kind = forms.ChoiceField(choices=CONTRACT_CHOICES, label="Contract")
    contract_start = forms.DateField(required=False, label="Start (digital contract, lease signing)", **_DATE)
    contract_signed = forms.DateField(required=False, label="Signed (paper contract)", **_DATE)
    contract_first_billing = forms.DateField(required=False, label="First billing date (commercial)", **_DATE)
    contract_months = forms.IntegerField(required=False, min_value=1, max_value=120,
                                         label="Term in months (residential 12 at most; lease 12 if empty)")
    contract_monthly = forms.RegexField(
        regex=MONEY_FORM_REGEX, required=False, max_length=14,
        label="Monthly rate (empty: the plan's price)",
        error_messages={"invalid": "Give the monthly rate as dollars and cents, e.g. 65.00."})
    contract_etf_override = forms.RegexField(
        regex=MONEY_FORM_REGEX, required=False, max_length=14,
        label="ETF override (empty: the rule's formula)",
        error_messages={"invalid": "Give the fee as dollars and cents, e.g. 300.00."})

    def contract_spec(self):
        """The scenario format's `contract:` mapping (or `none` / `unknown`)."""
        d = self.cleaned_data
        choice = d["contract_kind"]
        if choice in ("none", "unknown"):
            return choice
        fields = {
            "residential_digital": {"kind": "residential", "source": "digital", "start": d["contract_start"],
                                    "months": d["contract_months"], "monthly": d["contract_monthly"],
                                    "etf_override": d["contract_etf_override"]},
            "residential_paper": {"kind": "residential", "source": "paper", "signed": d["contract_signed"],
                                  "monthly": d["contract_monthly"], "etf_override": d["contract_etf_override"]},
            "commercial": {"kind": "commercial", "first_billing": d["contract_first_billing"],
                           "months": d["contract_months"], "monthly": d["contract_monthly"],
                           "etf_override": d["contract_etf_override"]},
            "utopia_lease": {"kind": "utopia_lease", "start": d["contract_start"], "months": d["contract_months"]},
        }[choice]
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items() if v not in (None, "")}


class AddressFields(forms.Form):
    line1 = forms.CharField(max_length=200, label="Street address")
    line2 = forms.CharField(max_length=200, required=False, label="Apartment, suite (optional)")
    city = forms.CharField(max_length=100)
    state = forms.CharField(max_length=2, label="State (two letters)")
    postal_code = forms.CharField(max_length=10, label="ZIP code")
    address_id = forms.CharField(max_length=40, required=False, label="UTOPIA address ID (UTOPIA accounts)")

    def address(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("line1", "line2", "city", "state", "postal_code", "address_id")}


class AccountCreateForm(ContractFields, AddressFields):
    name = forms.CharField(max_length=200, label="Customer's name")
    kind = forms.ChoiceField(choices=AccountKind.choices)
    network = forms.ChoiceField(choices=Network.choices)
    plan = forms.ChoiceField(choices=())
    phones = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             label="Phones (one a line; the first is called first)")
    emails = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             label="Emails (one a line)")
    service_start = forms.DateField(label="Service start", **_DATE)
    bill_cycle_day = forms.IntegerField(min_value=1, max_value=31, label="Bill-cycle day (1 to 31)")
    opening_balance = forms.RegexField(
        regex=SIGNED_MONEY_FORM_REGEX, max_length=14, initial="0.00",
        label="Opening balance (what the customer already owes; 0.00 for a new customer)",
        error_messages={"invalid": "Give the opening balance as dollars and cents, e.g. 0.00."})
    premium_available = forms.ChoiceField(choices=PremiumAvailability.choices, initial=PremiumAvailability.UNKNOWN,
                                          label="Premium available at this address")
    contract_kind = forms.ChoiceField(
        choices=[("none", "No contract (month-to-month)"), ("unknown", "Unknown: needs a lookup"),
                 *CONTRACT_CHOICES], initial="none", label="Contract")

    field_order = ["name", "kind", "network", "plan", "line1", "line2", "city", "state", "postal_code",
                   "address_id", "premium_available", "phones", "emails", "service_start", "bill_cycle_day",
                   "opening_balance"]

    GROUPS = (
        ("Customer", ("name", "kind", "network", "plan")),
        ("Service address", ("line1", "line2", "city", "state", "postal_code", "address_id", "premium_available")),
        ("How to reach them", ("phones", "emails")),
        ("Billing", ("service_start", "bill_cycle_day", "opening_balance")),
        ("Contract", ("contract_kind", "contract_start", "contract_signed", "contract_first_billing",
                      "contract_months", "contract_monthly", "contract_etf_override")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.code, f"{p.name} (${p.monthly}/mo)")
                                       for p in Package.objects.order_by("monthly")]


def _groups(form):
    return [(legend, [form[name] for name in names]) for legend, names in form.GROUPS]


class AccountEditForm(AddressFields):
    name = forms.CharField(max_length=200, label="Customer's name")
    phones = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="Phones (one a line; the first is called first)")
    emails = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="Emails (one a line)")
    field_order = ["name", "phones", "emails"]
    GROUPS = (
        ("Customer", ("name",)),
        ("How to reach them", ("phones", "emails")),
        ("Service address", ("line1", "line2", "city", "state", "postal_code", "address_id")),
    )


class ContractForm(ContractFields):
    GROUPS = (("Contract", ("contract_kind", "contract_start", "contract_signed", "contract_first_billing",
                            "contract_months", "contract_monthly", "contract_etf_override")),)


def _on_form(form, exc: LastmileError) -> int:
    """The service names `address.city`, `contract.months`...: put the sentence on that
    field of the form, or above the form."""
    name = (exc.field or "").replace("address.", "").replace("contract.", "contract_")
    if name == "contract":
        name = "contract_kind"
    form.add_error(name if name in form.fields else None, plain(exc.message))
    return status_of(exc)


# --- open an account ----------------------------------------------------------------
@console_view
def account_new(request):
    """Onboarding: every field a scenario account has (scenarios.md), a bill-cycle day,
    and a UTOPIA address ID no live account has (NET-2)."""
    initial = {"service_start": clock.today(), "bill_cycle_day": ispconfig.current().bill_cycle_day,
               "network": Network.UTOPIA, "kind": AccountKind.RESIDENTIAL, "plan": "classic"}
    form = AccountCreateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                account = can_services.account_open(
                    name=d["name"], kind=d["kind"], network=d["network"],
                    package=Package.objects.get(code=d["plan"]), address=form.address(),
                    phones=_lines(d["phones"]), emails=_lines(d["emails"]), service_start=d["service_start"],
                    bill_cycle_day=d["bill_cycle_day"], opening_balance=d["opening_balance"].strip(),
                    premium_available=d["premium_available"], contract=form.contract_spec(),
                    actor=actor(request),
                )
            except LastmileError as exc:
                status = _on_form(form, exc)
            else:
                messages.success(request, f"Account {account.number} opened for {account.name}.")
                return redirect("console:account", number=account.number)
    return render(request, "console/account_care/new.html", {"form": form, "groups": _groups(form)}, status=status)


# --- change contact details and the service address ---------------------------------
_FIELD_WORDS = {"name": "name", "phones": "phones", "emails": "emails", "address": "service address",
                "address_id": "address ID"}


@console_view
def account_edit(request, number: str):
    """AUD-1: each change is on the activity feed with its old and new value."""
    account = account_get(number=number)
    address = getattr(account, "address", None)
    initial = {"name": account.name, "phones": "\n".join(phone_numbers(account=account)),
               "emails": "\n".join(email_addresses(account=account))}
    if address is not None:
        initial.update({k: getattr(address, k) for k in ("line1", "line2", "city", "state", "postal_code",
                                                         "address_id")})
    form = AccountEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                changed = account_services.account_update(
                    account=account, actor=actor(request), name=d["name"], phones=_lines(d["phones"]),
                    emails=_lines(d["emails"]), address=form.address())
            except LastmileError as exc:
                status = _on_form(form, exc)
            else:
                if changed:
                    messages.success(request, "Changed: " + ", ".join(_FIELD_WORDS[f] for f in changed) + ".")
                else:
                    messages.info(request, "Nothing changed.")
                return redirect("console:account", number=account.number)
    return render(request, "console/account_care/edit.html", {
        "account": account, "detail": account_detail(account), "form": form, "groups": _groups(form)}, status=status)


# --- contracts and leases (CON-1..3, CAN-8) -----------------------------------------
@console_view
def contract_new(request, number: str):
    account = account_get(number=number)
    form = ContractForm(request.POST or None, initial={
        "contract_kind": "utopia_lease" if account.network == Network.UTOPIA and account.kind == "residential"
        else ("commercial" if account.kind == "commercial" else "residential_digital")})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                rows = can_services.contract_add(account=account, contract=form.contract_spec(),
                                                 actor=actor(request))
            except LastmileError as exc:
                status = _on_form(form, exc)
            else:
                ends = can_selectors.contract_end(rows[-1])
                messages.success(request, f"{rows[-1].get_kind_display()} contract recorded; its term ends {ends}.")
                return redirect("console:account", number=account.number)
    return render(request, "console/account_care/contract_new.html", {
        "account": account, "detail": account_detail(account), "form": form, "groups": _groups(form),
        "contracts": contracts_on_file(account=account)}, status=status)


# --- equipment (CAN-6) --------------------------------------------------------------
@console_view
def equipment_returned(request, number: str):
    """CAN-6: the POE came back, so no replacement fee (one already charged is voided)."""
    account = account_get(number=number)
    cancellation = can_selectors.confirmed_cancellation(account=account)
    return _confirmed(
        request, account, lambda who: can_services.equipment_returned(account=account, actor=who),
        "Equipment recorded as returned: no replacement fee.",
        title="Equipment returned",
        explain=(f"Record that the customer's equipment (the POE) came back"
                 f"{f', pickup planned for {cancellation.pickup_on}' if cancellation and cancellation.pickup_on else ''}. "
                 "No replacement fee is charged, and a fee already charged for it is voided."),
        button="Record equipment returned")


@console_view
def pickup_failed(request, number: str):
    """CAN-6: the technician could not collect the POE: the replacement fee is charged now."""
    account = account_get(number=number)
    fee = ispconfig.current().equipment_fee
    return _confirmed(
        request, account, lambda who: can_services.pickup_failed(account=account, actor=who),
        f"Pickup recorded as failed: the replacement fee of ${fee} was charged.",
        title="Pickup failed",
        explain=f"Record that the equipment could not be collected. The replacement fee of ${fee} "
                "is charged to the account now.",
        button=f"Record pickup failed and charge ${fee}")


# --- emails as sent -----------------------------------------------------------------
@console_view
@require_GET
def emails(request, number: str):
    """What the customer was written, as written (escaped plain text), and whether it
    went out: queued, sent, or failed after its attempts."""
    account = account_get(number=number)
    return render(request, "console/account_care/emails.html", {
        "account": account, "detail": account_detail(account),
        "emails": list(comms_selectors.account_emails(account=account))})
