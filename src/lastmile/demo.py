"""`lastmile demo`: a demo ISP in SQLite with a few hundred realistic accounts on both
networks and two months of history made by the real day run (statements, autopay,
payments, delinquency), so every screen has something to show.

Everything is generated from a fixed seed; nothing reaches outside the machine
(emails go to example.test addresses and stay in the outbox).
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from lastmile.accounts.models import Account
from lastmile.accounts.services import account_create, autopay_enable, card_add
from lastmile.billing.selectors import balance
from lastmile.billing.services import payment_post
from lastmile.catalog.models import Package
from lastmile.catalog.services import catalog_load
from lastmile.core import clock, ispconfig
from lastmile.core.actors import superuser
from lastmile.core.choices import Role
from lastmile.core.dayrun import run_day
from lastmile.simulation.state import simulation

FIRST = ("Ana", "Bo", "Carmen", "Dale", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jared", "Kalani",
         "Liam", "Maya", "Nils", "Olivia", "Parker", "Quinn", "Rosa", "Sione", "Tess", "Uma", "Victor",
         "Wren", "Xavier", "Yara", "Zane", "McKay", "Brigham", "Emma", "Noah")
LAST = ("Lopez", "Chen", "Smith", "Jensen", "Nielsen", "Tuatonga", "Hansen", "Larsen", "Peterson",
        "Garcia", "Young", "Christensen", "Anderson", "Fonua", "Nguyen", "Olsen", "Taylor", "Allred",
        "Bingham", "Call", "Daines", "Ellsworth", "Fifita", "Gardner", "Hatch")
STREETS = ("Elm St", "Oak Ave", "Center St", "State St", "University Ave", "Canyon Rd", "Main St",
           "Geneva Rd", "Sandhill Rd", "Cherry Ln", "Cascade Dr", "Timpanogos Pkwy")
UTOPIA_CITIES = (("Orem", "84057"), ("Layton", "84041"), ("West Valley City", "84119"),
                 ("Murray", "84107"), ("Brigham City", "84302"), ("Tremonton", "84337"))
WIRELESS_CITIES = (("Provo", "84601"), ("Spanish Fork", "84660"), ("Payson", "84651"),
                   ("Eagle Mountain", "84005"), ("Santaquin", "84655"), ("Heber City", "84032"))


DEMO_ROLES = ("agent", "billing", "manager", "admin", "noc")


def _ensure_users() -> tuple[str, str]:
    """The superuser `admin`, and one user per role (demo-agent, demo-noc ...) with the
    same password, so each procedure can be tried by the role that does it."""
    User = get_user_model()
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    password = secrets.token_urlsafe(9)
    admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.test"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    for role in DEMO_ROLES:
        user, _ = User.objects.get_or_create(username=f"demo-{role}")
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return "admin", password


def _open_work(made: list[Account], rng: random.Random) -> None:
    """Today's work waiting on people, one of each kind, made by the same services an
    agent would use: a Premium availability check, a UTOPIA admin's plan change and
    cancellation, a contract lookup, an unsuspend the NOC has not confirmed, and an
    arrangement an agent proposed for a manager to approve."""
    from lastmile.cancellations.services import cancellation_request, contract_status_set
    from lastmile.core.actors import with_role
    from lastmile.core.choices import AccountStatus
    from lastmile.delinquency.services import arrangement_propose
    from lastmile.plans.services import plan_change_request

    agent = superuser("demo-agent")
    today = clock.today()
    active = [a for a in made if a.status == AccountStatus.ACTIVE]
    wireless = [a for a in active if a.network == "wireless"]
    utopia = [a for a in active if a.network == "utopia"]
    unknown = next((a for a in wireless if a.package.code != "premium"
                    and a.address.premium_available == "unknown"), None)
    if unknown is not None:
        plan_change_request(account=unknown, to="premium", actor=agent, reason="working from home",
                            consent="verbal_recorded", consent_reference="demo call", identity_verified=True)
    change = next((a for a in utopia if a.package.code == "basic"), None)
    if change is not None:
        plan_change_request(account=change, to="classic", actor=agent, reason="more speed",
                            consent="written", consent_reference="demo form", identity_verified=True)
    leaving = [a for a in utopia if a is not change][:1]
    for account in leaving:
        cancellation_request(account=account, last_day=today + dt.timedelta(days=40), reason="moving away",
                             actor=agent)
    lookup = [a for a in wireless if a is not unknown][:1]
    for account in lookup:
        contract_status_set(account=account, status="unknown", actor=agent, reason="migrated without papers")
        cancellation_request(account=account, last_day=today + dt.timedelta(days=35),
                             reason="switching providers", actor=agent)
    suspended = [a for a in made if a.network == "utopia" and a.status == AccountStatus.SUSPENDED]
    for account in suspended[:1]:
        payment_post(account=account, amount=balance(account=account), method="phone",
                     actor=superuser("demo-agent"))
    behind = [a for a in made if a.status in (AccountStatus.DELINQUENT, AccountStatus.SUSPENDED,
                                              AccountStatus.NOT_ACTIVE) and a not in suspended[:1]]
    for account in behind[1:4]:
        # calls due today in the agents' queue: the case's reminder call (DLQ-3)
        from lastmile.accounts.selectors import phone_numbers
        from lastmile.tickets.services import call_tasks_create

        call_tasks_create(account=account, phones=phone_numbers(account=account)[:1],
                          purpose="Past due: please call billing to keep your service on",
                          batch=f"demo-reminder:{today.isoformat()}:{account.pk}", actor="automation: demo")
    for account in behind[:1]:
        # an agent's proposal waits in the manager's approval queue (DLQ-4)
        owed = balance(account=account)
        first = (owed / 2).quantize(Decimal("0.01"))
        arrangement_propose(account=account, actor=with_role("agent", "demo-agent"), installments=[
            {"on": today + dt.timedelta(days=7), "amount": first},
            {"on": today + dt.timedelta(days=21), "amount": owed - first}])


def _make_accounts(n: int, start: dt.date, rng: random.Random) -> list[Account]:
    packages = {p.code: p for p in Package.objects.all()}
    actor = superuser("demo set-up")
    made = []
    for i in range(n):
        utopia = i % 5 < 2  # 40% UTOPIA, 60% wireless
        city, postal = rng.choice(UTOPIA_CITIES if utopia else WIRELESS_CITIES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        plan = rng.choices(("basic", "classic", "premium"), weights=(3, 5, 2))[0]
        number = rng.randint(100, 9999)
        account = account_create(
            name=f"{first} {last}", kind="commercial" if rng.random() < 0.06 else "residential",
            network="utopia" if utopia else "wireless", package=packages[plan],
            address={"line1": f"{number} {rng.choice(STREETS)}", "city": city, "state": "UT",
                     "postal_code": postal, "address_id": f"UT-{20000 + i}" if utopia else ""},
            phones=[f"801-555-{rng.randint(1000, 9999)}" for _ in range(rng.choice((1, 1, 2)))],
            emails=[f"{first.lower()}.{last.lower()}{i}@example.test"],
            service_start=start - dt.timedelta(days=rng.randint(40, 1500)),
            premium_available=rng.choice(("yes", "no", "unknown")),
            actor=actor,
        )
        if rng.random() < 0.3:
            card_add(account=account, token=f"tok_demo_{i}", last4=f"{rng.randint(0, 9999):04d}",
                     brand="visa", actor=actor)
            autopay_enable(account=account, actor=actor)
        made.append(account)
    return made


def build_demo(*, accounts: int = 300, seed: int = 2026) -> dict:
    """Create (once) and bring up to date the demo ISP; returns how to log in."""
    rng = random.Random(seed)
    today = clock.today()
    username, password = _ensure_users()
    from lastmile.api.services import api_token_create

    token = api_token_create(user=get_user_model().objects.get(username=username))
    if not Account.objects.exists():
        history_start = (today.replace(day=1) - dt.timedelta(days=45)).replace(day=1)
        fixed = clock.FixedClock(history_start, hour=6)
        # the history is made with a NOC that answers (the simulated network); from
        # now on the live adapters apply
        with clock.use_clock(fixed), simulation(), ispconfig.override(noc_auto_confirm=True):
            with transaction.atomic():
                catalog_load()
                made = _make_accounts(accounts, history_start, rng)
            never_pays = {a.pk for a in made if rng.random() < 0.08}
            # at least one UTOPIA customer is shut off, so the NOC desk has an unsuspend to confirm
            never_pays.add(next(a.pk for a in made if a.network == "utopia"))
            payer = superuser("demo payments")
            day = history_start
            while day <= today:
                fixed.set_day(day, hour=6)
                run_day(day)
                fixed.set_day(day, hour=10)
                if 2 <= day.day <= 12:
                    for account in made:
                        if account.pk in never_pays or account.autopay or rng.random() > 0.25:
                            continue
                        owed = balance(account=account)
                        if owed > Decimal("0"):
                            payment_post(account=account, amount=owed, actor=payer,
                                         method=rng.choice(("phone", "check", "bill_pay", "cash")))
                day += dt.timedelta(days=1)
        # today, with the live adapters: the NOC's answers wait for the NOC desk
        for account in made:
            account.refresh_from_db()
        with transaction.atomic():
            _open_work(made, rng)
    return {
        "accounts": Account.objects.count(),
        "database": str(settings.DATABASES["default"]["NAME"]),
        "username": username,
        "password": password,
        "token": token,
        "users": [f"demo-{role}" for role in DEMO_ROLES],
    }
