"""Text messages (NOT-1): an adapter per provider, chosen by `LASTMILE_SMS`.

`none` (the default) sends no texts at all, so nothing is queued; `twilio` posts to
Twilio's REST API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
form-encoded To/From/Body, basic auth AccountSid:AuthToken). The base URL is a
setting so that tests talk to a loopback server speaking the same protocol.

The outbox worker decides what a failure means: `SmsRejected` is Twilio refusing
this message for good (a 4xx with an error code, e.g. 21211 invalid number), so it
is failed, not retried; `SmsUnavailable` (5xx, 429, a timeout, a refused
connection) is retried with backoff like an email.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import re
import urllib.error
import urllib.parse
import urllib.request

# Twilio error codes that mean "this recipient does not want or cannot take texts"
UNSUBSCRIBED = 21610  # the number replied STOP
NOT_MOBILE = 21614  # not a mobile number


@dataclasses.dataclass(frozen=True)
class SmsResult:
    sid: str
    status: str


class SmsError(Exception):
    pass


class SmsRejected(SmsError):
    """The provider refused this message for good: retrying cannot help."""

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class SmsUnavailable(SmsError):
    """The provider could not be reached or failed on its side: try again later."""


def e164(number: str, *, country_code: str = "1") -> str:
    """The number as Twilio wants it: "801-555-0101" -> "+18015550101". A number that
    does not look like one is passed on as typed digits (Twilio says why: 21211)."""
    raw = (number or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        return f"+{digits}"
    if len(digits) == 10:
        return f"+{country_code}{digits}"
    if len(digits) == 11 and digits.startswith(country_code):
        return f"+{digits}"
    return f"+{digits}" if digits else raw


class NoSms:
    """`LASTMILE_SMS=none`: texts are off; nothing should ask this to send."""

    name = "none"
    enabled = False

    def send(self, *, to: str, body: str) -> SmsResult:
        raise SmsRejected("texts are turned off (LASTMILE_SMS=none)")


class TwilioSms:
    name = "twilio"
    enabled = True

    def __init__(self, *, account_sid: str, auth_token: str, from_: str,
                 base_url: str = "https://api.twilio.com", timeout: float = 10.0):
        missing = [name for name, value in (("LASTMILE_TWILIO_ACCOUNT_SID", account_sid),
                                            ("LASTMILE_TWILIO_AUTH_TOKEN", auth_token),
                                            ("LASTMILE_TWILIO_FROM", from_)) if not value]
        if missing:
            raise ValueError(f"LASTMILE_SMS=twilio needs {', '.join(missing)}")
        self.account_sid, self.auth_token, self.from_ = account_sid, auth_token, from_
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    @property
    def url(self) -> str:
        return f"{self.base_url}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"

    def send(self, *, to: str, body: str) -> SmsResult:
        data = urllib.parse.urlencode({"To": to, "From": self.from_, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Authorization": f"Basic {credentials}", "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "lastmile",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                payload = _json(response.read())
        except urllib.error.HTTPError as exc:
            payload = _json(exc.read())
            code = payload.get("code")
            message = payload.get("message") or exc.reason or "no message"
            what = f"Twilio {exc.code}" + (f", error {code}" if code else "") + f": {message}"
            if exc.code == 429 or exc.code >= 500:
                raise SmsUnavailable(what) from None
            raise SmsRejected(what, code=code, http_status=exc.code) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsUnavailable(f"Twilio could not be reached: {reason}") from None
        sid = payload.get("sid")
        if not sid:
            raise SmsUnavailable(f"Twilio answered without a message sid: {str(payload)[:200]}")
        status = payload.get("status") or "queued"
        if status in ("failed", "undelivered"):
            raise SmsRejected(f"Twilio {status} the message {sid}: {payload.get('error_message') or ''}".strip(),
                              code=payload.get("error_code"))
        return SmsResult(sid=sid, status=status)


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def get_sender():
    """The adapter `LASTMILE_SMS` names (Django settings, read on every call so a
    test's `settings` fixture takes effect)."""
    from django.conf import settings

    kind = (getattr(settings, "LASTMILE_SMS", "none") or "none").strip().lower()
    if kind == "none":
        return NoSms()
    if kind == "twilio":
        return TwilioSms(
            account_sid=getattr(settings, "LASTMILE_TWILIO_ACCOUNT_SID", ""),
            auth_token=getattr(settings, "LASTMILE_TWILIO_AUTH_TOKEN", ""),
            from_=getattr(settings, "LASTMILE_TWILIO_FROM", ""),
            base_url=getattr(settings, "LASTMILE_TWILIO_BASE_URL", "") or "https://api.twilio.com",
            timeout=float(getattr(settings, "LASTMILE_TWILIO_TIMEOUT", 10)),
        )
    raise ValueError(f"LASTMILE_SMS must be none or twilio, not {kind!r}")


def sms_enabled() -> bool:
    from django.conf import settings

    return (getattr(settings, "LASTMILE_SMS", "none") or "none").strip().lower() != "none"
