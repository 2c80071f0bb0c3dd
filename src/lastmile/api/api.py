"""The REST API, `/api/v1/` (architecture.md "Interfaces").

Every operation needs a token (`Authorization: Bearer <key>`, 401 otherwise); the
actor is the token's user, and the services check what it may do. Refusals keep
the sentence the service wrote:

    InvalidInput -> 422   RuleRefusal -> 409   PermissionRefused -> 403   NotFound -> 404

each as {"detail": sentence, "field": name}.
"""
from __future__ import annotations

from ninja import NinjaAPI

from lastmile.core.errors import (
    InvalidInput,
    LastmileError,
    NotFound,
    PermissionRefused,
    RuleRefusal,
)

from . import accounts, billing, cancellations, delinquency, network, operations, plans, tickets
from .auth import TokenAuth, docs_guard

STATUS = {InvalidInput: 422, RuleRefusal: 409, PermissionRefused: 403, NotFound: 404}

api = NinjaAPI(
    title="lastmile API",
    version="1",
    description=(
        "The back office of a small ISP: accounts, billing, tickets and the agents' procedures. "
        "Authenticate with `Authorization: Bearer <token>`; money is a string with two decimals."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_decorator=docs_guard,
)


def _refusal(request, exc: LastmileError):
    status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=status)


api.add_exception_handler(LastmileError, _refusal)

for module in (accounts, billing, tickets, plans, cancellations, delinquency, network, operations):
    api.add_router("/", module.router)

