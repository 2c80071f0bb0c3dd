"""Today's work on /console/ (issue 10) without a browser: the manager's look-ahead
comes from the day run's own planning (DLQ-1, DLQ-2), the day-run log, the badges
and the 500 page."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.core.actors import superuser

TODAY = dt.date(2026, 8, 17)  # Ana's case opens: suspension Wed Aug 19 unless paid or reached


@pytest.fixture
def ana(db, monkeypatch):
    from lastmile.catalog.services import catalog_load
    from lastmile.core import clock
    from lastmile.core.dayrun import run_day
    from tests.mixins import make_account

    catalog_load()
    fixed = clock.FixedClock(dt.date(2026, 8, 1), hour=6)
    monkeypatch.setattr(clock, "_default", fixed)
    account = make_account(name="Ana Lopez", service_start=dt.date(2025, 6, 5))
    day = dt.date(2026, 8, 1)
    while day <= TODAY:
        fixed.set_day(day)
        run_day(day)
        day += dt.timedelta(days=1)
    fixed.set_day(TODAY, hour=9)
    account.refresh_from_db()
    assert account.status == "delinquent"
    return account


def test_dlq1_look_ahead_is_the_day_runs_suspension_and_a_payment_removes_it(ana):
    from lastmile.billing.services import payment_post
    from lastmile.delinquency.selectors import enforcements_ahead

    rows = enforcements_ahead(as_of=TODAY, business_days=3)
    assert [(r["on"], r["account"].pk, r["step"]) for r in rows] == [(dt.date(2026, 8, 19), ana.pk, "suspend")]
    assert rows[0]["actions"] == [("shut_off", "suspend")]
    assert enforcements_ahead(as_of=TODAY, business_days=1) == []  # Tuesday only: nothing yet

    payment_post(account=ana, amount="65.00", method="phone", reference="t", actor=superuser("t"))
    assert enforcements_ahead(as_of=TODAY, business_days=3) == []


def test_dlq2_reaching_the_customer_skips_the_suspension_in_the_look_ahead(ana):
    from lastmile.api import selectors
    from lastmile.delinquency.selectors import enforcements_ahead
    from lastmile.tickets.services import call_outcome_record

    task = selectors.call_task_queue(account=ana).first()
    call_outcome_record(task=task, outcome="reached", note="will pay Friday", actor=superuser("t"))
    assert enforcements_ahead(as_of=TODAY, business_days=3) == []


def test_day_runs_are_logged_with_counts_time_and_failure(ana, monkeypatch):
    from lastmile.core import dayrun
    from lastmile.core.models import DayRun

    runs = dayrun.recent_runs(limit=3)
    assert [r.as_of for r in runs] == [TODAY, TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)]
    assert runs[0].counts_text and not runs[0].failed and runs[0].seconds >= 0
    logged = DayRun.objects.count()
    dayrun.run_day(TODAY, account_ids=[ana.pk])  # after a payment: not a whole-book run
    assert DayRun.objects.count() == logged

    def broken(**_):
        raise RuntimeError("the mail server is down")

    monkeypatch.setitem(dayrun._jobs, "zz_broken", dayrun.DailyJob(999, "zz_broken", broken))
    with pytest.raises(RuntimeError):
        dayrun.run_day(TODAY + dt.timedelta(days=1))
    failed = dayrun.recent_runs(limit=1)[0]
    assert failed.failed and "the mail server is down" in failed.error


def test_home_page_sections_follow_the_roles(ana, console_as):
    agent = console_as("agent").get("/console/").content.decode()
    assert 'id="today-agent"' in agent and 'id="today-manager"' not in agent and "$65.00" in agent
    both = console_as("agent", "manager").get("/console/").content.decode()
    assert 'id="today-agent"' in both and 'id="today-manager"' in both and "Suspend service" in both
    noc = console_as("noc").get("/console/").content.decode()
    assert 'id="today-noc"' in noc and 'id="today-agent"' not in noc
    admin = console_as("admin").get("/console/").content.decode()
    assert 'id="today-runs"' in admin and "Mon Aug 17" in admin


def test_badges_show_trial_and_cancellation_when_true(ana):
    from django.template import Context, Template

    from lastmile.cancellations.services import cancellation_request
    from lastmile.catalog.models import Package
    from lastmile.plans.services import trial_start
    from tests.mixins import make_account

    template = Template('{% load console_ui %}{% status_badges account "account-status" %}')
    html = template.render(Context({"account": ana}))
    assert 'id="account-status"' in html and ">Delinquent<" in html and "On trial" not in html
    # wireless, Basic to Classic: no UTOPIA admin, no Premium check, the trial starts at once (PKG-5)
    bo = make_account(name="Bo Reyes", network="wireless", plan="basic", service_start=dt.date(2025, 6, 5))
    higher = Package.objects.filter(monthly__gt=bo.package.monthly).order_by("monthly").first()
    trial_start(account=bo, to=higher, actor=superuser("t"), consent="verbal_recorded", consent_reference="t")
    cancellation_request(account=bo, last_day=dt.date(2026, 9, 30), reason="moving", actor=superuser("t"))
    bo.refresh_from_db()
    html = template.render(Context({"account": bo}))
    assert "On trial until" in html and "Cancellation scheduled" in html


def test_500_page_is_branded_and_needs_no_database(rf):
    """No `db` fixture: pytest-django refuses any query here, so the page rendering
    proves it needs no database (the 500 may be the database failing)."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/console/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body and "lastmile" in body
    assert "Traceback" not in body and "Server Error (500)" not in body
