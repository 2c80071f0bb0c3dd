"""The bench's `search` figure (issue 10): every query of its fixed set finds the
account it was drawn from, so the figure times searches that answer."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.bench import synth
from lastmile.bench.search import queries, search_bench

pytestmark = pytest.mark.django_db


def test_every_kind_of_query_is_timed_and_finds_its_account():
    synth.build(60, month=dt.date(2026, 9, 1))
    kinds = {kind for kind, _ in queries()}
    assert {"name", "last, first", "last name", "account number", "email", "address id",
            "partial address id", "street address", "phone (801) 555-0134", "phone 801.555.0134",
            "phone +18015550134", "phone 5550134", "no match"} <= kinds
    result = search_bench()
    assert result["missed"] == []
    assert result["queries"] == len(queries())
    assert 0 < result["median_ms"] <= result["worst_ms"]
