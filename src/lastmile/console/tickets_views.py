"""Tickets that ask, and take the answer (TKT-1, PKG-4, PKG-10, CAN-8, CON-8, DLQ-7),
and the NOC desk (NET-1).

Thin views: the forms turn what a person ticks into the answer a ticket's resolver
takes (the same dict as the simulator's `resolve_ticket`), `ticket_answer` and
`noc_request_record` do the work and check who may, and a refusal shows the
service's sentence on the form with its status.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from lastmile.core.errors import LastmileError
from lastmile.core.timeline_text import plain
from lastmile.network import selectors as net_selectors
from lastmile.network import services as net_services
from lastmile.tickets import selectors
from lastmile.tickets import services as ticket_services
from lastmile.tickets.choices import TicketKind, TicketStatus

from .forms import TicketCloseForm
from .views import actor, console_view, refuse, status_of

DATE = forms.DateInput(attrs={"type": "date"})


# --- the answer forms, one per thing a ticket can wait on ---------------------------
class PremiumAnswerForm(forms.Form):
    premium_available = forms.ChoiceField(
        label="Is it available at this address?", widget=forms.RadioSelect,
        choices=[("yes", "Yes, it is available: apply the change"), ("no", "No, it is not: decline the change")],
        error_messages={"required": "Say whether it is available."})
    note = forms.CharField(required=False, label="Note (optional)", widget=forms.Textarea(attrs={"rows": 2}))

    def answer(self) -> dict:
        return {"premium_available": self.cleaned_data["premium_available"] == "yes",
                "note": self.cleaned_data["note"]}


class UtopiaAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened with UTOPIA?", widget=forms.RadioSelect,
        choices=[("done", "Done with UTOPIA"), ("declined", "Declined")],
        error_messages={"required": "Say whether it was done or declined."})
    note = forms.CharField(label="What was done with UTOPIA, or why it was declined",
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Write what was done, or the reason it was declined."})

    def answer(self) -> dict:
        return {"approved": self.cleaned_data["outcome"] == "done", "note": self.cleaned_data["note"]}


class ContractAnswerForm(forms.Form):
    """CON-1..3: the fields `contract_spec.parse` takes (as a scenario's `contract:`)."""

    found = forms.ChoiceField(
        label="What did the lookup find?", widget=forms.RadioSelect,
        choices=[("none", "No contract (month-to-month)"), ("contract", "Contract found")],
        error_messages={"required": "Say whether a contract was found."})
    kind = forms.ChoiceField(required=False, choices=[("residential", "Residential"), ("commercial", "Commercial")])
    source = forms.ChoiceField(required=False, label="Residential contract",
                               choices=[("digital", "Digital"), ("paper", "Paper service order")])
    start = forms.DateField(required=False, widget=DATE, label="Start date (digital)")
    signed = forms.DateField(required=False, widget=DATE, label="Signature date (paper)")
    first_billing = forms.DateField(required=False, widget=DATE, label="First billing date (commercial)")
    months = forms.IntegerField(required=False, min_value=1, label="Term in months")
    monthly = forms.CharField(required=False, max_length=20, label="Monthly rate")
    etf_override = forms.CharField(required=False, max_length=20, label="ETF override (optional, commercial)")
    note = forms.CharField(required=False, label="Note (where it was found)", widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("found") == "contract" and not data.get("kind"):
            self.add_error("kind", "Choose residential or commercial.")
        return data

    def answer(self) -> dict:
        d = self.cleaned_data
        if d["found"] == "none":
            return {"contract": "none", "note": d["note"]}
        contract: dict = {"kind": d["kind"]}
        if d["kind"] == "commercial":
            names = ("first_billing", "months", "monthly", "etf_override")
        else:
            contract["source"] = d["source"] or "digital"
            names = ("start", "months", "monthly") if contract["source"] == "digital" else ("signed", "monthly")
            names += ("etf_override",)
        for name in names:
            value = d.get(name)
            if value not in (None, ""):
                contract[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return {"contract": contract, "note": d["note"]}


class NocAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did the NOC say?", widget=forms.RadioSelect,
        choices=[("confirmed", "The NOC confirmed"), ("failed", "The NOC could not do it")],
        error_messages={"required": "Say whether the NOC confirmed."})
    vlan = forms.IntegerField(required=False, min_value=1, max_value=4094, label="VLAN read from the ONT")
    note = forms.CharField(required=False, label="Note (required when the NOC could not do it)",
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, vlan_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.vlan_required = vlan_required

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "confirmed" and self.vlan_required and data.get("vlan") is None:
            self.add_error("vlan", "Type the VLAN read from the ONT.")
        if data.get("outcome") == "failed" and not (data.get("note") or "").strip():
            self.add_error("note", "Say what the NOC could not do.")
        return data

    def answer(self) -> dict:
        d = self.cleaned_data
        if d["outcome"] == "failed":
            return {"failed": True, "note": d["note"]}
        return {"vlan": d["vlan"], "note": d["note"]}


ANSWER_FORMS = {"premium_availability": PremiumAnswerForm, "plan_change": UtopiaAnswerForm,
                "cancellation": UtopiaAnswerForm, "contract_lookup": ContractAnswerForm,
                "noc_followup": NocAnswerForm}


class TicketNoteForm(forms.Form):
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Write the note."})


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, required=False, label="A person", empty_label="(no one)")
    team = forms.ChoiceField(required=False, label="or a team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        from lastmile.core.actors import ALL_ROLES

        # those who work tickets: active, with a role (the service checks it again)
        self.fields["user"].queryset = (get_user_model().objects.filter(is_active=True)
                                        .filter(Q(is_superuser=True) | Q(groups__name__in=ALL_ROLES))
                                        .distinct().order_by("username"))
        self.fields["team"].choices = [("", "(no team)")] + [(t, t) for t in selectors.TEAMS]

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("team")):
            raise forms.ValidationError("Choose a person or a team (one of the two).")
        return data


# --- the ticket list ----------------------------------------------------------------
@console_view
@require_GET
def tickets(request):
    """TKT-1: open by default; "mine" and "my team" (selectors.ROLE_TEAMS) narrow it."""
    me = actor(request)
    status = request.GET.get("status", TicketStatus.OPEN)
    status = status if status in TicketStatus.values else None
    kind = request.GET.get("kind", "")
    kind = kind if kind in TicketKind.values else ""
    scope = request.GET.get("scope", "")
    teams = selectors.teams_of(me)
    qs = selectors.ticket_queue(
        status=status, kind=kind or None,
        user=request.user if scope == "mine" else None,
        teams=teams if scope == "team" else None,
    )
    return render(request, "console/tickets.html", {
        "tickets": list(qs[:200]), "status": status or "all", "kind": kind, "scope": scope,
        "kinds": TicketKind.choices, "teams": teams,
    })


# --- one ticket ---------------------------------------------------------------------
def _answer_form(ticket, facts, data=None):
    name = facts["waits_on"]
    if name is None or ticket.status != TicketStatus.OPEN:
        return None
    cls = ANSWER_FORMS[name]
    if cls is NocAnswerForm:
        request = facts.get("request")
        return cls(data, vlan_required=bool(request and request.restore_pending))
    return cls(data)


def _render(request, ticket, *, status: int = 200, **forms_given):
    me = actor(request)
    facts = selectors.ticket_facts(ticket)
    spec = selectors.answer_spec(ticket)
    may = spec is not None and me.can(spec["capability"])
    answer_form = forms_given.get("answer_form") or (_answer_form(ticket, facts) if may else None)
    return render(request, "console/ticket.html", {
        "ticket": ticket, "notes": list(selectors.ticket_notes(ticket=ticket)), "facts": facts,
        "spec": spec, "may_answer": may, "answer_form": answer_form,
        "form": forms_given.get("form") or TicketCloseForm(),
        "note_form": forms_given.get("note_form") or TicketNoteForm(),
        "assign_form": forms_given.get("assign_form") or AssignForm(),
        "closable": spec is None and ticket.status == TicketStatus.OPEN,
    }, status=status)


@console_view
def ticket_page(request, ticket_id: int):
    """The question, its facts and the answer form; a POST here closes a ticket that
    is closed by hand (with confirmation)."""
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    if request.method == "GET":
        return _render(request, ticket)
    if request.method != "POST":
        return render(request, "console/error.html", {"message": "Method not allowed."}, status=405)
    form, status = TicketCloseForm(request.POST), 422
    if form.is_valid():
        try:
            if selectors.answer_spec(ticket) is not None:
                from lastmile.core.errors import RuleRefusal

                raise RuleRefusal("this ticket waits on an answer: record it with the answer form, "
                                  "so the waiting work goes on", field=None)
            ticket_services.ticket_close(ticket=ticket, actor=actor(request), note=form.cleaned_data["note"])
        except LastmileError as exc:
            status = refuse(form, exc)
        else:
            messages.success(request, f"Ticket #{ticket.pk} closed.")
            return redirect("console:ticket", ticket_id=ticket.pk)
    return _render(request, ticket, status=status, form=form)


@console_view
@require_POST
def ticket_answer(request, ticket_id: int):
    """Resolve the ticket: `ticket_answer` then `ticket_resolve`, the simulator's service."""
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    facts = selectors.ticket_facts(ticket)
    if facts["waits_on"] is None or ticket.status != TicketStatus.OPEN:
        messages.error(request, "This ticket has no answer to record.")
        return redirect("console:ticket", ticket_id=ticket.pk)
    form, status = _answer_form(ticket, facts, request.POST), 422
    if form.is_valid():
        try:
            after = ticket_services.ticket_answer(ticket=ticket, actor=actor(request), answer=form.answer())
        except LastmileError as exc:
            status = refuse(form, exc)
        else:
            if after.status == TicketStatus.OPEN:
                last = selectors.ticket_notes(ticket=after).last()
                messages.warning(request, f"Ticket #{after.pk} stays open. {last.body if last else ''}".strip())
            else:
                messages.success(request, f"Answer recorded; ticket #{after.pk} is closed.")
            return redirect("console:ticket", ticket_id=ticket.pk)
    return _render(request, ticket, status=status, answer_form=form)


@console_view
@require_POST
def ticket_note(request, ticket_id: int):
    """TKT-1: a note without closing the ticket."""
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    form, status = TicketNoteForm(request.POST), 422
    if form.is_valid():
        try:
            ticket_services.ticket_note_add(ticket=ticket, body=form.cleaned_data["body"], actor=actor(request))
        except LastmileError as exc:
            status = refuse(form, exc)
        else:
            messages.success(request, "Note added; the ticket stays open." if ticket.status == TicketStatus.OPEN
                             else "Note added.")
            return redirect("console:ticket", ticket_id=ticket.pk)
    return _render(request, ticket, status=status, note_form=form)


@console_view
@require_POST
def ticket_assign(request, ticket_id: int):
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    form, status = AssignForm(request.POST), 422
    if form.is_valid():
        try:
            ticket = ticket_services.ticket_assign(ticket=ticket, actor=actor(request),
                                                   user=form.cleaned_data["user"],
                                                   team=form.cleaned_data["team"] or None)
        except LastmileError as exc:
            status = refuse(form, exc)
        else:
            messages.success(request, f"Ticket #{ticket.pk} is now assigned to {ticket.assignee}.")
            return redirect("console:ticket", ticket_id=ticket.pk)
    return _render(request, ticket, status=status, assign_form=form)


# --- the NOC desk (NET-1, DLQ-7) ----------------------------------------------------
class NocConfirmForm(forms.Form):
    vlan = forms.IntegerField(required=False, min_value=1, max_value=4094, label="VLAN read from the ONT")
    note = forms.CharField(required=False, max_length=500, label="Note (optional)")


class NocFailForm(forms.Form):
    note = forms.CharField(max_length=500, label="What the NOC could not do",
                           error_messages={"required": "Say what the NOC could not do."})


def _desk(request, *, status: int = 200, errors: dict | None = None):
    me = actor(request)
    me.require("noc.confirm", "the NOC desk")
    rows = list(net_selectors.noc_desk()[:200])
    return render(request, "console/noc.html", {
        "rows": rows, "errors": errors or {}, "expected_vlan": _expected_vlan(),
        "failed": list(net_selectors.noc_desk(state="failed")[:50]),
    }, status=status)


def _expected_vlan() -> int:
    from lastmile.core import ispconfig

    return ispconfig.current().restored_vlan


@console_view
@require_GET
def noc_desk(request):
    """The requests sent and not yet confirmed, oldest first (noc, admin)."""
    try:
        return _desk(request)
    except LastmileError as exc:
        return render(request, "console/error.html", {"message": plain(exc.message)}, status=status_of(exc))


@console_view
@require_POST
def noc_record(request, request_id: int, outcome: str):
    """Confirmed (with the VLAN for an unsuspend) or failed (with a note)."""
    noc_request = net_selectors.noc_request_get(request_id=request_id)
    form = (NocConfirmForm if outcome == "confirm" else NocFailForm)(request.POST)
    error, status = "", 422
    if form.is_valid():
        try:
            done = net_services.noc_request_record(
                request=noc_request, actor=actor(request), confirmed=outcome == "confirm",
                vlan=form.cleaned_data.get("vlan"), note=form.cleaned_data.get("note", ""))
        except LastmileError as exc:
            error, status = plain(exc.message), status_of(exc)
        else:
            who = done.account.name if done.account_id else f"batch of {len(done.batch or [])}"
            if outcome != "confirm":
                messages.warning(request, f"Recorded: the NOC could not do the {done.operation} for {who}. "
                                          "A follow-up ticket keeps the work open.")
            elif done.restore_pending:
                messages.warning(request, f"Confirmed, but the ONT is not on VLAN {_expected_vlan()}: "
                                          f"{who}'s service is not restored yet; a follow-up ticket asks the NOC to "
                                          "move it.")
            elif done.operation == "unsuspend":
                messages.success(request, f"Confirmed: {who}'s service is restored.")
            else:
                messages.success(request, f"Confirmed: the {done.operation} for {who} is done.")
            return redirect("console:noc")
    else:
        error = " ".join(e for errs in form.errors.values() for e in errs)
    try:
        return _desk(request, status=status, errors={noc_request.pk: error})
    except LastmileError as exc:
        return render(request, "console/error.html", {"message": plain(exc.message)}, status=status_of(exc))
