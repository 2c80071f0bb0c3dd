"""Plan-change services: refusals, permissions, preview, trials (PKG-1..PKG-10, BIL-2/3)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.accounts.models import ServiceAddress
from lastmile.billing.models import LedgerEntry
from lastmile.catalog.models import Package
from lastmile.comms.models import OutboxMessage
from lastmile.core import ispconfig
from lastmile.core.actors import with_role
from lastmile.core.choices import AccountStatus
from lastmile.core.dayrun import run_day
from lastmile.core.errors import InvalidInput, NotFound, PermissionRefused, RuleRefusal
from lastmile.core.models import ScheduledEvent, TimelineEntry
from lastmile.plans.choices import ChangeStatus, TrialStatus
from lastmile.plans.jobs import trials_keep
from lastmile.plans.models import PlanChange, Trial
from lastmile.plans.selectors import plan_change_preview
from lastmile.plans.services import plan_change_request, trial_revert, trial_start
from lastmile.tickets.models import Task, Ticket
from lastmile.tickets.services import open_ticket_of_kind, ticket_resolve
from tests.mixins import make_account

pytestmark = pytest.mark.django_db

OK = {"consent": "written", "consent_reference": "signed form 17"}


def types(account):
    return [e.type for e in TimelineEntry.objects.filter(account=account).order_by("id")]


@pytest.fixture
def sep(today, isp, catalog):
    """1 Sep 2026 with that morning's bill run done; the test moves the day on."""
    return today


def wireless(**kw):
    kw.setdefault("network", "wireless")
    return make_account(**kw)


def billed(account_day=dt.date(2026, 9, 1)):
    run_day(account_day)


# --- PKG-6 preview -------------------------------------------------------------------
def test_pkg6_preview_shows_price_proration_and_next_statement(sep):
    account = wireless(plan="classic", premium_available="yes")
    billed()
    sep.set_day(dt.date(2026, 9, 16), hour=10)
    preview = plan_change_preview(account=account, to="premium")
    assert preview.monthly == Decimal("85.00")
    assert preview.prorated == Decimal("10.00")  # 20 x 15/30 (BIL-2)
    assert preview.next_statement_on == dt.date(2026, 10, 1)
    # unpaid September 65.00 + the proration 10.00 + October at Premium 85.00
    assert preview.next_statement_amount == Decimal("160.00")
    down = plan_change_preview(account=account, to="basic")
    assert down.prorated == Decimal("-7.50")
    assert down.next_statement_amount == Decimal("107.50")


def test_bil2_no_proration_on_an_unbilled_period_first_day(sep):
    """A change effective on the bill-cycle day before the bill run prorates nothing:
    the statement about to be issued bills the new price."""
    account = wireless(plan="classic", premium_available="yes")
    preview = plan_change_preview(account=account, to="premium", on=dt.date(2026, 9, 1))
    assert preview.prorated == Decimal("0.00")


# --- applying --------------------------------------------------------------------------
def test_pkg2_basic_to_classic_applied_with_proration_and_no_fee(sep, agent):
    account = wireless(plan="basic")
    billed()
    sep.set_day(dt.date(2026, 9, 16), hour=10)
    change = plan_change_request(account=account, to="classic", actor=agent, **OK)
    account.refresh_from_db()
    assert account.package.code == "classic"
    assert change.status == ChangeStatus.APPLIED
    assert change.kind == "upgrade"
    assert change.identity_verified and change.consent == "written"
    entries = list(LedgerEntry.objects.filter(account=account).exclude(kind="recurring"))
    # BIL-3: the proration and nothing else (no change fee)
    assert [(e.kind, e.amount) for e in entries] == [("proration", Decimal("7.50"))]
    assert change.proration_entry_ids == [entries[0].pk]
    assert types(account)[-3:] == ["plan.changed", "charge.posted", "email.sent"]


def test_pkg8_summary_email_has_plan_price_proration_and_next_bill_date(sep, agent):
    account = wireless(plan="classic", premium_available="yes")
    billed()
    sep.set_day(dt.date(2026, 9, 16), hour=10)
    plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)
    mail = OutboxMessage.objects.get(account=account, template="plan_change_summary")
    assert mail.to == ["ana@example.test"]
    assert "Premium" in mail.subject
    assert "$85.00 a month" in mail.body
    assert "Prorated charge this month: $10.00" in mail.body
    assert "October 1, 2026" in mail.body


