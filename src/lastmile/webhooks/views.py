"""The console's webhooks page, /console/webhooks/ (admins): the endpoints, adding
one, turning one off or on, deleting one after a confirmation page, and the log of
deliveries with their answer and next try. Views are thin: the services check the
`webhook.manage` capability and say why they refuse."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lastmile.console.views import actor, console_view, status_of
from lastmile.core.errors import LastmileError, PermissionRefused

from . import selectors, services
from .events import EVENT_TYPES, FAMILIES
from .forms import EndpointForm

REFUSED = "Webhooks are managed by an admin. Ask one to register or change them."


def _page(request, *, form: EndpointForm | None = None, status: int = 200):
    if not actor(request).can("webhook.manage"):
        return render(request, "console/error.html", {"message": REFUSED}, status=403)
    return render(request, "webhooks/webhooks.html", {
        "endpoints": selectors.endpoint_list(), "deliveries": selectors.delivery_log(),
        "form": form or EndpointForm(), "event_types": EVENT_TYPES,
        "families": [f + ".*" for f in FAMILIES],
    }, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def webhooks(request):
    if request.method == "GET":
        return _page(request)
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    try:
        endpoint = services.endpoint_register(actor=actor(request), **form.cleaned_data)
    except PermissionRefused:
        return render(request, "console/error.html", {"message": REFUSED}, status=403)
    except LastmileError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message[:1].upper() + exc.message[1:])
        return _page(request, form=form, status=status_of(exc))
    messages.success(request, f"Webhook added: {endpoint.url} gets its first events from now on. "
                              "Give its receiver the signing secret shown below.")
    return redirect("console:webhooks")


def _change(request, endpoint_id: int, active: bool):
    try:
        endpoint = services.endpoint_set_active(endpoint_id=endpoint_id, active=active, actor=actor(request))
    except PermissionRefused:
        return render(request, "console/error.html", {"message": REFUSED}, status=403)
    if active:
        messages.success(request, f"{endpoint.url} is on again: it gets the events from now on.")
    else:
        messages.success(request, f"{endpoint.url} is off: nothing is sent to it until it is turned on.")
    return redirect("console:webhooks")


@console_view
@require_POST
def disable(request, endpoint_id: int):
    return _change(request, endpoint_id, False)


@console_view
@require_POST
def enable(request, endpoint_id: int):
    return _change(request, endpoint_id, True)


@console_view
@require_http_methods(["GET", "POST"])
def delete(request, endpoint_id: int):
    """GET asks to confirm (how many deliveries go with it); POST deletes."""
    if not actor(request).can("webhook.manage"):
        return render(request, "console/error.html", {"message": REFUSED}, status=403)
    endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
    if endpoint is None:
        raise Http404(f"there is no webhook #{endpoint_id}")
    if request.method == "GET":
        return render(request, "webhooks/delete.html", {
            "endpoint": endpoint, "deliveries": endpoint.deliveries.count()})
    url = services.endpoint_delete(endpoint_id=endpoint_id, actor=actor(request))
    messages.success(request, f"Webhook {url} deleted, with its delivery log.")
    return redirect("console:webhooks")


@console_view
@require_GET
def delivery(request, delivery_id: int):
    """One delivery's attempts, each with its answer."""
    if not actor(request).can("webhook.manage"):
        return render(request, "console/error.html", {"message": REFUSED}, status=403)
    row = selectors.delivery_get(delivery_id=delivery_id)
    if row is None:
        raise Http404(f"there is no webhook delivery #{delivery_id}")
    return render(request, "webhooks/delivery.html", {
        "delivery": row, "attempts": selectors.attempts_of(delivery_id=delivery_id)})
