"""Each report's selector against a small ISP whose figures are known (issue 10).

The dates: statements of March 2026 are issued on the 1st and due on the 5th
(BIL-1); D is the 16th (a Monday); utopia-2022-04 suspends two days after `open`
(Wednesday the 18th), wireless-2022-04 deactivates 15 days after D (Tuesday the
31st) (DLQ-1)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.reports import periods, selectors
from lastmile.reports.registry import REPORTS
from tests.reports import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def acc(today, catalog):
    return b.accounts(catalog)


def _by(rows, key):
    return {r[key]: r for r in rows}


def test_bil4_ar_aging_spreads_each_balance_over_its_newest_charges_by_network(acc):
    u1, u2, w1, w2 = acc["u1"], acc["u2"], acc["w1"], acc["w2"]
    for on in (D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
        b.entry(u1, "65.00", on)
    b.entry(u1, "35.00", D(2026, 4, 18), kind="reactivation_fee")
    b.entry(u1, "-100.00", D(2026, 2, 3))  # pays the oldest charges first (BIL-4)
    b.entry(u2, "50.00", D(2026, 4, 1))
    b.entry(u2, "-50.00", D(2026, 4, 3))  # owes nothing
    b.entry(w1, "40.00", D(2026, 4, 10))  # 6 days past due on the 20th
    b.entry(w1, "80.00", D(2026, 4, 25))  # after the day asked about
    b.entry(w2, "30.00", D(2026, 4, 1))
    b.entry(w2, "-50.00", D(2026, 4, 2))  # a credit balance is not receivable

    rows = _by(selectors.ar_aging(as_of=D(2026, 4, 20)), "network")

    utopia = {k: rows["utopia"][k] for k in ("accounts", *selectors.AGING_BUCKETS, "total")}
    assert utopia == {"accounts": 1, "current": Decimal("35.00"), "days_1_30": Decimal("65.00"),
                      "days_31_60": Decimal("65.00"), "days_61_90": Decimal("30.00"),
                      "over_90": Decimal("0.00"), "total": Decimal("195.00")}
    wireless = {k: rows["wireless"][k] for k in ("accounts", *selectors.AGING_BUCKETS, "total")}
    assert wireless == {"accounts": 1, "current": Decimal("0.00"), "days_1_30": Decimal("40.00"),
                        "days_31_60": Decimal("0.00"), "days_61_90": Decimal("0.00"),
                        "over_90": Decimal("0.00"), "total": Decimal("40.00")}


def test_bil4_ar_aging_a_payment_settles_the_oldest_charge_and_an_unpaid_one_ages_past_90(acc):
    b.entry(acc["u2"], "65.00", D(2025, 12, 1))
    b.entry(acc["u2"], "65.00", D(2026, 4, 1))
    b.entry(acc["u2"], "-65.00", D(2026, 4, 3))  # pays December's charge: April's stays open
    b.entry(acc["w2"], "65.00", D(2025, 11, 1))  # never paid: 166 days past due
    rows = _by(selectors.ar_aging(as_of=D(2026, 4, 20)), "network")
    assert (rows["utopia"]["days_1_30"], rows["utopia"]["over_90"]) == (Decimal("65.00"), Decimal("0.00"))
    assert (rows["wireless"]["over_90"], rows["wireless"]["total"]) == (Decimal("65.00"), Decimal("65.00"))


def test_dlq1_cutoffs_d_and_the_shut_off_day_of_each_network_policy():
    assert selectors.cutoffs(due_on=D(2026, 3, 5), network="utopia") == (D(2026, 3, 16), D(2026, 3, 18))
    assert selectors.cutoffs(due_on=D(2026, 3, 5), network="wireless") == (D(2026, 3, 16), D(2026, 3, 31))


def test_dlq1_collections_share_paid_by_the_due_date_by_d_and_by_the_shut_off_day(acc):
    u1, u2, w1, w2 = acc["u1"], acc["u2"], acc["w1"], acc["w2"]
    march = D(2026, 3, 1)
    b.statement(u1, march, due="100.00")
    b.entry(u1, "-30.00", D(2026, 3, 4))   # by the due date (5th)
    b.entry(u1, "-20.00", D(2026, 3, 10))  # by D (16th)
    b.entry(u1, "-50.00", D(2026, 3, 17))  # by the utopia shut-off day (18th)
    b.statement(u2, march, due="60.00")
    b.entry(u2, "-10.00", D(2026, 2, 27))  # before the statement: already in its amount due
    b.entry(u2, "-60.00", D(2026, 3, 19))  # after the shut-off day
    b.statement(w1, march, due="40.00")
    b.entry(w1, "-50.00", D(2026, 3, 20))  # after D, before the wireless shut-off (31st): 40 counts
    b.statement(w2, march, due="0.00")     # nothing due: not billed

    rows = _by(selectors.collections(start=D(2026, 3, 1), end=D(2026, 4, 30)), "month")
    m = rows[march]
    assert (m["statements"], m["billed"], m["paid_by_due"], m["paid_by_d"], m["paid_by_shutoff"]) == (
        3, Decimal("200.00"), Decimal("30.00"), Decimal("50.00"), Decimal("140.00"))
    assert (m["share_by_due"], m["share_by_d"], m["share_by_shutoff"]) == (
        Decimal("15.0"), Decimal("25.0"), Decimal("70.0"))
    assert m["d_days"] == [D(2026, 3, 16)] and m["shutoff_days"] == [D(2026, 3, 18), D(2026, 3, 31)]
    april = rows[D(2026, 4, 1)]
    assert april["statements"] == 0 and april["share_by_due"] is None


def test_bil7_collections_a_reversed_payment_is_not_paid(acc):
    b.statement(acc["u1"], D(2026, 3, 1), due="100.00")
    pay = b.entry(acc["u1"], "-100.00", D(2026, 3, 3))
    b.entry(acc["u1"], "100.00", D(2026, 3, 12), entry_type="reversal", kind="reversal")
    assert pay.pk
    m = selectors.collections(start=D(2026, 3, 1), end=D(2026, 3, 31))[0]
    assert (m["paid_by_due"], m["paid_by_d"]) == (Decimal("100.00"), Decimal("0.00"))


def test_dlq_funnel_per_month_with_the_median_days_from_d_to_payment(acc):
    u1, u2, w1, w2 = acc["u1"], acc["u2"], acc["w1"], acc["w2"]
    d = D(2026, 3, 16)
    at = dt.datetime(2026, 3, 18, 16, tzinfo=dt.UTC)
    c1 = b.case(u1, d=d, outcome="paid", closed_on=D(2026, 3, 20), contacted_on=D(2026, 3, 17))
    b.arrangement(c1)
    c2 = b.case(u2, d=d, outcome="paid", closed_on=D(2026, 3, 26))
    b.noc(u2, key=f"dlq-shutoff:{c2.pk}:suspend", sent=at, minutes=5)
    b.noc(u2, key=f"dlq-restore:{c2.pk}:20260326", sent=at, minutes=9, operation="unsuspend")
    c3 = b.case(w1, d=d, outcome="cancelled", closed_on=D(2026, 3, 31), policy="wireless-2022-04")
    b.noc(w1, key=f"dlq-shutoff:{c3.pk}:deactivate", sent=at, minutes=60, channel="work_order",
          operation="disconnect")
    b.noc(w1, key=f"dlq-restore:{c3.pk}:20260331", sent=at, minutes=None, channel="work_order",
          operation="unsuspend")  # never confirmed: not reinstated
    b.arrangement(c3, status="declined")  # never approved: not arranged
    b.case(w2, d=D(2026, 4, 16), outcome="paid", closed_on=D(2026, 4, 18), policy="wireless-2022-04")

    rows = _by(selectors.delinquency_funnel(start=D(2026, 3, 1), end=D(2026, 4, 30)), "month")
    keys = ("opened", "contacted", "arranged", "suspended", "reinstated", "cancelled", "paid",
            "median_days_to_payment")
    assert [rows[D(2026, 3, 1)][k] for k in keys] == [3, 1, 1, 2, 1, 1, 2, 7.0]
    assert [rows[D(2026, 4, 1)][k] for k in keys] == [1, 0, 0, 0, 0, 0, 1, 2.0]


def test_can1_mrr_and_churn_per_month(acc):
    u1, u2, w1 = acc["u1"], acc["u2"], acc["w1"]
    b.statement(u2, D(2026, 3, 1), due="65.00", recurring="65.00")
    b.statement(w1, D(2026, 3, 1), due="40.00", recurring="40.00")
    b.statement(u2, D(2026, 4, 1), due="65.00", recurring="65.00")
    b.cancellation(w1, last_day=D(2026, 3, 31))
    b.case(w1, d=D(2026, 3, 16), outcome="cancelled", closed_on=D(2026, 3, 31))  # the same churn, once
    b.case(u2, d=D(2026, 4, 16), outcome="cancelled", closed_on=D(2026, 4, 30))  # DLQ-1 cancel step
    b.cancellation(u1, last_day=D(2026, 4, 30), status="declined")  # not a cancellation
    rows = _by(selectors.mrr_churn(start=D(2026, 3, 1), end=D(2026, 4, 30)), "month")
    keys = ("mrr", "billed_accounts", "new_accounts", "cancellations", "net_change", "churn_percent")
    assert [rows[D(2026, 3, 1)][k] for k in keys] == [Decimal("105.00"), 2, 1, 1, 0, Decimal("50.0")]
    assert [rows[D(2026, 4, 1)][k] for k in keys] == [Decimal("65.00"), 1, 0, 1, -1, Decimal("100.0")]


def test_net1_noc_latency_median_and_95th_percentile_by_channel(acc):
    u1, w1 = acc["u1"], acc["w1"]
    sent = dt.datetime(2026, 3, 18, 16, tzinfo=dt.UTC)
    for i, minutes in enumerate((10, 20, 30, 40)):
        b.noc(u1, key=f"e{i}", sent=sent, minutes=minutes)
    b.noc(w1, key="w0", sent=sent, minutes=120, channel="work_order", operation="disconnect")
    b.noc(w1, key="w1", sent=sent, minutes=None, channel="work_order", operation="disconnect", state="failed")
    b.noc(u1, key="old", sent=dt.datetime(2026, 1, 5, 16, tzinfo=dt.UTC), minutes=500)  # outside the range
    rows = _by(selectors.noc_latency(start=D(2026, 3, 1), end=D(2026, 3, 31)), "channel")
    assert set(rows) == {"email", "work_order"}
    assert [rows["email"][k] for k in ("sent", "confirmed", "failed", "median_minutes", "p95_minutes")] == [
        4, 4, 0, 25.0, 40.0]
    assert [rows["work_order"][k] for k in ("sent", "confirmed", "failed", "median_minutes", "p95_minutes")] == [
        2, 1, 1, 120.0, 120.0]


def test_dlq5_fees_charged_waived_by_basis_and_voided(acc):
    u1, u2, w1 = acc["u1"], acc["u2"], acc["w1"]
    for account in (u1, u2, w1):
        b.entry(account, "35.00", D(2026, 3, 18), kind="reactivation_fee")
    b.entry(u1, "-35.00", D(2026, 3, 19), entry_type="void", kind="reactivation_fee",
            reason="DLQ-5: reactivation fee waived (autopay)")
    b.entry(u2, "-35.00", D(2026, 3, 20), entry_type="void", kind="reactivation_fee",
            reason="DLQ-6: the customer's payment is on its way")
    b.entry(w1, "150.00", D(2026, 3, 25), kind="etf")
    b.entry(w1, "25.00", D(2026, 2, 25), kind="equipment_fee")  # before the range
    rows = _by(selectors.fees(start=D(2026, 3, 1), end=D(2026, 3, 31)), "kind")
    r = rows["reactivation_fee"]
    assert (r["charged_count"], r["charged"], r["waived_count"], r["waived"], r["waived_autopay"],
            r["waived_first"], r["voided_count"], r["voided"], r["net"]) == (
        3, Decimal("105.00"), 1, Decimal("35.00"), Decimal("35.00"), Decimal("0.00"), 1, Decimal("35.00"),
        Decimal("35.00"))
    assert (rows["etf"]["charged_count"], rows["etf"]["net"]) == (1, Decimal("150.00"))
    assert rows["equipment_fee"]["charged_count"] == 0


def test_the_chart_is_drawn_from_the_table_rows(acc):
    b.entry(acc["u1"], "65.00", D(2026, 4, 1))
    report = REPORTS["ar-aging"]
    rows = report.rows(as_of=D(2026, 4, 20))
    chart = report.chart(rows)
    assert chart["labels"] == [r["network_label"] for r in rows]
    assert [s["data"] for s in chart["series"]] == [[float(r[k]) for r in rows] for k in report.series]


def test_periods_median_and_percentile():
    assert periods.median_of_counts({4: 1, 10: 1}) == 7
    assert periods.median_of_counts({1: 3, 9: 1}) == 1
    assert periods.median_of_counts({}) is None
    assert periods.percentile([10, 20, 30, 40], 95) == 40
    assert periods.percentile(range(1, 101), 95) == 95
    assert periods.percentile_of_counts({v: 1 for v in range(1, 101)}, 95) == 95
    assert periods.percentile_of_counts({10: 19, 500: 1}, 95) == 10  # the 19th of 20
    assert periods.percentile_of_counts({10: 18, 500: 2}, 95) == 500
    assert periods.default_range(D(2026, 9, 18)) == (D(2025, 10, 1), D(2026, 9, 18))


def test_collections_a_due_date_is_stored_once_its_window_is_over_and_reads_the_same(acc):
    from lastmile.reports.models import CollectedDueDate
    from lastmile.reports.services import collections_close

    b.statement(acc["u1"], D(2026, 3, 1), due="100.00")
    b.entry(acc["u1"], "-30.00", D(2026, 3, 4))
    b.statement(acc["w1"], D(2026, 3, 1), due="40.00")
    b.entry(acc["w1"], "-40.00", D(2026, 3, 30))
    live = selectors.collections(start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert collections_close(as_of=D(2026, 3, 31)) == 0  # the wireless shut-off day is today
    assert collections_close(as_of=D(2026, 4, 1)) == 1
    assert collections_close(as_of=D(2026, 4, 2)) == 0  # once
    stored = {r.network: r for r in CollectedDueDate.objects.filter(due_on=D(2026, 3, 5))}
    assert (stored["utopia"].billed, stored["utopia"].by_due, stored["wireless"].by_shutoff) == (
        Decimal("100.00"), Decimal("30.00"), Decimal("40.00"))
    assert selectors.collections(start=D(2026, 3, 1), end=D(2026, 3, 31)) == live
    # an imported statement of that month (IMP-2): live again, then stored anew
    b.statement(acc["u2"], D(2026, 3, 1), due="60.00")
    assert selectors.collections(start=D(2026, 3, 1), end=D(2026, 3, 31))[0]["billed"] == Decimal("200.00")
    assert collections_close(as_of=D(2026, 4, 3)) == 1
    assert CollectedDueDate.objects.get(due_on=D(2026, 3, 5), network="utopia").billed == Decimal("160.00")


def test_the_day_run_stores_closed_due_dates_once_for_the_whole_isp(acc):
    from lastmile.core.dayrun import run_day
    from lastmile.reports.models import CollectedDueDate

    b.statement(acc["u1"], D(2026, 3, 1), due="100.00")
    # a chunk without the ISP's first account leaves it to the chunk that has it
    assert run_day(D(2026, 4, 1), account_ids=[acc["w2"].pk]).counts["reports_close"] == 0
    assert run_day(D(2026, 4, 1)).counts["reports_close"] == 1
    assert CollectedDueDate.objects.filter(due_on=D(2026, 3, 5)).count() == 2
