"""NET-3: what RADIUS says about a subscriber, for FreeRADIUS's rlm_rest and for CoA.

One function, `reply_for(account)`, decides the reply, so the authorization that
FreeRADIUS asks for and the CoA lastmile pushes can never disagree:

- `active` (and the other serving statuses): the package's rate limit, a framed
  address or pool, and the status in `Class`;
- `suspended` / `not_active`: the walled garden (DLQ-8) - the configured address
  list and the captive page pointing at the portal's "call us" view;
- `uninstall` / `cancelled`: rejected.

Settings (Django settings, each overridable by the environment variable of the same
name): LASTMILE_RADIUS_API_KEY (the rlm_rest shared key; empty = endpoint closed),
LASTMILE_RADIUS_WALLED_GARDEN (`Attribute=value;...`, default
`Mikrotik-Address-List=lastmile_suspended`), LASTMILE_RADIUS_CAPTIVE_URL (default
`/portal/`, made absolute with LASTMILE_PORTAL_BASE_URL when set),
LASTMILE_RADIUS_CAPTIVE_ATTRIBUTE (default `WISPr-Redirection-URL`),
LASTMILE_RADIUS_DEFAULT_RATE (default `10M/10M`), LASTMILE_RADIUS_DEFAULT_POOL
(default `lastmile_pool`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from django.conf import settings as django_settings

from lastmile.core.choices import AccountStatus

WALLED = (AccountStatus.SUSPENDED, AccountStatus.NOT_ACTIVE)
REJECTED = ("uninstall", "cancelled")
DEFAULTS = {
    "LASTMILE_RADIUS_API_KEY": "",
    "LASTMILE_RADIUS_WALLED_GARDEN": "Mikrotik-Address-List=lastmile_suspended",
    "LASTMILE_RADIUS_CAPTIVE_URL": "/portal/",
    "LASTMILE_RADIUS_CAPTIVE_ATTRIBUTE": "WISPr-Redirection-URL",
    "LASTMILE_PORTAL_BASE_URL": "",
    "LASTMILE_RADIUS_DEFAULT_RATE": "10M/10M",
    "LASTMILE_RADIUS_DEFAULT_POOL": "lastmile_pool",
    "LASTMILE_COA_TIMEOUT": "2",
    "LASTMILE_COA_RETRIES": "2",
    "LASTMILE_COA_CONCURRENCY": "64",
}


def setting(name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        value = getattr(django_settings, name, DEFAULTS[name])
    return str(value)


@dataclass
class Reply:
    """`accept` False is a reject; `reply` are the attributes for the NAS; `control`
    what FreeRADIUS itself needs (the password to check)."""

    accept: bool
    status: str
    reply: dict[str, str] = field(default_factory=dict)
    control: dict[str, str] = field(default_factory=dict)
    walled: bool = False
    message: str = ""

    def applied(self, account) -> str:
        return f"{self.status}:{account.package_id}"


def username_of(account) -> str:
    sub = getattr(account, "radius", None) if _has_subscriber(account) else None
    return sub.radius_username if sub else account.number


def _has_subscriber(account) -> bool:
    try:
        return account.radius is not None
    except Exception:  # RelatedObjectDoesNotExist
        return False


def account_for(username: str):
    """The account a RADIUS username names: a Subscriber's `radius_username`, else the
    account number itself."""
    from lastmile.accounts.models import Account

    from .models import Subscriber

    username = (username or "").strip()
    if not username:
        return None
    sub = Subscriber.objects.select_related("account", "account__package").filter(radius_username=username).first()
    if sub:
        return sub.account
    return Account.objects.select_related("package").filter(number=username).first()


def _rate_of(package) -> tuple[str, str, str]:
    """(attribute, rate limit, pool) of a package: its profile, else its name's speed."""

    profile = _profiles().get(package.code)
    attribute = (profile.rate_limit_attribute if profile else "") or "Mikrotik-Rate-Limit"
    rate = profile.rate_limit if profile and profile.rate_limit else ""
    if not rate:
        speed = re.search(r"(\d+)\s*([MG])", f"{package.name} {package.code}", re.IGNORECASE)
        rate = f"{speed.group(1)}{speed.group(2).upper()}/{speed.group(1)}{speed.group(2).upper()}" if speed \
            else setting("LASTMILE_RADIUS_DEFAULT_RATE")
    pool = (profile.framed_pool if profile else "") or setting("LASTMILE_RADIUS_DEFAULT_POOL")
    return attribute, rate, pool


_profile_cache: dict = {"at": 0.0, "rows": {}}


def _profiles() -> dict:
    """Package profiles, re-read at most every 5 s (a burst asks thousands of times)."""
    import time

    from .models import PackageRadiusProfile

    if time.monotonic() - _profile_cache["at"] > 5:
        _profile_cache["rows"] = {p.package_code: p for p in PackageRadiusProfile.objects.all()}
        _profile_cache["at"] = time.monotonic()
    return _profile_cache["rows"]


def profiles_changed(**_) -> None:
    """A profile saved or deleted (the admin): the next reply reads the new rate."""
    _profile_cache["at"] = 0.0


def walled_garden() -> dict[str, str]:
    pairs = {}
    for part in setting("LASTMILE_RADIUS_WALLED_GARDEN").split(";"):
        if "=" in part:
            name, value = part.split("=", 1)
            pairs[name.strip()] = value.strip()
    url = setting("LASTMILE_RADIUS_CAPTIVE_URL")
    base = setting("LASTMILE_PORTAL_BASE_URL").rstrip("/")
    if url:
        pairs[setting("LASTMILE_RADIUS_CAPTIVE_ATTRIBUTE")] = f"{base}{url}" if url.startswith("/") else url
    return pairs


def reply_for(account) -> Reply:
    if account is None:
        return Reply(False, "", message="unknown subscriber")
    status = str(account.status)
    number = account.number
    if status in REJECTED:
        return Reply(False, status, message=f"account {number} is {status}")
    sub = account.radius if _has_subscriber(account) else None
    control = {}
    if sub and sub.radius_password:
        control["Cleartext-Password"] = sub.radius_password
    else:
        control["Auth-Type"] = "Accept"
    klass = {"Class": f"lastmile:{number}:{status}"}
    if status in WALLED:
        return Reply(True, status, {**walled_garden(), **klass}, control, walled=True,
                     message=f"account {number} is {status}: walled garden")
    attribute, rate, pool = _rate_of(account.package)
    reply = {attribute: rate}
    if sub and sub.framed_address:
        reply["Framed-IP-Address"] = sub.framed_address
    else:
        reply["Framed-Pool"] = (sub.framed_pool if sub and sub.framed_pool else "") or pool
    return Reply(True, status, {**reply, **klass}, control)


def rest_body(result: Reply) -> dict:
    """rlm_rest's JSON response: `list:Attribute` keys, `:=` values."""
    body = {f"reply:{k}": {"op": ":=", "value": v} for k, v in result.reply.items()}
    body.update({f"control:{k}": {"op": ":=", "value": v} for k, v in result.control.items()})
    return body
