"""A loopback stand-in for Stripe's API (never a real host): http.server on 127.0.0.1
in a thread, answering POST /v1/payment_intents in Stripe's documented shapes.

The payment method decides the answer, like Stripe's test PaymentMethods:
`pm_card_visa` succeeds, `pm_card_chargeDeclined` is a 402 card_declined error with
its PaymentIntent, `pm_card_slow` answers after the client has given up (a timeout).
Like Stripe's idempotency layer, the first answer for an Idempotency-Key is replayed
for every later request with that key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 1.2


def _form(body: str) -> dict:
    """Stripe's form encoding (metadata[account]=...) back to a nested dict."""
    out: dict = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
        if "[" in key:
            head, rest = key.split("[", 1)
            node = out.setdefault(head, {})
            parts = [p.rstrip("]") for p in rest.split("[")]
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        else:
            out[key] = value
    return out


def payment_intent(pi_id: str, params: dict, status: str, error: dict | None = None) -> dict:
    amount = int(params.get("amount", 0))
    return {
        "id": pi_id, "object": "payment_intent", "amount": amount,
        "amount_capturable": 0, "amount_received": amount if status == "succeeded" else 0,
        "capture_method": "automatic", "client_secret": f"{pi_id}_secret_test",
        "confirmation_method": "automatic", "created": int(time.time()),
        "currency": params.get("currency", "usd"), "customer": params.get("customer"),
        "description": params.get("description"), "last_payment_error": error,
        "latest_charge": f"ch_{pi_id[3:]}" if status == "succeeded" else None, "livemode": False,
        "metadata": params.get("metadata", {}), "payment_method": params.get("payment_method"),
        "payment_method_types": ["card"], "status": status,
    }


class FakeStripe:
    def __init__(self):
        self.requests: list[dict] = []
        self.saved: dict[str, tuple[int, dict]] = {}
        self.count = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = _form(body)
                key = self.headers.get("Idempotency-Key", "")
                with fake.lock:
                    fake.requests.append({"path": self.path, "params": params, "body": body,
                                          "headers": dict(self.headers)})
                status, payload = fake.answer(self.path, params, key)
                if status is None:  # the slow card: answer after the client gave up
                    time.sleep(SLOW_SECONDS)
                    status, payload = 200, payload
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    if key:
                        self.send_header("Idempotency-Key", key)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str, params: dict, key: str):
        if path != "/v1/payment_intents":
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL (POST: {path})"}}
        with self.lock:
            if key and key in self.saved:
                return self.saved[key]
            self.count += 1
            pi_id = f"pi_3Test{self.count:06d}"
        method = params.get("payment_method", "")
        if method == "pm_card_chargeDeclined":
            error = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
                     "message": "Your card was declined.", "doc_url": "https://docs.stripe.com/error-codes/card-declined"}
            answer = (402, {"error": {**error, "payment_intent": payment_intent(
                pi_id, params, "requires_payment_method", error)}})
        elif method == "pm_card_slow":
            answer = (None, payment_intent(pi_id, params, "succeeded"))
        else:
            answer = (200, payment_intent(pi_id, params, "succeeded"))
        with self.lock:
            if key and answer[0] is not None:
                self.saved[key] = answer
        return answer

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signed(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends: t=<time>,v1=HMAC-SHA256(secret, "t.payload")."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(kind: str, intent: dict, event_id: str = "evt_1Test") -> bytes:
    return json.dumps({
        "id": event_id, "object": "event", "api_version": "2024-06-20", "created": int(time.time()),
        "data": {"object": intent}, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": kind,
    }).encode()
