"""The customer portal's pages (POR-1, POR-2): thin views over portal.services.

Its own session key (`portal_account`), never Django's staff login: a signed-in
customer is an anonymous visitor to the console, and a staff login is nobody here.
While portal access is off (DLQ-8) every page but the shut-off page sends the
customer back to it, and every write is refused by the services as well.
"""
from __future__ import annotations

import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lastmile.accounts.models import Account
from lastmile.billing.processors import processor_name
from lastmile.billing.processors.stripe import StripeProcessor
from lastmile.billing.processors.test import TestProcessor
from lastmile.comms.statements import (
    statement_context,
    statement_filename,
    statement_html,
    statement_pdf,
)
from lastmile.core import ispconfig
from lastmile.core.errors import (
    InvalidInput,
    LastmileError,
    NotFound,
    PermissionRefused,
    RuleRefusal,
)
from lastmile.plans import selectors as plan_selectors

from . import selectors, services

SESSION_KEY = "portal_account"


def _status(exc: LastmileError) -> int:
    for cls, code in ((PermissionRefused, 403), (RuleRefusal, 409), (InvalidInput, 422), (NotFound, 404)):
        if isinstance(exc, cls):
            return code
    return 400


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def portal_view(view=None, *, open_only: bool = True):
    """A signed-in customer; with `open_only` the page exists only while the portal is open."""

    def decorate(fn):
        @wraps(fn)
        def wrapped(request, *args, **kwargs):
            account = Account.objects.select_related("package", "address").filter(
                pk=request.session.get(SESSION_KEY)).first()
            if account is None:
                return redirect(f"{reverse('portal:login')}?next={request.path}")
            request.portal_account = account
            if open_only and not account.portal_access:
                return redirect("portal:home")
            try:
                return fn(request, account, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from None

        return wrapped

    return decorate(view) if view is not None else decorate


def _page(request, template: str, status: int = 200, **context):
    isp = ispconfig.current()
    context.setdefault("account", getattr(request, "portal_account", None))
    context.update(isp_name=isp.isp_name, isp_phone=isp.isp_phone)
    return render(request, f"portal/{template}", context, status=status)


# --- sign-in and the password link ------------------------------------------------------
@require_http_methods(["GET", "POST"])
def login(request):
    error, number, status = "", "", 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()
        try:
            account = services.sign_in(number=number, password=request.POST.get("password", ""), ip=_ip(request))
        except LastmileError as exc:
            error, status = exc.message, _status(exc)
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = account.pk
            target = request.GET.get("next", "")
            return redirect(target if target.startswith("/portal/") else "portal:home")
    return _page(request, "login.html", status=status, error=error, number=number)


@require_POST
def logout(request):
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    messages.success(request, "You are signed out.")
    return redirect("portal:login")


@require_http_methods(["GET", "POST"])
def password_request(request):
    error, status, sent = "", 200, False
    if request.method == "POST":
        try:
            services.password_link_send(number=request.POST.get("number", ""), email=request.POST.get("email", ""),
                                        link_base=request.build_absolute_uri(reverse("portal:password_set_base")))
            sent = True
        except LastmileError as exc:
            error, status = exc.message, _status(exc)
    return _page(request, "password_request.html", status=status, error=error, sent=sent)


@require_http_methods(["GET", "POST"])
def password_set(request, token: str):
    error, status = "", 200
    try:
        account = services.password_link_check(token=token)
    except LastmileError as exc:
        return _page(request, "password_set.html", status=_status(exc), error=exc.message, broken=True)
    if request.method == "POST":
        try:
            services.password_set(token=token, password=request.POST.get("password", ""),
                                  again=request.POST.get("again", ""))
        except LastmileError as exc:
            error, status = exc.message, _status(exc)
        else:
            messages.success(request, "Your password is set. Sign in with your account number and your new password.")
            return redirect("portal:login")
    return _page(request, "password_set.html", status=status, error=error, number=account.number)


# --- the account ------------------------------------------------------------------------------
@portal_view(open_only=False)
@require_GET
def home(request, account):
    data = selectors.overview(account=account)
    if not account.portal_access:  # POR-2: the balance and the phone number, nothing else
        return _page(request, "shutoff.html", balance=data["balance"], restore=services.shut_off_sentence())
    return _page(request, "home.html", **data)


@portal_view
@require_GET
def statement(request, account, statement_id: int):
    stmt = selectors.statement_of(account=account, statement_id=statement_id)
    # the stylesheet as a file, not a <style>: the frame keeps the page's CSP (docs/security.md)
    context = {**statement_context(stmt), "css_href": reverse("portal:statement_css")}
    return _page(request, "statement.html", statement=stmt, document=statement_html(stmt, context=context))


@require_GET
def statement_css(request):
    """The statement's stylesheet, for the statement shown in the portal's frame."""
    from lastmile.comms.statements import _css_text

    response = HttpResponse(_css_text(), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "max-age=3600"
    return response


@portal_view
@require_GET
def statement_document(request, account, statement_id: int):
    stmt = selectors.statement_of(account=account, statement_id=statement_id)
    response = HttpResponse(statement_pdf(stmt), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(stmt, account.number)}"'
    return response


@portal_view
@require_http_methods(["GET", "POST"])
def pay(request, account):
    data = selectors.overview(account=account)
    error, status = "", 200
    attempt = request.POST.get("attempt") or uuid.uuid4().hex
    if request.method == "POST":
        which = request.POST.get("which", "balance")
        amount = None if which == "balance" else request.POST.get("amount", "")
        try:
            result, entry = services.payment_make(account=account, amount=amount, attempt=attempt)
        except LastmileError as exc:
            error, status = exc.message, _status(exc)
        else:
            if entry is not None:
                messages.success(request, f"Thank you: your payment of ${-entry.amount:,.2f} is posted.")
                return redirect("portal:home")
            if result.pending:
                messages.info(request, "Your payment is waiting for the card processor's answer. It shows here "
                                       "once confirmed; please don't pay again.")
                return redirect("portal:home")
            if result.approved:  # the same form sent twice: the first one posted it
                messages.success(request, "That payment is already posted.")
                return redirect("portal:home")
            error, status, attempt = f"No payment was made: {result.message}.", 402, uuid.uuid4().hex
    return _page(request, "pay.html", status=status, error=error, attempt=attempt, **data)


@portal_view
@require_POST
def autopay(request, account):
    enabled = request.POST.get("enabled") == "1"
    try:
        services.autopay_set(account=account, enabled=enabled)
    except LastmileError as exc:
        messages.error(request, exc.message[0].upper() + exc.message[1:] + ".")
    else:
        messages.success(request, "Autopay is on: your card is charged on each due date." if enabled
                         else "Autopay is off: pay each statement yourself by its due date.")
    return redirect("portal:home")


@portal_view
@require_http_methods(["GET", "POST"])
def card(request, account):
    error, status = "", 200
    if request.method == "POST":
        try:
            services.card_add(account=account, token=request.POST.get("token", ""),
                              last4=request.POST.get("last4", ""), brand=request.POST.get("brand", ""))
        except LastmileError as exc:
            error, status = exc.message, _status(exc)
        else:
            messages.success(request, f"Card ending {request.POST.get('last4')} added; it is now your default card.")
            return redirect("portal:home")
    stripe_key = getattr(settings, "LASTMILE_STRIPE_PUBLISHABLE_KEY", "")
    stripe = processor_name() == "stripe"
    hint = StripeProcessor.token_hint() if stripe else TestProcessor.token_hint()
    return _page(request, "card.html", status=status, error=error, hint=hint, stripe=stripe,
                 stripe_key=stripe_key)


@portal_view
@require_http_methods(["GET", "POST"])
def plan(request, account):
    """The console's order (PKG-3 first for Premium, then the price, PKG-6), for the customer."""
    offered = plan_selectors.packages_offered(account=account)
    data = request.POST if request.method == "POST" else request.GET
    chosen = next((p for p in offered if p.code == data.get("to")), None)
    premium = chosen is not None and chosen.requires_review and chosen.rank > account.package.rank
    reason = (data.get("reason") or "").strip()
    speed = data.get("speed_issues")
    answered = not premium or (reason and speed in ("yes", "no"))
    preview, error, status = None, "", 200
    if data.get("to") and chosen is None:
        error, status = "choose one of the plans offered at your address", 422
    if chosen is None:
        step = "choose"
    elif not answered:
        step = "questions"
        if data.get("asked"):
            error, status = f"tell us why you want {chosen.name} and whether you have speed problems", 422
    elif speed == "yes":
        step = "troubleshoot"
    else:
        step = "preview"
        preview = plan_selectors.plan_change_preview(account=account, to=chosen.code)
    if request.method == "POST" and step in ("troubleshoot", "preview"):
        if step == "preview" and request.POST.get("agree") != "1":
            error, status = "tick the box to agree to the new price (your written consent)", 422
        else:
            try:
                change = services.plan_change_ask(account=account, to=chosen.code, reason=reason,
                                                  speed_issues=step == "troubleshoot")
            except LastmileError as exc:
                error, status = exc.message, _status(exc)
            else:
                messages.success(request, _change_sentence(change))
                return redirect("portal:home")
    return _page(request, "plan.html", status=status, error=error, offered=offered, chosen=chosen,
                 premium=premium, reason=reason, speed=speed, step=step, preview=preview)


def _change_sentence(change) -> str:
    name = change.to_package.name
    if change.status == "applied":
        return f"Done: your plan is now {name}. We emailed you a summary."
    if change.status == "scheduled":
        return f"Your change to {name} is scheduled for {change.effective_on}."
    if change.status == "pending":
        return (f"We received your request for {name}. We check it with UTOPIA first and email you the answer."
                if change.pending_on == "utopia_admin" else
                f"We received your request for {name}. We check that it is available at your address and "
                f"email you the answer.")
    if change.status == "refused":
        return ("We did not change your plan: a faster plan does not fix a fault. We opened a ticket to fix "
                "the speed problems of your current service, and will call you.")
    return f"Your request for {name}: {change.get_status_display().lower()}."
