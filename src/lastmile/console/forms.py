"""The console's forms: they parse what the agent typed; the services decide."""
from __future__ import annotations

from django import forms

from lastmile.billing.choices import PaymentMethod
from lastmile.tickets.choices import CallOutcome


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Name, address or address ID")


class PaymentForm(forms.Form):
    """Money stays a string until the service parses it exactly (Decimal)."""

    amount = forms.RegexField(regex=r"^\s*[0-9]+(\.[0-9]{1,2})?\s*$", max_length=14,
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


class TicketCloseForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(required=True, label="Yes, close this ticket",
                                 error_messages={"required": "Tick the box to confirm."})
