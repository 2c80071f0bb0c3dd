"""The agents' console: thin views over the services and selectors.

Every view needs a login (`console_view`); every write is a POST with Django's CSRF
check (htmx sends the token in the `X-CSRFToken` header set on <body>), and the
services check permissions, so a refusal shows the service's own sentence with its
status (403 permission, 409 rule, 422 input, 404 not found).
"""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from lastmile.accounts import services as account_services
from lastmile.accounts.selectors import account_get, account_search_results
from lastmile.api import selectors
from lastmile.api.common import account_detail
from lastmile.billing import selectors as billing_selectors
from lastmile.billing import services as billing_services
from lastmile.core.actors import from_user
from lastmile.core.errors import (
    InvalidInput,
    LastmileError,
    NotFound,
    PermissionRefused,
    RuleRefusal,
)
from lastmile.core.money import ZERO, fmt
from lastmile.core.timeline_text import isp_zone, plain
from lastmile.delinquency import selectors as dlq_selectors
from lastmile.tickets import services as ticket_services
from lastmile.tickets.choices import TaskStatus, TicketStatus

from .forms import CardForm, NoteForm, OutcomeForm, PaymentForm, SearchForm
from .offers import account_offers

TIMELINE_PAGE = 50


def status_of(exc: LastmileError) -> int:
    for cls, code in ((PermissionRefused, 403), (RuleRefusal, 409), (InvalidInput, 422), (NotFound, 404)):
        if isinstance(exc, cls):
            return code
    return 400


def console_view(view):
    """Login required; a NotFound from a selector is a 404 page; every time on the
    page is read in the ISP's time zone (a stored time is UTC)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            with timezone.override(isp_zone()):
                return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapped


def actor(request):
    return from_user(request.user)


def refuse(form, exc: LastmileError) -> int:
    """Put the service's sentence on the form (on its field when the form has it)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, plain(exc.message))
    return status_of(exc)


# --- search -------------------------------------------------------------------------
@console_view
@require_GET
def home(request):
    """Account search by name, address or address ID; htmx asks for the results only."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = account_search_results(query=query)  # status, balance, network, plan
    context = {"form": form, "query": query, "results": results}
    if request.htmx:
        return render(request, "console/_results.html", context)
    from .home import today_sections  # today's work per role (issue 10)

    context.update(today_sections(user=request.user, actor=actor(request)))
    return render(request, "console/home.html", context)


# --- the account page ---------------------------------------------------------------
def _account_context(request, account, **forms) -> dict:
    entries = list(selectors.account_timeline(account=account, newest_first=True)[: TIMELINE_PAGE + 1])
    offers = account_offers(account=account, actor=actor(request))
    return {
        "account": account,
        "offers": offers,
        "offers_refused": [o for o in offers if not o.allowed],
        "detail": account_detail(account),
        "statements": list(billing_selectors.statements(account=account).order_by("-period_start")[:12]),
        "timeline": entries[:TIMELINE_PAGE],
        "timeline_more": entries[TIMELINE_PAGE - 1].pk if len(entries) > TIMELINE_PAGE else None,
        "notes": list(selectors.account_notes(account=account)),
        "tickets": list(selectors.ticket_list(status=TicketStatus.OPEN, account=account)),
        "call_tasks": list(selectors.call_task_queue(status=TaskStatus.OPEN, account=account)),
        "claim": dlq_selectors.open_claim(account=account),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "card_form": forms.get("card_form") or CardForm(),
    }


@console_view
@require_GET
def account_page(request, number: str):
    account = account_get(number=number)
    return render(request, "console/account.html", _account_context(request, account))


@console_view
@require_GET
def account_timeline(request, number: str):
    """The activity feed, newest first, 50 at a time (`before` = the last id shown)."""
    account = account_get(number=number)
    qs = selectors.account_timeline(account=account, newest_first=True)
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(pk__lt=int(before))
    entries = list(qs[: TIMELINE_PAGE + 1])
    return render(request, "console/_timeline.html", {
        "account": account, "timeline": entries[:TIMELINE_PAGE],
        "timeline_more": entries[TIMELINE_PAGE - 1].pk if len(entries) > TIMELINE_PAGE else None,
    })


def _account_action(request, number: str, form_class, form_name: str, do, done: str):
    """POST a form on the account page: the service acts, or the page shows why not."""
    account = account_get(number=number)
    form = form_class(request.POST)
    status = 422
    if form.is_valid():
        try:
            do(account, form.cleaned_data)
        except LastmileError as exc:
            status = refuse(form, exc)
        else:
            messages.success(request, done)
            return redirect("console:account", number=account.number)
    account.refresh_from_db()
    return render(request, "console/account.html", _account_context(request, account, **{form_name: form}),
                  status=status)


@console_view
@require_POST
def payment_take(request, number: str):
    """Take a payment by phone (DLQ-8: while the portal is off, payments are taken here)."""
    def do(account, data):
        billing_services.payment_post(account=account, amount=data["amount"].strip(), method=data["method"],
                                      reference=data["reference"], actor=actor(request))
    return _account_action(request, number, PaymentForm, "payment_form", do, "Payment posted.")


@console_view
@require_POST
def note_add(request, number: str):
    """TKT-2: a dated, signed note; never edited afterwards."""
    def do(account, data):
        account_services.note_add(account=account, body=data["body"], actor=actor(request))
    return _account_action(request, number, NoteForm, "note_form", do, "Note saved.")


@console_view
@require_POST
def card_add(request, number: str):
    """BIL-6: a new card becomes the default; nothing is edited; a card number is refused."""
    def do(account, data):
        account_services.card_add(account=account, token=data["token"], last4=data["last4"],
                                  brand=data["brand"], why=data["why"], actor=actor(request))
    return _account_action(request, number, CardForm, "card_form", do, "Card added; it is now the default card.")


# --- the call-task queue (DLQ-3) ----------------------------------------------------
def _queue_context(error_task=None, error: str = "") -> dict:
    """DLQ-3: the open calls, oldest first, each with what the customer owes now."""
    queue = list(selectors.call_task_queue(status=TaskStatus.OPEN)[:200])
    owed = billing_selectors.balances(account_ids={t.account_id for t in queue})
    for task in queue:
        task.owed = fmt(owed.get(task.account_id) or ZERO)
    return {"tasks": queue, "outcomes": OutcomeForm.base_fields["outcome"].choices,
            "error_task": error_task, "error": error}


@console_view
@require_GET
def tasks(request):
    return render(request, "console/tasks.html", _queue_context())


@console_view
@require_POST
def task_outcome(request, task_id: int):
    """DLQ-2: `reached` is contact. htmx gets the whole queue back, because reaching
    the customer on one phone ends the step's other calls (DLQ-3)."""
    task = selectors.call_task_get(task_id=task_id)
    form = OutcomeForm(request.POST)
    error, status = "", 200
    if form.is_valid():
        try:
            task = ticket_services.call_outcome_record(task=task, outcome=form.cleaned_data["outcome"],
                                                       note=form.cleaned_data["note"], actor=actor(request))
        except LastmileError as exc:
            error, status = plain(exc.message), status_of(exc)
    else:
        error, status = "Choose an outcome.", 422
    done = "" if error else f"Call to {task.phone} ({task.account.name}): {task.get_outcome_display()}."
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect("console:tasks")
    context = _queue_context(error_task=task.pk if error else None, error=error)
    context["done"] = done
    return render(request, "console/_task_rows.html", context, status=status)


# tickets (TKT-1) and the NOC desk: lastmile.console.tickets_views
