"""The webhook wire protocol, with no Django import: what a receiver needs to
check a delivery (docs/webhooks.md) and when a failed one is tried again.

A delivery is a POST of a JSON body with the headers

    Lastmile-Event-Id: <uuid, the same on every retry and to every endpoint>
    Lastmile-Event-Type: <the timeline type, e.g. payment.posted>
    Lastmile-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>

as Stripe signs its own, so receivers can reuse what they know: the timestamp is
inside the signed text, so a captured request replayed later fails the tolerance.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
import uuid

SIGNATURE_HEADER = "Lastmile-Signature"
EVENT_ID_HEADER = "Lastmile-Event-Id"
EVENT_TYPE_HEADER = "Lastmile-Event-Type"
DEFAULT_TOLERANCE = 300  # seconds a receiver accepts between our timestamp and its clock

# every event id is a UUIDv5 of the timeline entry in this namespace: stable across
# retries and endpoints, so a receiver keeps the ids it has seen and drops repeats
EVENT_NAMESPACE = uuid.UUID("6c1f2a8e-5b0d-4c4e-9a57-3f1e0b7d9a11")

FIRST_DELAY = dt.timedelta(minutes=1)  # after the first failure; doubled after each next one
MAX_DELAY = dt.timedelta(hours=4)
RETRY_WINDOW = dt.timedelta(hours=24)  # from the first attempt; after it the delivery is failed


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def event_id(entry_id: int) -> uuid.UUID:
    return uuid.uuid5(EVENT_NAMESPACE, f"timeline:{entry_id}")


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<body>` under the endpoint's secret."""
    signed = str(int(timestamp)).encode() + b"." + _as_bytes(body)
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes | str) -> str:
    return f"t={int(timestamp)},v1={sign(secret, timestamp, body)}"


def verify_signature(secret: str, header: str, body: bytes | str, tolerance: int = DEFAULT_TOLERANCE,
                     *, now: float | None = None) -> bool:
    """True when `header` (the Lastmile-Signature value) signs exactly `body` (the raw
    request body, before any JSON parsing) with `secret`, and its timestamp is within
    `tolerance` seconds of `now` (default: this machine's clock). Several v1= values
    are accepted (one of them must match), so a rotated secret can be signed twice."""
    if not header or not secret:
        return False
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    now = time.time() if now is None else now
    if tolerance and abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in signatures)


def retry_at(*, first_attempt: dt.datetime, attempts: int, now: dt.datetime,
             window: dt.timedelta = RETRY_WINDOW) -> dt.datetime | None:
    """When to try again after `attempts` failed tries, or None to give up.

    1, 2, 4, 8 ... minutes (at most 4 hours apart) until 24 hours after the first
    attempt; the last retry is moved to the end of the window, not past it.
    """
    deadline = first_attempt + window
    if now >= deadline:
        return None
    delay = min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    return min(now + delay, deadline)


def matches(event_types: list[str], type_: str) -> bool:
    """An endpoint's list names types exactly, or `*` for every type, or `payment.*`
    for every type of that family."""
    for wanted in event_types:
        if wanted == "*" or wanted == type_:
            return True
        if wanted.endswith(".*") and type_.startswith(wanted[:-1]):
            return True
    return False
