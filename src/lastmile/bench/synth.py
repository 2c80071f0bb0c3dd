"""A synthetic ISP for the benchmark (issue 6), built in bulk.

60% fixed wireless, 40% UTOPIA fiber; 10% never pay; 2% changed package in the
middle of the previous month (so the bill run carries a BIL-2 proration line);
about a third pay by autopay (BIL-5). Names, addresses and phones come from a
seeded random, so two runs build the same ISP and nothing touches the network.

Every account already had last month's statement and paid it: the bench month
starts from a clean, realistic ledger (a charge, a statement and a payment per
account), which is also what the bill run has to read past.

Creating 100,000 accounts through `account_create` would time the wrong thing; the
rows are written with `bulk_create` a chunk at a time instead.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction

from lastmile.accounts.models import Account, Email, PaymentCard, Phone, ServiceAddress
from lastmile.billing.choices import ChargeKind, EntryType, PaymentMethod
from lastmile.billing.cycle import period_containing
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.billing.proration import change_proration
from lastmile.catalog.models import Package
from lastmile.catalog.services import catalog_load
from lastmile.core import bulk
from lastmile.core.choices import AccountKind, AccountStatus, Network
from lastmile.core.models import TimelineEntry

SEED = 20260901
CHUNK = 5000

FIRST = (
    "Ana Ben Carla Dallin Emma Frank Gabriela Hyrum Isabel Jared Kaylee Liam Madison Nephi "
    "Olivia Parker Quinn Rosa Spencer Tanner Uma Victor Whitney Xavier Yesenia Zane Brigham "
    "McKay Ashlyn Bryce Camille Derek Eliza Joseph Hannah Kimball Lucia Mateo Noah Sofia "
    "Tyler Aubrey Brooklyn Chase Daniela Ethan Felipe Grace Jonas Ingrid"
).split()
LAST = (
    "Lopez Smith Johnson Jensen Christensen Larsen Nielsen Anderson Petersen Hansen "
    "Martinez Garcia Young Allen Hall Taylor Thomas Wright Clark Walker Harris Lewis "
    "Robinson Nguyen Rodriguez Hernandez Moore Jackson Martin Thompson White Baker "
    "Nelson Carter Mitchell Roberts Turner Phillips Campbell Evans Edwards Collins "
    "Stewart Morris Sorensen Olsen Rasmussen Madsen Barlow Pratt Kimball Snow"
).split()
STREETS = (
    "Elm Center Main State University Canyon Orchard Willow Cedar Aspen Sage Maple "
    "Sunset Ridge Valley Mill Cherry Juniper Pioneer Temple Heritage Bridger Wasatch"
).split()
SUFFIXES = ("St", "Ave", "Dr", "Ln", "Way", "Cir", "Ct", "Blvd")
# (city, ZIP, area code); UTOPIA serves the first eight
CITIES = (
    ("Orem", "84057", "801"), ("Layton", "84041", "801"), ("Murray", "84107", "801"),
    ("West Valley City", "84119", "801"), ("Midvale", "84047", "801"),
    ("Brigham City", "84302", "435"), ("Centerville", "84014", "801"),
    ("Tremonton", "84337", "435"), ("Heber City", "84032", "435"), ("Tooele", "84074", "435"),
    ("Spanish Fork", "84660", "801"), ("Payson", "84651", "801"), ("Eagle Mountain", "84005", "385"),
    ("Kamas", "84036", "435"), ("Morgan", "84050", "801"), ("Nephi", "84648", "435"),
)
UTOPIA_CITIES = CITIES[:8]


@dataclass
class Isp:
    """What the bench needs to know about the ISP it built."""

    account_ids: list[int]
    never_pay: set[int] = field(default_factory=set)
    autopay: set[int] = field(default_factory=set)
    changed_package: set[int] = field(default_factory=set)
    network: dict[int, str] = field(default_factory=dict)

    @property
    def payers_by_hand(self) -> list[int]:
        """Accounts that pay by phone, check or bill pay: not autopay, not never-pay."""
        return [pk for pk in self.account_ids if pk not in self.never_pay and pk not in self.autopay]


def _phone(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(200, 989)}-{rng.randint(0, 9999):04d}"


def build(n: int, *, month: dt.date, seed: int = SEED, number_base: int = 500000) -> Isp:
    """Create `n` accounts that were billed and paid for the month before `month`."""
    rng = random.Random(seed)
    packages = {p.code: p for p in catalog_load()}
    codes = ["basic", "classic", "premium"]
    weights = [0.35, 0.45, 0.20]
    prev_start = (month - dt.timedelta(days=1)).replace(day=1)
    _, prev_end = period_containing(prev_start, 1)
    change_day = prev_start.replace(day=15)
    isp = Isp(account_ids=[])
    created_at = dt.datetime.combine(prev_start - dt.timedelta(days=40), dt.time(9), tzinfo=dt.UTC)
    for lo in range(0, n, CHUNK):
        count = min(CHUNK, n - lo)
        with transaction.atomic():
            _chunk(rng, lo, count, isp, packages, codes, weights, prev_start, prev_end,
                   change_day, created_at, number_base)
    return isp


def _chunk(rng, lo, count, isp, packages, codes, weights, prev_start, prev_end, change_day,
           created_at, number_base):
    specs = []
    accounts = []
    for i in range(lo, lo + count):
        network = Network.WIRELESS if rng.random() < 0.6 else Network.UTOPIA
        never_pay = rng.random() < 0.10
        autopay = not never_pay and rng.random() < 0.35
        declining_autopay = never_pay and rng.random() < 0.2  # autopay on, card declines
        code = rng.choices(codes, weights)[0]
        changed = rng.random() < 0.02
        first, last = rng.choice(FIRST), rng.choice(LAST)
        start = prev_start - dt.timedelta(days=rng.randint(30, 6 * 365))
        specs.append(dict(
            network=network, never_pay=never_pay, autopay=autopay or declining_autopay,
            declining=declining_autopay, code=code, changed=changed, first=first, last=last,
        ))
        accounts.append(Account(
            number=str(number_base + i), name=f"{first} {last}",
            kind=AccountKind.COMMERCIAL if rng.random() < 0.05 else AccountKind.RESIDENTIAL,
            network=network, status=AccountStatus.ACTIVE, package=packages[code],
            bill_cycle_day=1, portal_access=True, autopay=autopay or declining_autopay,
            service_start=start, created_at=created_at,
        ))
    Account.objects.bulk_create(accounts, batch_size=1000)

    addresses, phones, emails, cards = [], [], [], []
    entries, statements, payments, rows = [], [], [], []
    at = dt.datetime.combine(prev_start, dt.time(12), tzinfo=dt.UTC)
    for account, spec in zip(accounts, specs, strict=True):
        pk = account.pk
        isp.account_ids.append(pk)
        isp.network[pk] = spec["network"]
        if spec["never_pay"]:
            isp.never_pay.add(pk)
        if spec["autopay"]:
            isp.autopay.add(pk)
        cities = UTOPIA_CITIES if spec["network"] == Network.UTOPIA else CITIES
        city, zip_code, area = rng.choice(cities)
        addresses.append(ServiceAddress(
            account_id=pk, line1=f"{rng.randint(10, 9899)} {rng.choice(('N', 'S', 'E', 'W'))} "
            f"{rng.choice(STREETS)} {rng.choice(SUFFIXES)}", city=city, state="UT",
            postal_code=zip_code,
            address_id=f"UT-{rng.randint(100000, 999999)}" if spec["network"] == Network.UTOPIA else "",
        ))
        for pos in range(1 if rng.random() < 0.7 else 2):
            phones.append(Phone(account_id=pk, number=_phone(rng, area), position=pos))
        emails.append(Email(
            account_id=pk, address=f"{spec['first'].lower()}.{spec['last'].lower()}{pk}@example.test",
        ))
        if spec["autopay"]:
            token = ("decline_" if spec["declining"] else "tok_") + f"{rng.getrandbits(48):012x}"
            cards.append(PaymentCard(
                account_id=pk, token=token, last4=f"{rng.randint(0, 9999):04d}", brand="visa",
                added_at=created_at, added_by="bench set-up",
            ))
        rows.append(TimelineEntry(
            account_id=pk, date=created_at.date(), at=created_at, type="account.created",
            data={"number": account.number, "plan": spec["code"], "network": spec["network"],
                  "status": "active"}, actor="bench set-up",
        ))
        monthly = account.package.monthly
        entries.append(LedgerEntry(
            account_id=pk, entry_type=EntryType.CHARGE, kind=ChargeKind.RECURRING, amount=monthly,
            posted_on=prev_start, posted_at=at, key=f"recurring:{pk}:{prev_start.isoformat()}",
            description=f"service {prev_start:%b %d} - {prev_end:%b %d, %Y}", actor="automation: bill run",
        ))
    # rows whose ids nothing needs go through core.bulk.create (COPY on PostgreSQL):
    # a million accounts are about nine million rows
    bulk.create(ServiceAddress, addresses)
    bulk.create(Phone, phones)
    bulk.create(Email, emails)
    bulk.create(PaymentCard, cards)
    LedgerEntry.objects.bulk_create(entries, batch_size=1000)  # their ids go into the statements

    due = prev_start + dt.timedelta(days=4)
    paid_at = dt.datetime.combine(due, dt.time(15), tzinfo=dt.UTC)
    changes = []
    for account, spec, entry in zip(accounts, specs, entries, strict=True):
        pk = account.pk
        statements.append(Statement(
            account_id=pk, period_start=prev_start, period_end=prev_end, issued_on=prev_start,
            due_on=due, recurring=entry.amount, balance=entry.amount, amount_due=entry.amount,
            previous_entry_id=0, through_entry_id=entry.pk,
        ))
        rows.append(TimelineEntry(
            account_id=pk, date=prev_start, at=at, type="statement.issued",
            data={"amount": str(entry.amount), "due": due.isoformat()}, actor="automation: bill run",
        ))
        method = PaymentMethod.CARD if spec["autopay"] else rng.choice(
            (PaymentMethod.PHONE, PaymentMethod.CHECK, PaymentMethod.BILL_PAY, PaymentMethod.CARD))
        payments.append(LedgerEntry(
            account_id=pk, entry_type=EntryType.PAYMENT, kind=ChargeKind.PAYMENT, amount=-entry.amount,
            posted_on=due, posted_at=paid_at, method=method,
            key=f"autopay:hist:{pk}" if spec["autopay"] else None, actor="bench set-up",
        ))
        rows.append(TimelineEntry(
            account_id=pk, date=due, at=paid_at, type="payment.posted",
            data={"amount": str(entry.amount), "method": method}, actor="bench set-up",
        ))
        if spec["changed"]:
            isp.changed_package.add(pk)
            others = [c for c in codes if c != spec["code"]]
            to = rng.choice(others)
            changes.append((pk, spec["code"], to))
    bulk.create(LedgerEntry, payments)
    bulk.create(Statement, statements)
    if changes:
        _package_changes(changes, change_day, rows)
    bulk.create(TimelineEntry, rows)


def _package_changes(changes, change_day, rows):
    """BIL-2: a mid-month change posts a prorated difference and moves the package."""
    packages = {p.code: p for p in Package.objects.all()}
    at = dt.datetime.combine(change_day, dt.time(11), tzinfo=dt.UTC)
    entries = []
    by_target: dict[str, list[int]] = {}
    for pk, old, new in changes:
        amount = change_proration(packages[old].monthly, packages[new].monthly, change_day, 1)
        if amount:
            entries.append(LedgerEntry(
                account_id=pk, entry_type=EntryType.CHARGE if amount > 0 else EntryType.CREDIT,
                kind=ChargeKind.PRORATION, amount=amount, posted_on=change_day, posted_at=at,
                description=f"{old} to {new} from {change_day:%b %d}", actor="bench set-up",
            ))
            rows.append(TimelineEntry(
                account_id=pk, date=change_day, at=at, type="charge.posted",
                data={"kind": ChargeKind.PRORATION.value, "amount": str(amount)}, actor="bench set-up",
            ))
        rows.append(TimelineEntry(
            account_id=pk, date=change_day, at=at, type="plan.changed",
            data={"from": old, "to": new}, actor="bench set-up",
        ))
        by_target.setdefault(new, []).append(pk)
    LedgerEntry.objects.bulk_create(entries, batch_size=1000)
    for code, pks in by_target.items():
        Account.objects.filter(pk__in=pks).update(package=packages[code])
