"""IMP-1 property: a random valid export in the lastmile layout, imported and exported
back, reads the same: nothing lost on the way in (the exporter reads the stored records)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lastmile.imports import reader
from lastmile.imports.exporter import export_lastmile
from lastmile.imports.layouts import FIELDS

DAY = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 11, 30))
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)
AMOUNT = st.decimals(min_value=Decimal("-500"), max_value=Decimal("900"), places=2, allow_nan=False)


@st.composite
def contracts(draw):
    choice = draw(st.sampled_from(["unknown", "none", "lease", "digital", "paper", "commercial"]))
    monthly = f"{draw(st.decimals(min_value=Decimal('1'), max_value=Decimal('500'), places=2)):.2f}"
    if choice in ("unknown", "none"):
        return choice
    if choice == "lease":
        return f"utopia_lease start={draw(DAY).isoformat()} months={draw(st.integers(1, 24))}"
    if choice == "digital":
        return f"residential digital start={draw(DAY).isoformat()} months={draw(st.integers(1, 12))} monthly={monthly}"
    if choice == "paper":
        signed = sorted(draw(st.sets(DAY, min_size=1, max_size=3)))
        return "residential paper signed=" + ",".join(d.isoformat() for d in signed) + f" monthly={monthly}"
    return f"commercial first_billing={draw(DAY).isoformat()} months={draw(st.integers(1, 60))} monthly={monthly}"


@st.composite
def accounts(draw, i: int):
    network = draw(st.sampled_from(["utopia", "wireless"]))
    opening = draw(AMOUNT)
    phones = draw(st.lists(st.integers(2000000, 9899999), max_size=3, unique=True))
    emails = draw(st.lists(WORD, max_size=2, unique_by=str.lower))
    has_card = draw(st.booleans())
    return {
        "source_id": f"X-{i}", "number": f"{700000 + i}",
        "name": f"{draw(WORD)} {draw(WORD)}", "kind": draw(st.sampled_from(["residential", "commercial"])),
        "network": network, "status": draw(st.sampled_from(reader.STATUSES)),
        "bill_cycle_day": draw(st.integers(1, 28)), "package": draw(st.sampled_from(["basic", "classic", "premium"])),
        "service_start": draw(DAY).isoformat(),
        "phones": ";".join(f"801-{p // 10000:03d}-{p % 10000:04d}" for p in phones),
        "emails": ";".join(f"{e.lower()}{i}@example.test" for e in emails),
        "line1": f"{draw(st.integers(1, 9999))} {draw(WORD)} St", "line2": draw(st.sampled_from(["", "Apt 2"])),
        "city": draw(WORD), "state": "UT", "postal_code": f"{draw(st.integers(84001, 84799))}",
        "address_id": f"UT-{draw(st.integers(100000, 999999))}" if network == "utopia" else "",
        "premium_available": draw(st.sampled_from(["yes", "no", "unknown"])),
        "opening_balance": f"{opening:.2f}",
        "opening_past_due_on": draw(DAY).isoformat() if opening > 0 and draw(st.booleans()) else "",
        "last_billed_through": draw(DAY).isoformat(),
        "contract": draw(contracts()),
        "card_token": f"tok_{draw(st.integers(0, 2**40)):x}" if has_card else "",
        "card_last4": f"{draw(st.integers(0, 9999)):04d}" if has_card else "",
        "card_brand": draw(st.sampled_from(["visa", "mastercard", ""])) if has_card else "",
    }


@st.composite
def exports(draw):
    n = draw(st.integers(1, 4))
    rows = [draw(accounts(i)) for i in range(n)]
    ids = [r["source_id"] for r in rows]
    notes = [{"source_id": f"N-{j}", "account_source_id": draw(st.sampled_from(ids)),
              "written_at": dt.datetime.combine(draw(DAY), dt.time(draw(st.integers(0, 23)), 5), tzinfo=dt.UTC)
              .isoformat(), "author": draw(WORD), "body": f"{draw(WORD)}, {draw(WORD)}."}
             for j in range(draw(st.integers(0, 3)))]
    statements = []
    for j in range(draw(st.integers(0, 4))):
        start = draw(DAY)
        statements.append({"source_id": f"S-{j}", "account_source_id": draw(st.sampled_from(ids)),
                           "issued_on": start.isoformat(), "period_start": start.isoformat(),
                           "period_end": (start + dt.timedelta(days=29)).isoformat(),
                           "due_on": (start + dt.timedelta(days=4)).isoformat(), "amount": f"{draw(AMOUNT):.2f}"})
    payments = [{"source_id": f"P-{j}", "account_source_id": draw(st.sampled_from(ids)),
                 "paid_on": draw(DAY).isoformat(), "amount": f"{abs(draw(AMOUNT)):.2f}",
                 "method": draw(st.sampled_from(["card", "check", "cash"])), "reference": draw(WORD)}
                for j in range(draw(st.integers(0, 4)))]
    return {"accounts": rows, "notes": notes, "statements": statements, "payments": payments}


def _csv(kind: str, rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=FIELDS[kind], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def _read(kind: str, text: str, packages) -> dict:
    parsed = reader.parse(f"{kind}.csv", text, source="lastmile", packages=packages, kind=kind)
    assert not parsed.problems, [str(p) for p in parsed.problems]
    out = {}
    for _rowno, row in parsed.rows:
        comparable = reader.comparable(row, kind)
        if kind == "accounts":
            comparable["contract"] = row["_contracts"]  # the contracts read, not their spelling
        out[row["source_id"]] = comparable
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(export=exports())
def test_IMP1_a_random_lastmile_export_round_trips_with_nothing_lost(do_import, export):
    from lastmile.imports.services import package_names

    packages = package_names()
    texts = {kind: _csv(kind, rows) for kind, rows in export.items()}
    with transaction.atomic():
        report = do_import("lastmile", texts=[(f"{k}.csv", t) for k, t in texts.items()])
        assert report.ok, [str(p) for p in report.problems]
        back = export_lastmile(source="lastmile")
        for kind in FIELDS:
            assert _read(kind, back[kind], packages) == _read(kind, texts[kind], packages), kind
        transaction.set_rollback(True)