def test_pkg1_downgrade_credit_email_says_credit(sep, agent):
    account = wireless(plan="classic")
    billed()
    sep.set_day(dt.date(2026, 9, 16), hour=10)
    plan_change_request(account=account, to="basic", actor=agent, **OK)
    mail = OutboxMessage.objects.get(account=account, template="plan_change_summary")
    assert "Prorated credit this month: $7.50" in mail.body


# --- refusals --------------------------------------------------------------------------
@pytest.mark.parametrize("consent", [None, "", "nodded", "verbal"])
def test_pkg6_consent_is_required(sep, agent, consent):
    account = wireless(plan="basic")
    with pytest.raises(RuleRefusal, match="record the customer's consent"):
        plan_change_request(account=account, to="classic", actor=agent, consent=consent,
                            consent_reference="x")
    assert not PlanChange.objects.exists()


def test_pkg6_consent_needs_a_reference(sep, agent):
    account = wireless(plan="basic")
    with pytest.raises(RuleRefusal) as err:
        plan_change_request(account=account, to="classic", actor=agent, consent="written")
    assert err.value.field == "consent_reference"


def test_pkg6_identity_must_be_verified(sep, agent):
    account = wireless(plan="basic")
    with pytest.raises(RuleRefusal, match="identity"):
        plan_change_request(account=account, to="classic", actor=agent, identity_verified=False, **OK)


def test_pkg9_unknown_package_names_the_packages(sep, agent):
    account = wireless(plan="basic")
    with pytest.raises(NotFound, match="basic, classic, premium"):
        plan_change_request(account=account, to="gold", actor=agent, **OK)


def test_same_package_is_refused(sep, agent):
    account = wireless(plan="basic")
    with pytest.raises(RuleRefusal, match="already on Basic"):
        plan_change_request(account=account, to="basic", actor=agent, **OK)


def test_pkg9_a_package_no_longer_sold_is_refused(sep, agent):
    account = wireless(plan="classic")
    Package.objects.filter(code="basic").update(sold=False)
    with pytest.raises(RuleRefusal, match="no longer sold"):
        plan_change_request(account=account, to="basic", actor=agent, **OK)


def test_pkg3_premium_needs_a_reason(sep, agent):
    account = wireless(plan="classic", premium_available="yes")
    with pytest.raises(RuleRefusal) as err:
        plan_change_request(account=account, to="premium", actor=agent, reason="  ", **OK)
    assert err.value.field == "reason"


def test_pkg3_speed_issues_open_troubleshooting_and_change_nothing(sep, agent):
    account = wireless(plan="classic", premium_available="yes")
    change = plan_change_request(account=account, to="premium", actor=agent, reason="slow evenings",
                                 speed_issues=True, **OK)
    account.refresh_from_db()
    assert account.package.code == "classic"
    assert change.status == ChangeStatus.REFUSED
    ticket = Ticket.objects.get(account=account)
    assert ticket.kind == "troubleshooting" and ticket.pk == change.ticket_id
    assert "plan.changed" not in types(account)
    assert not LedgerEntry.objects.filter(account=account, kind="proration").exists()


def test_pkg4_premium_not_available_is_refused(sep, agent):
    account = wireless(plan="classic", premium_available="no")
    with pytest.raises(RuleRefusal, match="Premium is not sold at 12 Elm St"):
        plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)


def test_pkg7_past_effective_date_is_refused(sep, agent):
    account = wireless(plan="basic")
    with pytest.raises(RuleRefusal, match="in the past"):
        plan_change_request(account=account, to="classic", actor=agent, effective=dt.date(2026, 8, 31), **OK)


def test_a_cancelled_account_keeps_its_plan(sep, agent):
    account = wireless(plan="basic", status=AccountStatus.CANCELLED)
    with pytest.raises(RuleRefusal, match="cancelled"):
        plan_change_request(account=account, to="classic", actor=agent, **OK)


def test_one_change_waits_at_a_time(sep, agent):
    account = wireless(plan="classic")
    plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)
    with pytest.raises(RuleRefusal, match="already waiting"):
        plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)
    assert Ticket.objects.filter(account=account).count() == 1


