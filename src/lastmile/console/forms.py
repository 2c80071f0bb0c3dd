"""The console's forms: they parse what the agent typed; the services decide."""
from __future__ import annotations

from django import forms

from lastmile.billing.choices import PaymentMethod
from lastmile.core.money import MONEY_FORM_REGEX  # issue 15: within the columns
from lastmile.tickets.choices import CallOutcome


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Name, phone, email, account number, address or address ID")


class PaymentForm(forms.Form):
    """Money stays a string until the service parses it exactly (Decimal)."""

    amount = forms.RegexField(regex=MONEY_FORM_REGEX, max_length=14,
                              error_messages={"invalid": "Give the amount as dollars and cents, e.g. 65.00."})
    method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.PHONE)
    reference = forms.CharField(required=False, max_length=100)


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Note")


class CardForm(forms.Form):
    """BIL-6: the processor's token and the last four digits; never the card number."""

    # never echoed back into the page: if someone typed a card number, it is not shown again
    token = forms.CharField(max_length=100, help_text="The card processor's token, not the card number.",
                            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    last4 = forms.RegexField(regex=r"^[0-9]{4}$", max_length=4, label="Last four digits",
                             error_messages={"invalid": "Four digits."})
    brand = forms.CharField(required=False, max_length=20)
    why = forms.CharField(required=False, max_length=200, label="Why (for the note)")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=CallOutcome.choices)
    note = forms.CharField(required=False, max_length=2000)


class PaymentClaimForm(forms.Form):
    """DLQ-6: what the customer says was sent, kept and shown on the account."""

    amount = forms.RegexField(regex=MONEY_FORM_REGEX, max_length=14, required=False,
                              label="Amount the customer says was sent",
                              error_messages={"invalid": "Give the amount as dollars and cents, e.g. 65.00."})
    sent_on = forms.DateField(required=False, label="Sent on", widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(choices=[("", "Not said"), ("bill_pay", "Bill pay (the customer's bank)"),
                                        ("check", "Check by mail")], required=False, label="How it was sent")
    reference = forms.CharField(required=False, max_length=100, label="Reference (confirmation or check number)")
    confirm = forms.BooleanField(label="Yes, record the claim", error_messages={"required": "Tick the box to confirm."})


class TicketCloseForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(required=True, label="Yes, close this ticket",
                                 error_messages={"required": "Tick the box to confirm."})


# --- guided procedures ---------------------------------------------------------------
CONSENT_CHOICES = [("written", "Written agreement"), ("verbal_recorded", "Recorded verbal agreement")]


class PlanChoiceForm(forms.Form):
    """Step 1 of an upgrade or a trial: which package, and from when (PKG-7)."""

    to = forms.ChoiceField(label="New package")
    effective = forms.DateField(required=False, help_text="Leave empty for today.",
                                widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, packages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(p.code, f"{p.name} (${p.monthly}/mo)") for p in packages]


class PremiumQuestionsForm(forms.Form):
    """PKG-3, asked before any price: why the customer wants Premium, and whether they
    have speed problems (then we troubleshoot instead of selling a bigger package)."""

    reason = forms.CharField(max_length=500, label="Why does the customer want it?",
                             error_messages={"required": "Ask why the customer wants the upgrade and note it."})
    speed_issues = forms.TypedChoiceField(
        label="Does the customer report speed problems with the current service?",
        choices=[("no", "No"), ("yes", "Yes, the service is slow or drops")],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        error_messages={"required": "Ask whether the customer has speed problems."})


class ConsentForm(forms.Form):
    """PKG-6: identity verified and the customer's consent, with its reference."""

    identity_verified = forms.BooleanField(
        label="I verified the customer's name, service address and account number",
        error_messages={"required": "Verify the customer's identity first."})
    consent = forms.ChoiceField(choices=CONSENT_CHOICES)
    consent_reference = forms.CharField(max_length=200, help_text="The signed agreement or the call recording.")


class CancelForm(forms.Form):
    """CAN-1: the last day of service and the reason; CAN-4: prorating the final month."""

    last_day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Last day of service")
    reason = forms.CharField(max_length=500)
    improve = forms.CharField(required=False, max_length=500, label="What could we have done better?")
    prorate_final_month = forms.BooleanField(required=False, label="The customer asks to prorate the final month")
    moved_out = forms.BooleanField(required=False, label="The customer moved out")


class AddressConfirmForm(forms.Form):
    """NET-2: type the address ID back (shown with the address), never only the name."""

    confirm_address_id = forms.CharField(max_length=40, label="Type the address ID to confirm")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, I confirm", error_messages={"required": "Tick the box to confirm."})


class ArrangementForm(forms.Form):
    """DLQ-4: specific dates with specific amounts (up to six installments)."""

    ROWS = 6

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.ROWS + 1):
            self.fields[f"on_{i}"] = forms.DateField(required=i == 1, label=f"Installment {i} date",
                                                     widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"amount_{i}"] = forms.RegexField(
                regex=MONEY_FORM_REGEX, required=i == 1, label=f"Installment {i} amount",
                max_length=14)

    def installments(self) -> list[dict]:
        rows = []
        for i in range(1, self.ROWS + 1):
            on, amount = self.cleaned_data.get(f"on_{i}"), self.cleaned_data.get(f"amount_{i}")
            if on and amount:
                rows.append({"on": on, "amount": amount.strip()})
        return rows
