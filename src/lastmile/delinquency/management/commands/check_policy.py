"""`lastmile manage check_policy FILE [--month YYYY-MM]`: check a delinquency policy
file (DLQ-1) and show the day each step would run for a case opened that month.

A mistake is reported as FILE:LINE: FIELD: what is wrong, with exit code 2.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lastmile.core import clock, ispconfig
from lastmile.core.calendar import month_day
from lastmile.delinquency.policy import PolicyError, read
from lastmile.delinquency.schedule import CaseFacts, projected


class Command(BaseCommand):
    help = "Check a delinquency policy file and show its step dates for a month."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--month", help="YYYY-MM: show when each step runs for a case opened that month")

    def handle(self, *args, **options):
        try:
            policy = read(options["file"])
        except PolicyError as exc:
            self.stderr.write(f"invalid policy: {exc.format()}")
            raise SystemExit(2) from None
        self.stdout.write(f"{policy.name} version {policy.version} ({policy.network}, roll {policy.roll}): OK")
        settings = ispconfig.current()
        day = policy.delinquency_day or settings.delinquency_day
        if options.get("month"):
            try:
                year, month = (int(x) for x in options["month"].split("-"))
                d = month_day(year, month, day)
            except ValueError:
                raise CommandError("--month must be YYYY-MM") from None
        else:
            today = clock.today()
            d = month_day(today.year, today.month, day)
        self.stdout.write(f"D = {d:%a %Y-%m-%d}")
        for name, on in projected(policy, CaseFacts(d), settings.calendar):
            step = policy.step(name)
            actions = ", ".join(a if arg in (None, {}) else f"{a}: {arg}" for a, arg in step.actions)
            skip = f"  skipped if {', '.join(step.skip_if)}" if step.skip_if else ""
            self.stdout.write(f"  {on:%a %Y-%m-%d}  {name:<18} {step.time.describe()}; {actions}{skip}")