# --- permissions -----------------------------------------------------------------------
def test_noc_cannot_change_a_plan(sep):
    account = wireless(plan="basic")
    with pytest.raises(PermissionRefused):
        plan_change_request(account=account, to="classic", actor=with_role("noc"), **OK)


def test_pkg4_an_agent_cannot_answer_premium_availability(sep, agent):
    account = wireless(plan="classic")
    plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)
    ticket = open_ticket_of_kind(account=account, kind="premium_availability")
    with pytest.raises(PermissionRefused, match="admin"):
        ticket_resolve(ticket=ticket, actor=with_role("agent"), answer={"premium_available": True})
    account.refresh_from_db()
    assert account.package.code == "classic"
    assert account.address.premium_available == "unknown"


def test_pkg4_the_answer_is_required(sep, agent):
    account = wireless(plan="classic")
    plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)
    ticket = open_ticket_of_kind(account=account, kind="premium_availability")
    with pytest.raises(InvalidInput) as err:
        ticket_resolve(ticket=ticket, actor=with_role("admin"), answer={})
    assert err.value.field == "premium_available"


def test_pkg4_available_applies_the_waiting_change_and_sets_the_address(sep, agent):
    account = wireless(plan="classic")
    billed()
    sep.set_day(dt.date(2026, 9, 10), hour=10)
    change = plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)
    assert change.status == ChangeStatus.PENDING and change.pending_on == "premium_availability"
    sep.set_day(dt.date(2026, 9, 16), hour=10)
    ticket = open_ticket_of_kind(account=account, kind="premium_availability")
    ticket_resolve(ticket=ticket, actor=with_role("admin"), answer={"premium_available": True})
    change.refresh_from_db()
    account.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED and change.applied_on == dt.date(2026, 9, 16)
    assert account.package.code == "premium"
    assert ServiceAddress.objects.get(account=account).premium_available == "yes"
    # prorated from the day it was applied, not the day it was asked
    assert LedgerEntry.objects.get(account=account, kind="proration").amount == Decimal("10.00")
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_pkg10_an_agent_cannot_apply_a_utopia_change(sep, agent):
    account = make_account(plan="classic")  # UTOPIA
    change = plan_change_request(account=account, to="basic", actor=agent, **OK)
    assert change.status == ChangeStatus.PENDING and change.pending_on == "utopia_admin"
    ticket = open_ticket_of_kind(account=account, kind="utopia_admin")
    assert ticket.data == {"resolver": "plan_change", "plan_change": change.pk}
    with pytest.raises(PermissionRefused):
        ticket_resolve(ticket=ticket, actor=with_role("agent"), answer={})
    ticket_resolve(ticket=ticket, actor=with_role("admin"), answer={"approved": True})
    account.refresh_from_db()
    assert account.package.code == "basic"


# --- PKG-7 scheduled ---------------------------------------------------------------------
def test_pkg7_future_change_runs_once_on_its_day(sep, agent):
    account = wireless(plan="basic")
    billed()
    sep.set_day(dt.date(2026, 9, 5), hour=10)
    change = plan_change_request(account=account, to="classic", actor=agent,
                                 effective=dt.date(2026, 9, 20), **OK)
    assert change.status == ChangeStatus.SCHEDULED
    assert ScheduledEvent.objects.get(key=f"plan_change:{change.pk}").run_on == dt.date(2026, 9, 20)
    run_day(dt.date(2026, 9, 19))
    account.refresh_from_db()
    assert account.package.code == "basic"
    run_day(dt.date(2026, 9, 20))
    run_day(dt.date(2026, 9, 20))
    account.refresh_from_db()
    assert account.package.code == "classic"
    assert types(account).count("plan.changed") == 1
    assert LedgerEntry.objects.get(account=account, kind="proration").amount == Decimal("5.50")


