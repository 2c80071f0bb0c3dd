"""Reading contracts as scenarios and lookups give them (CON-1, CON-2, CON-8): pure."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.cancellations import contract_spec

D = dt.date


def test_con8_unknown_and_none():
    assert contract_spec.parse("unknown") == contract_spec.UNKNOWN
    assert contract_spec.parse("none") == contract_spec.NONE


def test_con1_digital_residential():
    [row] = contract_spec.parse({"kind": "residential", "source": "digital", "start": "2026-03-01",
                                 "months": 12, "monthly": "65.00"})
    assert row == dict(kind="residential", source="digital", start=D(2026, 3, 1), months=12,
                       monthly=Decimal("65.00"), signed=None, etf_override=None)


def test_con2_paper_signatures_are_all_kept_oldest_first():
    rows = contract_spec.parse({"kind": "residential", "source": "paper", "signed": ["2026-02-10", "2024-05-01"]})
    assert [r["start"] for r in rows] == [D(2024, 5, 1), D(2026, 2, 10)]
    assert all(r["months"] == 12 and r["source"] == "paper" for r in rows)


def test_con2_residential_term_over_12_months_is_refused():
    with pytest.raises(ValueError, match="never exceed 12 months"):
        contract_spec.parse({"kind": "residential", "source": "digital", "start": "2026-03-01", "months": 24})


def test_con3_commercial_needs_first_billing_and_months():
    with pytest.raises(ValueError, match="first_billing"):
        contract_spec.parse({"kind": "commercial", "start": "2025-03-01", "months": 24})
    [row] = contract_spec.parse({"kind": "commercial", "first_billing": "2025-03-01", "months": 24,
                                 "monthly": "400.00", "etf_override": "500.00"})
    assert row["start"] == D(2025, 3, 1) and row["etf_override"] == Decimal("500.00")


def test_utopia_lease_months_default_to_the_setting():
    [row] = contract_spec.parse({"kind": "utopia_lease", "start": "2025-06-05"})
    assert row["months"] is None  # filled from utopia_lease_months when recorded


@pytest.mark.parametrize("value, message", [
    ({"kind": "lease"}, "kind must be one of"),
    ({"kind": "utopia_lease"}, "needs its start"),
    ({"kind": "utopia_lease", "start": "2025-13-01"}, "not a date"),
    ({"kind": "residential", "source": "paper"}, "signature date"),
    ({"kind": "residential", "source": "fax", "start": "2025-01-01"}, "digital or paper"),
    ({"kind": "residential", "source": "paper", "signed": "2025-01-01", "months": 12}, "unknown field 'months'"),
    ({"kind": "commercial", "first_billing": "2025-03-01", "months": 0}, "whole number"),
    ({"kind": "commercial", "first_billing": "2025-03-01", "months": 24, "monthly": "-1"}, "negative"),
    ("maybe", "not a contract"),
    (12, "must be a mapping"),
])
def test_bad_shapes_are_refused_with_a_sentence(value, message):
    with pytest.raises(ValueError, match=message):
        contract_spec.parse(value)
