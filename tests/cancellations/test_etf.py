"""Pure contract and ETF rules (CON-2 .. CON-6): no database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lastmile.cancellations import etf
from lastmile.core.calendar import add_months

D = dt.date
CAP = Decimal("150.00")


def test_con2_contract_end_clamps_31_january_plus_one_month_to_february_end():
    assert etf.contract_end(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert etf.contract_end(D(2028, 1, 31), 1) == D(2028, 2, 29)  # 2028 is a leap year


def test_con2_contract_signed_on_29_february_ends_28_february_next_year():
    assert etf.contract_end(D(2028, 2, 29), 12) == D(2029, 2, 28)
    assert etf.paper_end(D(2028, 2, 29)) == D(2029, 2, 28)


def test_con2_paper_contract_runs_12_months_from_signature():
    assert etf.paper_end(D(2026, 2, 10)) == D(2027, 2, 10)


def test_con3_commercial_term_starts_on_first_billing_date():
    assert etf.commercial_end(D(2025, 3, 1), 24) == D(2027, 3, 1)


def test_con4_request_on_the_contracts_last_day_is_not_under_contract():
    end = etf.contract_end(D(2025, 9, 2), 12)
    assert end == D(2026, 9, 2)
    assert not etf.under_contract(end, D(2026, 9, 2))
    assert etf.months_remaining(D(2026, 9, 2), end) == 0
    # the day before, one started month is left
    assert etf.under_contract(end, D(2026, 9, 1))
    assert etf.months_remaining(D(2026, 9, 1), end) == 1


def test_con4_no_contract_is_never_under_contract():
    assert not etf.under_contract(None, D(2026, 9, 2))
    assert etf.months_remaining(D(2026, 9, 2), None) == 0


def test_con5_months_remaining_counts_a_started_month_as_one():
    assert etf.months_remaining(D(2026, 9, 2), D(2027, 3, 1)) == 6
    assert etf.months_remaining(D(2026, 9, 1), D(2027, 3, 1)) == 6
    assert etf.months_remaining(D(2026, 9, 2), D(2027, 3, 2)) == 6
    assert etf.months_remaining(D(2026, 9, 2), D(2027, 3, 3)) == 7


def test_con5_months_remaining_across_a_month_end():
    # 31 Jan + 1 month is 28 Feb: a contract ending 28 Feb has exactly one month left
    assert etf.months_remaining(D(2026, 1, 31), D(2026, 2, 28)) == 1
    assert etf.months_remaining(D(2026, 1, 31), D(2026, 3, 1)) == 2
    assert etf.months_remaining(D(2028, 1, 31), D(2028, 2, 29)) == 1


def test_con5_commercial_etf_is_half_the_months_remaining_times_the_rate():
    assert etf.etf_commercial(6, Decimal("400.00")) == Decimal("1200.00")
    assert etf.etf_commercial(5, Decimal("65.00")) == Decimal("162.50")
    assert etf.etf_commercial(1, Decimal("33.33")) == Decimal("16.67")  # 16.665 rounds half up


def test_con5_override_replaces_the_formula():
    assert etf.etf_commercial(6, Decimal("400.00"), Decimal("500.00")) == Decimal("500.00")
    assert etf.etf_commercial(0, Decimal("400.00"), Decimal("500.00")) == Decimal("0.00")


def test_con6_residential_etf_is_capped():
    assert etf.etf_residential(6, Decimal("65.00"), CAP) == Decimal("150.00")
    assert etf.etf_residential(3, Decimal("65.00"), CAP) == Decimal("97.50")
    assert etf.etf_residential(6, Decimal("65.00"), Decimal("100.00")) == Decimal("100.00")


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


@given(dates, st.integers(min_value=0, max_value=60), dates)
def test_con5_months_remaining_is_the_smallest_n_reaching_the_end(start, months, requested):
    end = etf.contract_end(start, months)
    n = etf.months_remaining(requested, end)
    if end <= requested:
        assert n == 0
    else:
        assert n >= 1
        assert add_months(requested, n) >= end
        assert add_months(requested, n - 1) < end


@given(st.integers(min_value=0, max_value=120),
       st.decimals(min_value=Decimal("0.00"), max_value=Decimal("5000.00"), places=2),
       st.decimals(min_value=Decimal("0.00"), max_value=Decimal("1000.00"), places=2),
       st.one_of(st.none(), st.decimals(min_value=Decimal("0.00"), max_value=Decimal("5000.00"), places=2)))
def test_con6_residential_etf_never_exceeds_the_cap(months, monthly, cap, override):
    fee = etf.etf_residential(months, monthly, cap, override)
    assert Decimal("0.00") <= fee <= cap
    assert fee == fee.quantize(Decimal("0.01"))
