"""Run a month of a small synthetic ISP and print what came of it, order-free (issue 6).

    python -m lastmile.bench.compare --database-url URL [--accounts N] [--chunk K]

The Celery test runs it twice on two fresh databases: once with
`LASTMILE_CELERY_BROKER` set and two workers taking the day run's chunks, once in a
single process. The two digests must be equal: fanning out changes nothing but who
does the work.

The digest leaves out what depends on which worker got there first (row ids,
natural keys that carry them, timestamps) and keeps everything a customer or an
agent would see: statuses, packages, portal access, every ledger movement, every
statement and every timeline entry with its fields.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections import Counter

START = dt.date(2026, 9, 1)
END = dt.date(2026, 10, 2)  # wireless deactivates D+15 = Oct 1, disconnects the next day
ID_FIELDS = {"case", "ticket", "task", "call_task", "request", "event", "statement", "id", "entry"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lastmile.bench.compare")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--accounts", type=int, default=150)
    parser.add_argument("--chunk", type=int, default=60)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    json.dump(run_month(args.accounts, args.chunk), sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


def run_month(n: int, chunk: int) -> dict:
    from lastmile.core import dayrun

    from . import command, synth

    dayrun.CHUNK = chunk
    fanned_out = dayrun._fan_out_wanted(None)
    isp = synth.build(n, month=START)
    counts = Counter()
    day = START
    burst = []
    while day <= END:
        report = dayrun.run_day(day)
        counts.update({k: v for k, v in report.counts.items() if v})
        if day == command.BURST_DAY:
            burst = command._burst_ids(isp, max(1, n // 10))
            command.payment_burst(isp, len(burst), day)
        elif day == command.HAND_PAYMENTS_DAY:
            command.lockbox_payments([pk for pk in isp.payers_by_hand if pk not in set(burst)], day)
        day += dt.timedelta(days=1)
    return {"fanned_out": fanned_out, "counts": dict(counts), **digest()}


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ID_FIELDS}


def digest() -> dict:
    from lastmile.accounts.models import Account
    from lastmile.billing.models import LedgerEntry, Statement
    from lastmile.core.models import TimelineEntry

    numbers = dict(Account.objects.values_list("pk", "number"))
    accounts = {
        number: [status, portal, code]
        for number, status, portal, code in Account.objects.values_list(
            "number", "status", "portal_access", "package__code")
    }
    ledger = sorted(
        [numbers[a], kind, etype, str(amount), on.isoformat(), method]
        for a, kind, etype, amount, on, method in LedgerEntry.objects.values_list(
            "account_id", "kind", "entry_type", "amount", "posted_on", "method")
    )
    statements = sorted(
        [numbers[a], start.isoformat(), str(due), str(bal), str(recurring)]
        for a, start, due, bal, recurring in Statement.objects.values_list(
            "account_id", "period_start", "amount_due", "balance", "recurring")
    )
    timeline = sorted(
        json.dumps([numbers.get(a), day.isoformat(), type_, _clean(data)], sort_keys=True)
        for a, day, type_, data in TimelineEntry.objects.values_list("account_id", "date", "type", "data")
    )
    return {"accounts": accounts, "ledger": ledger, "statements": statements, "timeline": timeline}


if __name__ == "__main__":
    sys.exit(main())
