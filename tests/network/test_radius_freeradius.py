"""NET-3 against a real FreeRADIUS 3 (Debian's freeradius + freeradius-rest): rlm_rest
asks lastmile's live server; radclient authenticates; the reply follows the account
from active (rate limit) to shut off (walled garden) and, paid, back (DLQ-7, DLQ-8).

Skipped, with the reason, when `freeradius`/`radiusd` or `radclient` is missing
(scripts/test.sh installs them). The live server needs committed data and a flush
afterwards; on SQLite the insert-only triggers are lifted for this module only, as
in tests/e2e/conftest.py."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from lastmile.core.actors import automation

RADIUSD = shutil.which("freeradius") or shutil.which("radiusd")
RADCLIENT = shutil.which("radclient")
KEY = "radius-test-key"
BOT = automation("test step")
pytestmark = [
    pytest.mark.skipif(not (RADIUSD and RADCLIENT), reason="freeradius and radclient are not installed "
                       "(apt-get install freeradius freeradius-utils freeradius-rest)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module", autouse=True)
def _insert_only_triggers_lifted(django_db_setup, django_db_blocker):
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND (name LIKE '%\\_no\\_update' ESCAPE '\\' OR name LIKE '%\\_no\\_delete' ESCAPE '\\')")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _section(name: str, url: str) -> str:
    return f"""	{name} {{
		uri = "{url}"
		method = 'post'
		body = 'json'
		auth = 'basic'
		username = "freeradius"
		password = "{KEY}"
		require_auth = yes
	}}
"""


def write_config(tmp, base_url: str, auth_port: int) -> None:
    """A complete FreeRADIUS 3 configuration in `tmp` (the site docs/network.md shows)."""
    (tmp / "dictionary").write_text("")
    rest = (f"rest {{\n\tconnect_uri = \"{base_url}\"\n"
            + _section("authorize", f"{base_url}/internal/radius/authorize")
            + _section("post-auth", f"{base_url}/internal/radius/post-auth")
            + _section("accounting", f"{base_url}/internal/radius/accounting")
            + "\tpool {\n\t\tstart = 1\n\t\tmin = 1\n\t\tmax = 4\n\t\tspare = 1\n\t\tuses = 0\n"
              "\t\tretry_delay = 1\n\t\tlifetime = 0\n\t\tidle_timeout = 60\n\t}\n}\n")
    (tmp / "radiusd.conf").write_text(_conf(tmp, rest, auth_port))


def _conf(tmp, rest, auth_port) -> str:
    return f"""
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = {tmp}
raddbdir = {tmp}
radacctdir = {tmp}
name = freeradius
confdir = {tmp}
modconfdir = {tmp}
certdir = {tmp}
cadir = {tmp}
run_dir = {tmp}
db_dir = {tmp}
libdir = /usr/lib/freeradius
pidfile = {tmp}/radiusd.pid
max_request_time = 30
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
log {{
	destination = stdout
	auth = yes
}}
security {{
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}}
thread pool {{
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 3
	max_requests_per_server = 0
}}
client localhost {{
	ipaddr = 127.0.0.1
	secret = testing123
}}
modules {{
{rest}
}}
server lastmile {{
	listen {{
		type = auth
		ipaddr = 127.0.0.1
		port = {auth_port}
	}}
	listen {{
		type = acct
		ipaddr = 127.0.0.1
		port = {auth_port + 1}
	}}
	authorize {{
		rest
	}}
	authenticate {{
	}}
	post-auth {{
		rest
	}}
	accounting {{
		rest
	}}
}}
"""


def radclient(port: int, kind: str, attrs: str) -> tuple[int, str]:
    done = subprocess.run([RADCLIENT, "-x", "-r", "1", "-t", "5", f"127.0.0.1:{port}", kind, "testing123"],
                          input=attrs, capture_output=True, text=True, timeout=30)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def freeradius(live_server, tmp_path, monkeypatch):
    monkeypatch.setenv("LASTMILE_RADIUS_API_KEY", KEY)
    port = _free_port()
    write_config(tmp_path, live_server.url, port)
    cmd = [RADIUSD, "-X", "-f", "-l", "stdout", "-d", str(tmp_path), "-n", "radiusd"]
    log = open(tmp_path / "radiusd.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(50):
            if "Ready to process requests" in (tmp_path / "radiusd.log").read_text():
                break
            if proc.poll() is not None:
                pytest.fail("FreeRADIUS did not start:\n" + (tmp_path / "radiusd.log").read_text()[-3000:])
            time.sleep(0.2)
        yield port, tmp_path / "radiusd.log"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_net3_freeradius_active_walled_garden_and_back(freeradius, today, catalog):
    from lastmile.billing.selectors import balance
    from lastmile.billing.services.ledger import payment_post
    from lastmile.core.choices import AccountStatus
    from lastmile.network.coa import coa_deliver
    from lastmile.network.loopback import LoopbackNas
    from lastmile.network.models import NasDevice
    from lastmile.network.services import service_restore, service_shut_off
    from tests.mixins import make_account

    port, log = freeradius
    account = make_account(network="wireless")
    auth = f'User-Name = "{account.number}"\nUser-Password = "x"\n'
    code, out = radclient(port, "auth", auth)
    assert "Access-Accept" in out, out + log.read_text()[-3000:]
    assert "Mikrotik-Rate-Limit" in out and "Mikrotik-Address-List" not in out

    with LoopbackNas() as nas:
        NasDevice.objects.create(name="tower", address="127.0.0.1", secret="nas-secret", coa_port=nas.port)
        code, out = radclient(port + 1, "acct", f'User-Name = "{account.number}"\nAcct-Status-Type = Start\n'
                              'NAS-IP-Address = 127.0.0.1\nAcct-Session-Id = "S77"\n')
        assert "Accounting-Response" in out, out
        assert account.radius.session_id == "S77"

        service_shut_off(account=account, operation="disconnect", actor=BOT, key="off:1")
        coa_deliver(timeout=0.5, retries=1)
        account.refresh_from_db()
        assert account.status == AccountStatus.NOT_ACTIVE
        code, out = radclient(port, "auth", auth)
        assert "Access-Accept" in out and "lastmile_suspended" in out and "Mikrotik-Rate-Limit" not in out

        owed = balance(account=account)
        if owed > 0:
            payment_post(account=account, amount=owed, method="cash", actor=BOT, key="pay:1")
        service_restore(account=account, actor=BOT, key="on:1")  # what DLQ-7 does once paid
        coa_deliver(timeout=0.5, retries=1)
        account.refresh_from_db()
        assert account.status == AccountStatus.ACTIVE
    code, out = radclient(port, "auth", auth)
    assert "Mikrotik-Rate-Limit" in out and "lastmile_suspended" not in out