# --- PKG-5 trials --------------------------------------------------------------------------
def test_pkg5_trial_creates_a_reminder_for_its_last_day(sep, agent):
    account = wireless(plan="classic", premium_available="yes")
    billed()
    sep.set_day(dt.date(2026, 9, 10), hour=10)
    trial_start(account=account, to="premium", actor=agent, **OK)
    trial = Trial.objects.get(account=account)
    assert (trial.started_on, trial.ends_on) == (dt.date(2026, 9, 10), dt.date(2026, 9, 16))
    task = Task.objects.get(account=account, kind="trial_reminder")
    assert task.due_on == dt.date(2026, 9, 16)
    assert trial.proration_entry_ids == list(
        LedgerEntry.objects.filter(account=account, kind="proration").values_list("pk", flat=True))


def test_pkg5_trial_length_is_configurable(sep, agent):
    account = wireless(plan="basic")
    with ispconfig.override(trial_days=3):
        trial_start(account=account, to="classic", actor=agent, **OK)
    assert Trial.objects.get(account=account).ends_on == dt.date(2026, 9, 3)


def test_pkg5_trial_must_be_of_a_higher_package(sep, agent):
    account = wireless(plan="classic")
    with pytest.raises(RuleRefusal, match="higher"):
        trial_start(account=account, to="basic", actor=agent, **OK)


def test_pkg5_revert_voids_not_credits(sep, agent):
    account = wireless(plan="classic", premium_available="yes")
    billed()
    sep.set_day(dt.date(2026, 9, 10), hour=10)
    trial_start(account=account, to="premium", actor=agent, **OK)
    sep.set_day(dt.date(2026, 9, 12), hour=10)
    trial_revert(account=account, actor=agent)
    account.refresh_from_db()
    assert account.package.code == "classic"
    prorations = LedgerEntry.objects.filter(account=account, kind="proration").order_by("id")
    assert [(e.entry_type, e.amount) for e in prorations] == [("charge", Decimal("14.00")),
                                                             ("void", Decimal("-14.00"))]
    assert Trial.objects.get(account=account).status == TrialStatus.REVERTED
    with pytest.raises(RuleRefusal, match="no trial to revert"):
        trial_revert(account=account, actor=agent)


def test_pkg5_trial_is_kept_once_the_next_statement_is_issued(sep, agent):
    account = wireless(plan="classic", premium_available="yes")
    billed()
    sep.set_day(dt.date(2026, 9, 10), hour=10)
    trial_start(account=account, to="premium", actor=agent, **OK)
    assert trials_keep(as_of=dt.date(2026, 9, 30)) == 0
    run_day(dt.date(2026, 10, 1))
    assert Trial.objects.get(account=account).status == TrialStatus.KEPT
    assert trials_keep(as_of=dt.date(2026, 10, 1)) == 0  # idempotent
    sep.set_day(dt.date(2026, 10, 1), hour=10)
    with pytest.raises(RuleRefusal, match="statement of 2026-10-01"):
        trial_revert(account=account, actor=agent)


def test_pkg5_a_normal_change_during_a_trial_ends_it(sep, agent):
    account = wireless(plan="basic", premium_available="yes")
    trial_start(account=account, to="classic", actor=agent, **OK)
    plan_change_request(account=account, to="premium", actor=agent, reason="loves it", **OK)
    assert Trial.objects.get(account=account).status == TrialStatus.KEPT


def test_pkg6_the_quoted_price_is_kept_on_the_change(sep, agent):
    account = wireless(plan="classic", premium_available="yes")
    billed()
    sep.set_day(dt.date(2026, 9, 16), hour=10)
    change = plan_change_request(account=account, to="premium", actor=agent, reason="gaming", **OK)
    change.refresh_from_db()
    assert change.quoted == {"monthly": "85.00", "prorated": "10.00", "next_statement_on": "2026-10-01",
                             "next_statement_amount": "160.00"}


def test_pkg3_speed_problems_need_no_consent_because_no_change_is_made(db, today, catalog):
    """PKG-3 comes before PKG-6: the troubleshooting ticket opens before any consent."""
    from lastmile.plans.services import plan_change_request
    from lastmile.tickets.models import Ticket
    from tests.mixins import make_account

    account = make_account(network="wireless", plan="classic")
    change = plan_change_request(account=account, to="premium", actor=with_role("agent"), reason="slow",
                                 speed_issues=True)
    assert change.status == "refused"
    assert Ticket.objects.filter(account=account, kind="troubleshooting").count() == 1
