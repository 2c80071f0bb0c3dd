"""A loopback HTTP server speaking Twilio's Messages API, for the SMS adapter's tests.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded To/From/Body,
HTTP basic auth AccountSid:AuthToken. It answers as Twilio documents: 201 with the
message resource (sid, status "queued", ...), and errors as
`{"code": ..., "message": ..., "more_info": ..., "status": ...}`. Numbers pick the
behaviour, so one server serves every case:
  +15005550001  invalid number: 400, code 21211 (Twilio's own magic test number)
  +15005550009  replied STOP: 400, code 21610
  +18015550500  fails with 500 `fail_times` times, then accepts
  +18015550777  answers after `slow_seconds` (a timeout for the client)
"""
from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INVALID = "+15005550001"
STOPPED = "+15005550009"
FLAKY = "+18015550500"
SLOW = "+18015550777"


class TwilioLoopback:
    def __init__(self, *, account_sid="AC0123456789abcdef0123456789abcdef", auth_token="secret-token",
                 fail_times=2, slow_seconds=1.5):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.fail_times, self.slow_seconds = fail_times, slow_seconds
        self.requests: list[dict] = []
        self.accepted: list[dict] = []
        self._flaky_seen = 0
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def _answer(self, status: int, payload: dict):
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _error(self, status: int, code: int, message: str):
                self._answer(status, {"code": code, "message": message, "status": status,
                                      "more_info": f"https://www.twilio.com/docs/errors/{code}"})

            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
                loopback.requests.append({"path": self.path, "form": form,
                                          "auth": self.headers.get("Authorization", "")})
                expected = f"/2010-04-01/Accounts/{loopback.account_sid}/Messages.json"
                if self.path != expected:
                    return self._error(404, 20404, f"The requested resource {self.path} was not found")
                credentials = base64.b64encode(f"{loopback.account_sid}:{loopback.auth_token}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {credentials}":
                    return self._error(401, 20003, "Authenticate")
                to = form.get("To", "")
                if not form.get("Body") or not form.get("From"):
                    return self._error(400, 21602, "Message body is required.")
                if to == INVALID:
                    return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
                if to == STOPPED:
                    return self._error(400, 21610, "Attempt to send to unsubscribed recipient")
                if to == FLAKY:
                    loopback._flaky_seen += 1
                    if loopback._flaky_seen <= loopback.fail_times:
                        return self._error(500, 20500, "Internal Server Error")
                if to == SLOW:
                    time.sleep(loopback.slow_seconds)
                sid = f"SM{len(loopback.accepted):032x}"
                loopback.accepted.append(form)
                self._answer(201, {
                    "sid": sid, "account_sid": loopback.account_sid, "to": to, "from": form["From"],
                    "body": form["Body"], "status": "queued", "num_segments": "1", "direction": "outbound-api",
                    "error_code": None, "error_message": None, "price": None,
                    "uri": f"/2010-04-01/Accounts/{loopback.account_sid}/Messages/{sid}.json",
                })

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
