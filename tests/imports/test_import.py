"""Moving in from another system (issue 12): IMP-1, IMP-2, CON-8, BIL-6, TKT-2, AUD-1."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.accounts.models import Account, Note, PaymentCard
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.billing.selectors import balance
from lastmile.cancellations.models import AccountContractStatus, Contract
from lastmile.core.actors import with_role
from lastmile.core.dayrun import run_day
from lastmile.core.errors import PermissionRefused
from lastmile.core.models import TimelineEntry
from lastmile.delinquency.models import Case
from lastmile.imports.models import FirstBill, HistoryPayment, HistoryStatement, SourceRecord

from .conftest import read

LASTMILE = ("lastmile_accounts.csv", "lastmile_notes.csv", "lastmile_statements.csv", "lastmile_payments.csv")
HEADER = (
    "source_id,number,name,kind,network,status,bill_cycle_day,package,service_start,phones,emails,line1,line2,"
    "city,state,postal_code,address_id,premium_available,opening_balance,opening_past_due_on,"
    "last_billed_through,contract,card_token,card_last4,card_brand\n"
)


def _account(source, sid):
    rec = SourceRecord.objects.get(source=source, kind="account", source_id=sid)
    return Account.objects.select_related("address", "package").get(pk=rec.account_id)


def _snapshot():
    return {m.__name__: m.objects.count() for m in (
        Account, Note, PaymentCard, LedgerEntry, Statement, Contract, AccountContractStatus, TimelineEntry,
        HistoryStatement, HistoryPayment, SourceRecord, FirstBill)}


# --------------------------------------------------------------------------- the four layouts
def test_lastmile_layout_imports_accounts_contacts_contracts_cards_notes_history(do_import):
    report = do_import("lastmile", *LASTMILE)
    assert report.ok, [str(p) for p in report.problems]
    ana = _account("lastmile", "LM-1001")
    assert (ana.name, ana.kind, ana.network, ana.status, ana.bill_cycle_day, ana.package.code) == (
        "Ana Lopez", "residential", "utopia", "active", 1, "classic")
    assert ana.address.address_id == "UT-100042" and ana.address.city == "Orem"
    assert [p.number for p in ana.phones.all()] == ["801-555-0101"]
    assert [e.address for e in ana.emails.all()] == ["ana.lopez@example.test"]
    card = PaymentCard.objects.get(account=ana)  # BIL-6: a token and the last four, nothing else
    assert (card.token, card.last4, card.brand) == ("tok_4f9a1c22", "4242", "visa")
    lease = Contract.objects.get(account=ana)
    assert (lease.kind, lease.start, lease.months) == ("utopia_lease", dt.date(2024, 6, 5), 12)
    assert AccountContractStatus.objects.get(account=ana).status == "known"
    dental = _account("lastmile", "LM-1003")
    assert dental.address.premium_available == "yes" and dental.bill_cycle_day == 15
    assert Contract.objects.get(account=dental).start == dt.date(2022, 9, 15)  # CON-3: first billing
    hyrum = _account("lastmile", "LM-1002")
    assert [p.number for p in hyrum.phones.all()] == ["435-555-0144", "435-555-0145"]
    # CON-8: the export gives no contract status -> unknown, never month-to-month
    assert AccountContractStatus.objects.get(account=hyrum).status == "unknown"
    # TKT-2: notes dated and signed as in the source
    note = Note.objects.get(account=hyrum)
    assert note.author == "derek" and note.written_at == dt.datetime(2026, 1, 12, 18, 30, tzinfo=dt.UTC)
    # IMP-2: history beside the ledger; the opening balance alone is the balance
    assert HistoryStatement.objects.filter(account=ana).count() == 2
    assert HistoryPayment.objects.filter(account=hyrum).get().amount == Decimal("50.00")
    assert balance(account=hyrum) == Decimal("42.50")
    assert balance(account=ana) == Decimal("0.00")
    assert balance(account=dental) == Decimal("-10.00")
    assert not Statement.objects.exists()


def test_sonar_layout_with_its_column_names(do_import):
    report = do_import("sonar", "sonar_accounts.csv", "sonar_payments.csv")
    assert report.ok, [str(p) for p in report.problems]
    shop = _account("sonar", "2042")
    assert (shop.name, shop.kind, shop.network, shop.package.code) == (
        "Bridger Auto Repair", "commercial", "wireless", "premium")
    assert balance(account=shop) == Decimal("115.00")
    assert _account("sonar", "2043").status == "not_active"
    # "Next Bill Date" 2026-12-01: Sonar billed through November
    assert FirstBill.objects.get(account=shop).on == dt.date(2026, 12, 1)
    assert HistoryPayment.objects.get(source_id="90002").method == "Check"
    assert AccountContractStatus.objects.get(account=shop).status == "unknown"  # CON-8


def test_powercode_layout_names_from_first_last_or_company(do_import):
    report = do_import("powercode", "powercode_customers.csv", "powercode_invoices.csv")
    assert report.ok, [str(p) for p in report.problems]
    jared = _account("powercode", "5001")
    assert jared.name == "Jared Larsen" and jared.kind == "residential"
    assert [p.number for p in jared.phones.all()] == ["435-555-0110", "435-555-0111"]
    feed = _account("powercode", "5002")
    assert (feed.name, feed.kind, feed.status) == ("Kamas Feed & Seed", "commercial", "delinquent")
    assert HistoryStatement.objects.get(source_id="INV-7782").issued_on == dt.date(2026, 11, 1)


def test_splynx_layout_comma_separated_contacts_and_comments(do_import):
    report = do_import("splynx", "splynx_customers.csv", "splynx_comments.csv")
    assert report.ok, [str(p) for p in report.problems]
    grace = _account("splynx", "301")
    assert [e.address for e in grace.emails.all()] == ["grace.whitney@example.test", "gw@example.test"]
    assert [p.number for p in grace.phones.all()] == ["801-555-0131", "801-555-0132"]
    storage = _account("splynx", "302")
    assert (storage.kind, storage.status) == ("commercial", "suspended")
    assert Note.objects.get(account=grace).author == "admin"


def test_a_mapping_renames_and_ignores_columns_of_any_other_layout(do_import):
    text = ("Cust No,Customer,Plan,Addr,Town,St,Zip,Fax\n"
            "A-7,Rosa Hernandez,Gold,14 Pioneer Way,Morgan,UT,84050,801-555-0000\n")
    mapping = {"columns": {"Cust No": "source_id", "Customer": "name", "Plan": "package", "Addr": "line1",
                           "Town": "city", "St": "state", "Zip": "postal_code", "Fax": None},
               "values": {"package": {"Gold": "premium"}}}
    report = do_import("lastmile", texts=[("other.csv", text)], mapping=mapping)
    assert report.ok, [str(p) for p in report.problems]
    rosa = _account("lastmile", "A-7")
    assert rosa.package.code == "premium" and rosa.address.city == "Morgan"


# --------------------------------------------------------------------------- IMP-1
def test_IMP1_reimporting_the_same_files_changes_nothing(do_import):
    assert do_import("lastmile", *LASTMILE).ok
    before = _snapshot()
    again = do_import("lastmile", *LASTMILE)
    assert again.ok
    assert [(f.created, f.updated) for f in again.files] == [(0, 0)] * 4
    assert sum(f.unchanged for f in again.files) == 3 + 2 + 3 + 3
    assert _snapshot() == before


def test_IMP1_AUD1_an_updated_row_updates_only_what_changed_on_the_timeline(do_import):
    assert do_import("lastmile", *LASTMILE).ok
    name, text = read("lastmile_accounts.csv")
    text = text.replace("Hyrum Jensen", "Hyrum J. Jensen").replace("435-555-0145", "435-555-0199")
    report = do_import("lastmile", texts=[(name, text)])
    file = report.files[0]
    assert (file.created, file.updated, file.unchanged) == (0, 1, 2)
    hyrum = _account("lastmile", "LM-1002")
    assert hyrum.name == "Hyrum J. Jensen"
    assert [p.number for p in hyrum.phones.all()] == ["435-555-0144", "435-555-0199"]
    entry = TimelineEntry.objects.get(account=hyrum, type="import.updated")
    assert entry.data["changes"] == {
        "name": {"old": "Hyrum Jensen", "new": "Hyrum J. Jensen"},
        "phones": {"old": ["435-555-0144", "435-555-0145"], "new": ["435-555-0144", "435-555-0199"]},
    }
    assert entry.actor == "onboarding admin" and "IMP-1" in entry.reason
    assert not TimelineEntry.objects.filter(type="import.updated").exclude(account=hyrum).exists()


def test_IMP1_an_updated_status_goes_through_the_status_service(do_import):
    assert do_import("sonar", "sonar_accounts.csv").ok
    name, text = read("sonar_accounts.csv")
    report = do_import("sonar", texts=[(name, text.replace("Olivia Young,Residential,Inactive",
                                                           "Olivia Young,Residential,Active"))])
    assert report.files[0].updated == 1
    olivia = _account("sonar", "2043")
    assert olivia.status == "active"
    assert TimelineEntry.objects.filter(account=olivia, type="account.status_changed").count() == 1


def test_IMP1_a_file_with_one_bad_row_imports_nothing_and_names_row_and_column(do_import):
    name, text = read("lastmile_accounts.csv")
    lines = text.splitlines()
    lines[3] = lines[3].replace(",premium,", ",platinum,")  # row 4 of the file
    report = do_import("lastmile", texts=[(name, "\n".join(lines) + "\n")])
    assert not report.ok
    assert not Account.objects.exists() and not SourceRecord.objects.exists()
    [problem] = report.problems
    assert (problem.file, problem.row, problem.column) == ("lastmile_accounts.csv", 4, "package")
    assert "no package called 'platinum' in the catalog" in problem.sentence
    assert report.files[0].sentence(False) == "lastmile_accounts.csv: 1 problem(s); nothing of this file was imported"


def test_IMP1_history_naming_an_unknown_account_refuses_its_file_only(do_import):
    bad = ("source_id,account_source_id,paid_on,amount,method,reference\n"
           "P-9,LM-1001,2026-11-04,65.00,card,\nP-10,LM-4040,2026-11-04,10.00,cash,\n")
    report = do_import("lastmile", "lastmile_accounts.csv", texts=[("payments.csv", bad)])
    accounts_file, payments_file = report.files
    assert accounts_file.ok and accounts_file.created == 3
    assert not payments_file.ok and not HistoryPayment.objects.exists()
    [problem] = payments_file.problems
    assert (problem.row, problem.column) == (3, "account_source_id")
    assert "no account with id 'LM-4040'" in problem.sentence


def test_IMP1_BIL6_a_card_number_in_any_column_refuses_the_file(do_import):
    name, text = read("lastmile_accounts.csv")
    text = text.replace("tok_4f9a1c22", "4242 4242 4242 4242")
    report = do_import("lastmile", texts=[(name, text)])
    assert not report.ok and not Account.objects.exists() and not PaymentCard.objects.exists()
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "card_token")
    assert "looks like a payment card number" in problem.sentence and "BIL-6" in problem.sentence


def test_IMP1_a_card_number_in_a_vendor_column_it_does_not_read_still_refuses(do_import):
    name, text = read("powercode_customers.csv")
    text = text.replace("jlarsen", "5105105105105100")  # Username column, ignored otherwise
    report = do_import("powercode", texts=[(name, text)])
    assert not report.ok and not Account.objects.exists()
    assert [(p.row, p.column) for p in report.problems] == [(2, "Username")]


def test_IMP1_a_long_number_that_fails_luhn_is_not_a_card():
    from lastmile.imports.reader import looks_like_card_number

    assert looks_like_card_number("4111-1111-1111-1111")
    assert not looks_like_card_number("4111111111111112")
    assert not looks_like_card_number("801-555-0101")


def test_IMP1_dry_run_writes_nothing_and_lists_every_problem(do_import):
    name, text = read("lastmile_accounts.csv")
    lines = text.splitlines()
    lines[1] = lines[1].replace("ana.lopez@example.test", "ana-at-example")
    lines[2] = lines[2].replace(",basic,", ",,").replace(",UT,84032", ",Utah,84032")
    report = do_import("lastmile", texts=[(name, "\n".join(lines) + "\n")], dry_run=True)
    assert [(p.row, p.column) for p in report.problems] == [(2, "emails"), (3, "package"), (3, "state")]
    assert "'ana-at-example' is not an email address" in report.problems[0].sentence
    ok = do_import("lastmile", *LASTMILE, dry_run=True)
    assert ok.ok and [f.created for f in ok.files] == [3, 2, 3, 3]
    assert ok.files[0].sentence(True) == "lastmile_accounts.csv (accounts): would create 3, would update 0, 0 unchanged"
    assert not Account.objects.exists() and not TimelineEntry.objects.exists()


def test_importing_needs_the_admin_role(do_import):
    with pytest.raises(PermissionRefused, match="needs the role admin; agent has agent"):
        do_import("lastmile", *LASTMILE, actor=with_role("agent"))


# --------------------------------------------------------------------------- IMP-2
def _run_days(clock, first: dt.date, last: dt.date) -> None:
    day = first
    while day <= last:
        clock.set_day(day)
        run_day(day)
        day += dt.timedelta(days=1)


def test_IMP2_no_case_opens_on_history_alone(do_import, move_day):
    """Unpaid history and a positive opening balance: no delinquency case on D."""
    text = HEADER + ("W-1,,Parker Hall,residential,wireless,active,1,classic,2024-01-01,801-555-0110,,9 Sage Ln,,"
                     "Tooele,UT,84074,,unknown,130.00,,2026-12-31,none,,,\n")
    stmts = ("source_id,account_source_id,issued_on,period_start,period_end,due_on,amount\n"
             "H-11,W-1,2026-11-01,2026-11-01,2026-11-30,2026-11-05,65.00\n"
             "H-12,W-1,2026-12-01,2026-12-01,2026-12-31,2026-12-05,130.00\n")
    assert do_import("lastmile", texts=[("a.csv", text), ("s.csv", stmts)]).ok
    _run_days(move_day, dt.date(2026, 12, 2), dt.date(2026, 12, 20))
    parker = _account("lastmile", "W-1")
    assert not Case.objects.filter(account=parker).exists()
    assert parker.status == "active"
    assert not Statement.objects.filter(account=parker).exists()


def test_IMP2_an_opening_balance_marked_past_due_can_open_a_case(do_import, move_day):
    text = HEADER + ("W-2,,Quinn Baker,residential,wireless,active,1,classic,2024-01-01,801-555-0111,,10 Sage Ln,,"
                     "Tooele,UT,84074,,unknown,130.00,2026-12-05,2026-12-31,none,,,\n")
    assert do_import("lastmile", texts=[("a.csv", text)]).ok
    quinn = _account("lastmile", "W-2")
    statement = Statement.objects.get(account=quinn)
    assert (statement.due_on, statement.amount_due, statement.recurring) == (
        dt.date(2026, 12, 5), Decimal("130.00"), Decimal("0.00"))
    _run_days(move_day, dt.date(2026, 12, 2), dt.date(2026, 12, 16))
    assert Case.objects.filter(account=quinn).count() == 1


def test_IMP2_old_system_billed_this_month_first_bill_run_bills_next_cycle_once(do_import, move_day):
    """Imported mid-month (2 December) after the old system billed December."""
    assert do_import("lastmile", texts=[("a.csv", HEADER + (
        "W-3,,Eliza Snow,residential,wireless,active,1,classic,2024-01-01,801-555-0112,,11 Sage Ln,,Tooele,UT,"
        "84074,,unknown,0.00,,2026-12-31,none,,,\n"))]).ok
    eliza = _account("lastmile", "W-3")
    assert FirstBill.objects.get(account=eliza).on == dt.date(2027, 1, 1)
    _run_days(move_day, dt.date(2026, 12, 2), dt.date(2027, 1, 3))
    run_day(dt.date(2027, 1, 1))  # a repeated day run bills nothing twice
    assert list(Statement.objects.filter(account=eliza).values_list("period_start", flat=True)) == [
        dt.date(2027, 1, 1)]
    assert LedgerEntry.objects.filter(account=eliza, kind="recurring").count() == 1


def test_IMP2_old_system_stopped_before_this_month_first_run_bills_that_month_once(do_import, move_day):
    """Sonar's "Next Bill Date" is 1 December and the move is on the 2nd: December is
    the first month Sonar did not bill; the next day run bills it, once."""
    assert do_import("sonar", "sonar_accounts.csv", "sonar_payments.csv").ok
    madison = _account("sonar", "2041")
    _run_days(move_day, dt.date(2026, 12, 2), dt.date(2026, 12, 4))
    run_day(dt.date(2026, 12, 2))
    assert list(Statement.objects.filter(account=madison).values_list("period_start", flat=True)) == [
        dt.date(2026, 12, 1)]
    assert FirstBill.objects.get(account=madison).done
    _run_days(move_day, dt.date(2027, 1, 1), dt.date(2027, 1, 1))
    assert Statement.objects.filter(account=madison).count() == 2
    # the history payments are not in the ledger: what is owed is lastmile's own bill
    assert balance(account=madison) == Decimal("130.00")


def test_IMP2_history_sets_the_first_bill_when_the_accounts_file_does_not(do_import, move_day):
    """Powercode says nothing of what it billed; its November invoices do."""
    assert do_import("powercode", "powercode_customers.csv", "powercode_invoices.csv").ok
    jared = _account("powercode", "5001")
    first = FirstBill.objects.get(account=jared)
    assert (first.on, first.basis) == (dt.date(2026, 12, 1), "history")
