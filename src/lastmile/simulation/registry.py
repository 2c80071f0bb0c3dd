"""The scenario vocabulary: each verb (`do:`) with its fields, and the account keys
that other contexts handle (`contract`, ...).

A verb's fields are checked for kind when the file loads (an unknown field or a bad
date rejects the file); their values are checked by the services when the event runs,
where a refusal becomes `action.refused`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# every verb of scenarios.md; a verb without a handler yet is refused at load
ALL_VERBS = (
    "payment", "call_outcome", "customer_called", "change_plan", "start_trial", "revert_trial",
    "resolve_ticket", "request_cancellation", "equipment_returned", "pickup_failed",
    "payment_arrangement", "payment_claim", "enable_autopay", "waive_fee", "noc_confirm",
)

# field kinds
DATE, MONEY, BOOL, TEXT, INSTALLMENTS, ANY = "date", "money", "bool", "text", "installments", "any"


@dataclass(frozen=True)
class Verb:
    name: str
    handler: Callable
    fields: dict[str, str] = field(default_factory=dict)


_verbs: dict[str, Verb] = {}


def verb(name: str, **fields: str):
    """Register the handler of `do: name`: handler(ctx, account, actor, **fields)."""
    if name not in ALL_VERBS:
        raise ValueError(f"{name!r} is not a verb of scenarios.md")

    def register(fn):
        _verbs[name] = Verb(name, fn, fields)
        return fn

    return register


def get_verb(name: str) -> Verb | None:
    _load_all()
    return _verbs.get(name)


@dataclass(frozen=True)
class AccountKey:
    """An account key handled by another context: check(value, line) -> parsed value,
    apply(ctx, account, parsed) after the account exists."""

    name: str
    check: Callable
    apply: Callable


_account_keys: dict[str, AccountKey] = {}


def account_key(name: str, check: Callable):
    def register(apply):
        _account_keys[name] = AccountKey(name, check, apply)
        return apply

    return register


def account_keys() -> dict[str, AccountKey]:
    _load_all()
    return _account_keys


_loaded = False


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    import importlib
    import pkgutil

    from . import verbs

    for module in pkgutil.iter_modules(verbs.__path__):
        importlib.import_module(f"{verbs.__name__}.{module.name}")
    _loaded = True
