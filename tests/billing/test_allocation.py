"""BIL-4: payments apply to the oldest open charges first and never lose a cent."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lastmile.billing.allocation import allocate, open_amounts

cents = st.integers(min_value=0, max_value=500_000).map(lambda c: Decimal(c) / 100)


@given(cents, st.lists(cents, max_size=20))
def test_bil4_allocation_never_loses_a_cent(payment, charges):
    applied, left = allocate(payment, list(enumerate(charges)))
    assert sum((a for _, a in applied), Decimal("0")) + left == payment
    assert left >= 0
    for key, amount in applied:
        assert 0 < amount <= charges[key]


@given(cents, st.lists(cents, min_size=1, max_size=20))
def test_bil4_allocation_pays_the_oldest_first(payment, charges):
    applied, _ = allocate(payment, list(enumerate(charges)))
    paid = dict(applied)
    # every charge before a (partly) paid one is paid in full
    for key in paid:
        for earlier in range(key):
            assert paid.get(earlier, Decimal("0")) == charges[earlier]


def test_bil4_allocation_example():
    applied, left = allocate(Decimal("100.00"), [("sep", Decimal("65.00")), ("fee", Decimal("35.00")),
                                                 ("oct", Decimal("65.00"))])
    assert applied == [("sep", Decimal("65.00")), ("fee", Decimal("35.00"))]
    assert left == Decimal("0.00")


signed = st.integers(min_value=-50_000, max_value=50_000).map(lambda c: Decimal(c) / 100)


@given(st.lists(signed, max_size=30))
def test_bil4_open_amounts_sum_to_the_positive_balance(entries):
    items, unused = open_amounts(list(enumerate(entries)))
    balance = sum(entries, Decimal("0"))
    open_total = sum((a for _, a in items), Decimal("0"))
    assert open_total - unused == balance
    assert open_total == 0 or unused == 0  # credit is used up before anything stays open
