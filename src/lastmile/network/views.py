"""NET-3: the internal endpoint FreeRADIUS 3's rlm_rest calls (authorize, post-auth,
accounting). Not the staff login: a shared key (LASTMILE_RADIUS_API_KEY) as HTTP
basic password or the `X-Lastmile-Radius-Key` header; without a configured key the
endpoint is closed. Status codes are rlm_rest's: 200 with attributes (ok/updated),
401 reject, 204 nothing to add, 403 wrong key."""
from __future__ import annotations

import base64
import hmac
import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import radius


def _authorized(request) -> bool:
    key = radius.setting("LASTMILE_RADIUS_API_KEY")
    if not key:
        return False
    given = request.headers.get("X-Lastmile-Radius-Key", "")
    auth = request.headers.get("Authorization", "")
    if not given and auth.lower().startswith("basic "):
        try:
            given = base64.b64decode(auth[6:]).decode().split(":", 1)[1]
        except (ValueError, IndexError, UnicodeDecodeError):
            given = ""
    return bool(given) and hmac.compare_digest(given.encode(), key.encode())


def attributes(request) -> dict[str, str]:
    """rlm_rest's JSON body (`{"User-Name": {"type": ..., "value": [...]}}`) or a form
    post, as name -> first value."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        out = {}
        for name, item in (data.items() if isinstance(data, dict) else ()):
            value = item.get("value") if isinstance(item, dict) else item
            if isinstance(value, list):
                value = value[0] if value else ""
            out[name] = "" if value is None else str(value)
        return out
    return {k: v for k, v in request.POST.items()}


def _guard(view):
    @csrf_exempt
    @require_POST
    def wrapped(request, *args, **kwargs):
        if not _authorized(request):
            return JsonResponse({"reply:Reply-Message": "lastmile: wrong RADIUS API key"}, status=403)
        return view(request, attributes(request))

    wrapped.__name__ = view.__name__
    return wrapped


@_guard
def authorize(request, attrs):
    account = radius.account_for(attrs.get("User-Name", ""))
    result = radius.reply_for(account)
    if not result.accept:
        return JsonResponse({"reply:Reply-Message": {"op": ":=", "value": result.message}}, status=401)
    return JsonResponse(radius.rest_body(result))


@_guard
def post_auth(request, attrs):
    return HttpResponse(status=204)


@_guard
def accounting(request, attrs):
    from .coa import accounting_record

    accounting_record(attrs)
    return HttpResponse(status=204)
