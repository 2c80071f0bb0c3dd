"""Onboarding and account care (issue 9): opening an account with every field of the
scenario format, editing contacts and the address with old and new values on the
timeline (AUD-1), a unique UTOPIA address ID (NET-2), adding a contract or a lease
(CON-1..3, CAN-8), and the outbox as sent. Every refusal's sentence is read."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.accounts.models import Account, Email, Phone, ServiceAddress
from lastmile.accounts.selectors import email_addresses, phone_numbers
from lastmile.accounts.services import (
    account_address_update,
    account_contacts_update,
    account_update,
)
from lastmile.billing.selectors import balance
from lastmile.cancellations import selectors as can_selectors
from lastmile.cancellations.choices import ContractStatus
from lastmile.cancellations.models import Contract
from lastmile.cancellations.services import account_open, contract_add
from lastmile.comms import selectors as comms_selectors
from lastmile.comms.models import OutboxMessage, OutboxStatus
from lastmile.core import clock
from lastmile.core.actors import with_role
from lastmile.core.errors import InvalidInput, NotFound, PermissionRefused, RuleRefusal
from lastmile.core.models import TimelineEntry

pytestmark = pytest.mark.django_db

D = dt.date
ADDRESS = {"line1": "12 Elm St", "city": "Orem", "state": "UT", "postal_code": "84057", "address_id": "UT-10042"}


@pytest.fixture
def agent_actor():
    return with_role("agent", name="amy")


def _open(catalog, actor, **over):
    fields = dict(
        name="Ana Lopez", kind="residential", network="utopia", package=catalog["classic"],
        address=dict(ADDRESS), phones=["801-555-0101"], emails=["ana@example.test"],
        service_start=D(2026, 9, 1), actor=actor,
    )
    fields.update(over)
    return account_open(**fields)


def _changes(account):
    return [e.data for e in TimelineEntry.objects.filter(account=account, type="account.changed").order_by("id")]


# --- opening an account ------------------------------------------------------------
def test_open_with_every_scenario_field(today, isp, catalog, agent_actor):
    account = _open(
        catalog, agent_actor, phones=["801-555-0101", "801-555-0102"], emails=["ana@example.test", "a2@example.test"],
        bill_cycle_day=15, opening_balance="12.50", premium_available="no", autopay=False,
        contract={"kind": "utopia_lease", "start": "2026-06-05"},
    )
    assert account.number and account.bill_cycle_day == 15
    assert phone_numbers(account=account) == ["801-555-0101", "801-555-0102"]
    assert email_addresses(account=account) == ["ana@example.test", "a2@example.test"]
    address = ServiceAddress.objects.get(account=account)
    assert (address.address_id, address.premium_available, address.state) == ("UT-10042", "no", "UT")
    assert balance(account=account) == Decimal("12.50")
    lease = can_selectors.current_lease(account=account)
    assert lease is not None and lease.months == 12  # CAN-8: the default lease term
    created = TimelineEntry.objects.get(account=account, type="account.created")
    assert created.actor == "amy" and created.data["plan"] == "classic"


def test_bil1_bill_cycle_day_defaults_to_the_isp_setting(today, catalog, agent_actor):
    from lastmile.core import ispconfig

    with ispconfig.override(bill_cycle_day=10):
        account = _open(catalog, agent_actor)
    assert account.bill_cycle_day == 10


def test_bil1_bill_run_bills_the_account_on_its_own_cycle_day(today, isp, catalog, agent_actor):
    from lastmile.core.dayrun import run_day

    account = _open(catalog, agent_actor, bill_cycle_day=15)
    run_day(D(2026, 9, 1))
    assert not account.statements.exists()
    today.set_day(D(2026, 9, 15))
    run_day(D(2026, 9, 15))
    statement = account.statements.get()
    assert statement.period_start == D(2026, 9, 15)


def test_open_contract_none_and_unknown_set_the_status(today, isp, catalog, agent_actor):
    a = _open(catalog, agent_actor, contract="none")
    b = _open(catalog, agent_actor, network="wireless", address={**ADDRESS, "address_id": ""}, contract="unknown")
    assert can_selectors.contract_status(account=a) == ContractStatus.NONE
    assert can_selectors.contract_status(account=b) == ContractStatus.UNKNOWN  # CON-8


def test_net2_duplicate_address_id_is_refused_with_the_holder(today, isp, catalog, agent_actor):
    first = _open(catalog, agent_actor)
    with pytest.raises(RuleRefusal) as exc:
        _open(catalog, agent_actor, name="Bob Reyes", address={**ADDRESS, "address_id": "ut-10042"})
    assert exc.value.field == "address.address_id"
    assert exc.value.message == (
        f"address ID ut-10042 is already the service address of account {first.number} (Ana Lopez)"
    )
    assert Account.objects.count() == 1


def test_net2_a_cancelled_account_frees_its_address_id(today, isp, catalog, agent_actor):
    first = _open(catalog, agent_actor)
    Account.objects.filter(pk=first.pk).update(status="cancelled")
    second = _open(catalog, agent_actor, name="New Tenant")
    assert second.address.address_id == "UT-10042"


def test_net2_utopia_account_needs_an_address_id(today, isp, catalog, agent_actor):
    with pytest.raises(InvalidInput) as exc:
        _open(catalog, agent_actor, address={**ADDRESS, "address_id": " "})
    assert exc.value.field == "address.address_id"
    assert exc.value.message == "a UTOPIA account needs its UTOPIA address ID"


@pytest.mark.parametrize("over, field, sentence", [
    ({"name": "  "}, "name", "an account needs the customer's name"),
    ({"kind": "family"}, "kind", "kind must be one of residential, commercial"),
    ({"network": "dsl"}, "network", "network must be one of utopia, wireless"),
    ({"premium_available": "maybe"}, "premium_available", "premium_available must be yes, no or unknown"),
    ({"phones": ["call me"]}, "phones",
     "'call me' is not a phone number (digits, spaces, + - ( ) and dots; 7 to 20 characters)"),
    ({"phones": ["--------"]}, "phones",
     "'--------' is not a phone number (digits, spaces, + - ( ) and dots; 7 to 20 characters)"),
    ({"emails": ["ana.example.test"]}, "emails", "'ana.example.test' is not an email address"),
    ({"bill_cycle_day": 0}, "bill_cycle_day", "the bill-cycle day must be a day of the month, 1 to 31, not 0"),
    ({"bill_cycle_day": 32}, "bill_cycle_day", "the bill-cycle day must be a day of the month, 1 to 31, not 32"),
    ({"opening_balance": "lots"}, "opening_balance", "opening balance: 'lots' is not an amount of money"),
    ({"service_start": "soon"}, "service_start", "the service start must be a date (YYYY-MM-DD)"),
    ({"address": {**ADDRESS, "city": ""}}, "address.city", "the service address needs its city (city)"),
    ({"address": {**ADDRESS, "state": "Utah"}}, "address.state",
     "state 'Utah' is not a two-letter state code such as UT"),
    ({"address": {**ADDRESS, "postal_code": "8405"}}, "address.postal_code",
     "postal code '8405' is not a ZIP code (84057 or 84057-1234)"),
    ({"address": {**ADDRESS, "floor": "2"}}, "address.floor",
     "the service address has no field 'floor'; expected one of line1, line2, city, state, postal_code, address_id"),
    ({"contract": {"kind": "residential", "source": "digital", "start": "2026-09-01", "months": 24}},
     "contract.months", "contract months: residential terms never exceed 12 months (CON-2), not 24"),
    ({"contract": {"kind": "lease"}}, "contract.kind",
     "contract kind must be one of residential, commercial, utopia_lease, not 'lease'"),
    ({"contract": {"kind": "commercial", "months": 24}}, "contract",
     "a commercial contract needs first_billing (CON-3: the term starts on the first billing date)"),
])
def test_open_refusals_name_the_field_and_leave_nothing(today, isp, catalog, agent_actor, over, field, sentence):
    with pytest.raises(InvalidInput) as exc:
        _open(catalog, agent_actor, **over)
    assert (exc.value.field, exc.value.message) == (field, sentence)
    assert not Account.objects.exists() and not ServiceAddress.objects.exists()
    assert not TimelineEntry.objects.filter(type="account.created").exists()


def test_open_is_atomic_when_the_contract_is_refused_late(today, isp, catalog, agent_actor):
    """A lease on a wireless account passes parsing; nothing may stay behind either way."""
    with pytest.raises(InvalidInput):
        _open(catalog, agent_actor, contract={"kind": "residential", "source": "digital",
                                              "start": "2026-09-01", "months": 0})
    assert not Phone.objects.exists() and not Email.objects.exists()


def test_open_needs_account_create(today, isp, catalog):
    with pytest.raises(PermissionRefused) as exc:
        _open(catalog, with_role("noc", name="nick"))
    assert exc.value.message.startswith("opening an account needs the role admin, agent, billing, manager")


# --- editing contacts and the address (AUD-1) --------------------------------------
def test_aud1_phone_change_records_old_and_new(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor, phones=["801-555-0101", "801-555-0102"])
    changed = account_contacts_update(account=account, actor=agent_actor, phones=["801-555-0199", "801-555-0102"])
    assert changed == ["phones"]
    assert phone_numbers(account=account) == ["801-555-0199", "801-555-0102"]
    assert _changes(account) == [{"field": "phones", "old": "801-555-0101, 801-555-0102",
                                  "new": "801-555-0199, 801-555-0102"}]


def test_aud1_unchanged_contacts_write_nothing(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    assert account_contacts_update(account=account, actor=agent_actor, phones=["801-555-0101"],
                                   emails=["ana@example.test"]) == []
    assert _changes(account) == []


def test_aud1_email_change_and_bad_email(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    account_contacts_update(account=account, actor=agent_actor, emails=["ana@new.test"])
    assert _changes(account) == [{"field": "emails", "old": "ana@example.test", "new": "ana@new.test"}]
    with pytest.raises(InvalidInput) as exc:
        account_contacts_update(account=account, actor=agent_actor, emails=["ana@new.test", "nope@"])
    assert (exc.value.field, exc.value.message) == ("emails", "'nope@' is not an email address")
    assert email_addresses(account=account) == ["ana@new.test"]


def test_bad_phone_on_edit_is_refused_and_changes_nothing(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    with pytest.raises(InvalidInput) as exc:
        account_update(account=account, actor=agent_actor, name="Ana L. Lopez", phones=["12"])
    assert exc.value.message == "'12' is not a phone number (digits, spaces, + - ( ) and dots; 7 to 20 characters)"
    account.refresh_from_db()
    assert account.name == "Ana Lopez" and phone_numbers(account=account) == ["801-555-0101"]
    assert _changes(account) == []


def test_aud1_address_change_records_old_and_new(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    changed = account_address_update(account=account, actor=agent_actor,
                                     address={"line1": "14 Elm St", "address_id": "UT-10044"})
    assert changed == ["address", "address_id"]
    assert _changes(account) == [
        {"field": "address", "old": "12 Elm St, Orem, UT 84057", "new": "14 Elm St, Orem, UT 84057"},
        {"field": "address_id", "old": "UT-10042", "new": "UT-10044"},
    ]
    assert account.address.line1 == "14 Elm St"


def test_net2_address_id_taken_on_edit(today, isp, catalog, agent_actor):
    ana = _open(catalog, agent_actor)
    bob = _open(catalog, agent_actor, name="Bob Reyes", address={**ADDRESS, "address_id": "UT-20077"})
    with pytest.raises(RuleRefusal) as exc:
        account_address_update(account=bob, actor=agent_actor, address={"address_id": "UT-10042"})
    assert exc.value.message == f"address ID UT-10042 is already the service address of account {ana.number} (Ana Lopez)"
    # the account's own ID is not a clash
    assert account_address_update(account=ana, actor=agent_actor, address={"address_id": "UT-10042"}) == []


def test_net2_utopia_account_keeps_an_address_id_on_edit(today, isp, catalog, agent_actor):
    ana = _open(catalog, agent_actor)
    with pytest.raises(InvalidInput) as exc:
        account_address_update(account=ana, actor=agent_actor, address={"address_id": ""})
    assert exc.value.message == "a UTOPIA account needs its UTOPIA address ID"


def test_account_update_name_and_permission(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    assert account_update(account=account, actor=agent_actor, name="Ana María Lopez") == ["name"]
    assert _changes(account) == [{"field": "name", "old": "Ana Lopez", "new": "Ana María Lopez"}]
    with pytest.raises(PermissionRefused) as exc:
        account_update(account=account, actor=with_role("noc", name="nick"), phones=["801-555-0111"])
    assert exc.value.message.startswith("changing an account needs the role admin, agent, billing, manager")


# --- adding a contract or a lease (CON-1..3, CAN-8) --------------------------------
def test_con2_residential_digital_contract_added_with_its_end(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor, network="wireless", address={**ADDRESS, "address_id": ""})
    rows = contract_add(account=account, actor=agent_actor, contract={
        "kind": "residential", "source": "digital", "start": "2026-09-01", "months": 12, "monthly": "65.00"})
    assert len(rows) == 1 and rows[0].monthly == Decimal("65.00")
    assert can_selectors.contract_end(rows[0]) == D(2027, 9, 1)
    assert can_selectors.contract_status(account=account) == ContractStatus.KNOWN


def test_con2_residential_paper_contract(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    rows = contract_add(account=account, actor=agent_actor,
                        contract={"kind": "residential", "source": "paper", "signed": "2026-03-10"})
    assert rows[0].signed == D(2026, 3, 10) and rows[0].months == 12


def test_con3_commercial_contract_with_override(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor, kind="commercial")
    rows = contract_add(account=account, actor=agent_actor, contract={
        "kind": "commercial", "first_billing": "2026-01-01", "months": 24, "monthly": "400.00",
        "etf_override": "500.00"})
    assert rows[0].start == D(2026, 1, 1) and rows[0].etf_override == Decimal("500.00")


def test_can8_lease_defaults_to_twelve_months(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    rows = contract_add(account=account, actor=agent_actor, contract={"kind": "utopia_lease", "start": "2026-06-05"})
    assert rows[0].months == 12


def test_con2_residential_term_over_twelve_months_is_refused(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    with pytest.raises(InvalidInput) as exc:
        contract_add(account=account, actor=agent_actor, contract={
            "kind": "residential", "source": "digital", "start": "2026-09-01", "months": 13})
    assert (exc.value.field, exc.value.message) == (
        "contract.months", "contract months: residential terms never exceed 12 months (CON-2), not 13")
    assert not Contract.objects.exists()


def test_can8_lease_on_a_wireless_account_is_refused(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor, network="wireless", address={**ADDRESS, "address_id": ""})
    with pytest.raises(RuleRefusal) as exc:
        contract_add(account=account, actor=agent_actor, contract={"kind": "utopia_lease", "start": "2026-06-05"})
    assert exc.value.message == f"a UTOPIA lease belongs to a UTOPIA account; account {account.number} is on fixed wireless"


def test_con1_contract_kind_must_match_the_account(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    with pytest.raises(RuleRefusal) as exc:
        contract_add(account=account, actor=agent_actor, contract={
            "kind": "commercial", "first_billing": "2026-01-01", "months": 24})
    assert exc.value.message == (
        f"account {account.number} is a residential account; a commercial contract does not belong on it")


def test_contract_bad_date_and_shape(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    with pytest.raises(InvalidInput) as exc:
        contract_add(account=account, actor=agent_actor, contract={"kind": "utopia_lease", "start": "June"})
    assert (exc.value.field, exc.value.message) == ("contract.start", "contract start: 'June' is not a date (YYYY-MM-DD)")
    with pytest.raises(InvalidInput) as exc:
        contract_add(account=account, actor=agent_actor, contract="none")
    assert exc.value.message == "give the contract's kind and its fields (start, months ...)"


def test_contract_add_needs_account_change(today, isp, catalog, agent_actor):
    account = _open(catalog, agent_actor)
    with pytest.raises(PermissionRefused):
        contract_add(account=account, actor=with_role("noc", name="nick"),
                     contract={"kind": "utopia_lease", "start": "2026-06-05"})


# --- emails as sent ----------------------------------------------------------------
def test_account_emails_newest_first_and_scoped(today, isp, catalog, agent_actor):
    ana = _open(catalog, agent_actor)
    bob = _open(catalog, agent_actor, name="Bob", address={**ADDRESS, "address_id": "UT-1"})
    now = clock.now()
    old = OutboxMessage.objects.create(account=ana, template="t", to=["ana@example.test"], subject="First",
                                       body="one", key="k1", created_at=now - dt.timedelta(days=1))
    new = OutboxMessage.objects.create(account=ana, template="t", to=["ana@example.test"], subject="Second",
                                       body="two", key="k2", created_at=now, status=OutboxStatus.SENT, attempts=1)
    other = OutboxMessage.objects.create(account=bob, template="t", to=["b@example.test"], subject="Bob's",
                                         body="x", key="k3", created_at=now)
    assert list(comms_selectors.account_emails(account=ana)) == [new, old]
    assert comms_selectors.account_email_get(account=ana, message_id=old.pk) == old
    with pytest.raises(NotFound) as exc:
        comms_selectors.account_email_get(account=ana, message_id=other.pk)
    assert exc.value.message == f"account {ana.number} has no email {other.pk}"
