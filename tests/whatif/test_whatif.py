"""Issue 14: `lastmile whatif` runs today's policy and a proposed one side by side on
throw-away copies; the live database is never written."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from lastmile.billing.services import payment_post
from lastmile.cli import main
from lastmile.core import clock
from lastmile.core.actors import superuser
from lastmile.core.dayrun import run_day
from lastmile.whatif.command import Request, WhatIfError, compare, rows
from lastmile.whatif.copy import table_checksums
from tests.mixins import make_account

# the copy sees only committed rows (pg_dump; SQLite's backup API), so the built
# database is committed; tests/whatif/conftest.py lets SQLite's flush through
pytestmark = pytest.mark.django_db(transaction=True)
SHIPPED = Path(__file__).resolve().parents[2] / "src/lastmile/delinquency/policies/utopia-2022-04.yaml"


def _no_suspend_policy(tmp_path: Path) -> str:
    """utopia-2022-04 without its one `suspend` step."""
    text = SHIPPED.read_text().replace("name: utopia-2022-04", "name: utopia-no-suspend")
    text = text[: text.index("  - name: suspend")]
    path = tmp_path / "utopia-no-suspend.yaml"
    path.write_text(text)
    return str(path)


def _history(today):
    """Three months of bills: two accounts pay in full on the 3rd, two never pay."""
    payers = [make_account(name=f"Payer {i}", phones=(f"801-555-010{i}",)) for i in range(2)]
    for i in range(2):
        make_account(name=f"Late {i}", phones=(f"801-555-020{i}",))
    for month in (9, 10, 11):
        today.set_day(dt.date(2026, month, 1))
        run_day(dt.date(2026, month, 1))
        today.set_day(dt.date(2026, month, 3), hour=10)
        for account in payers:
            payment_post(account=account, amount=Decimal("65.00"), method="phone", actor=superuser("t"))


def test_issue14_one_step_less_shows_as_fewer_shut_offs_and_fees_and_live_is_untouched(today, catalog, tmp_path):
    _history(today)
    today.set_day(dt.date(2026, 11, 30), hour=12)
    before = table_checksums()
    result = compare(Request(policy=_no_suspend_policy(tmp_path), start=dt.date(2026, 12, 1), months=1))
    assert table_checksums() == before  # the live database was only read
    current, proposed = result["current"], result["proposed"]
    assert current["cases_opened"] == proposed["cases_opened"] == 2  # the two who never pay
    assert current["shut_offs"] == 2 and proposed["shut_offs"] == 0  # the one step that differs
    assert current["fees_charged"] == "70.00" and proposed["fees_charged"] == "0.00"  # 2 x reactivation fee
    assert current["noc_requests"] == 2 and proposed["noc_requests"] == 0
    assert current["collected_by"] == proposed["collected_by"] == {"2026-12-31": "130.00"}  # payers, as before
    assert current["call_tasks"] == proposed["call_tasks"] == 2
    lines = {label: (a, b, change) for label, a, b, change in rows(result)}
    assert lines["Shut-offs"] == ("2", "0", "-2")
    assert lines["Fees charged"] == ("$70.00", "$0.00", "-$70.00")
    assert lines["Collected by Dec 31, 2026"] == ("$130.00", "$130.00", "same")


def test_issue14_an_unknown_policy_is_refused_with_the_names_there_are(capsys, today):
    with pytest.raises(WhatIfError, match="utopia-2022-04.*wireless-2022-04"):
        compare(Request(policy="utopia-2099", start=dt.date(2026, 12, 1), months=1))
    assert main(["whatif", "--policy", "utopia-2099", "--months", "1"]) == 2
    said = capsys.readouterr().err  # (policies another test read from a file are known too)
    assert "there is no policy named 'utopia-2099'; the policies are: " in said
    assert all(name in said for name in ("utopia-2021-03", "utopia-2022-04", "utopia-billing", "wireless-2022-04"))


def test_issue14_bad_arguments_are_refused_before_anything_is_copied(capsys, today):
    with pytest.raises(WhatIfError, match="months must be from 1 to 24"):
        compare(Request(policy="utopia-billing", start=clock.today(), months=0))
    with pytest.raises(WhatIfError, match="for utopia accounts, not wireless"):
        compare(Request(policy="utopia-billing", start=clock.today(), months=1, network="wireless"))
    assert main(["whatif", "--policy", "utopia-billing", "--behaviour", "scenario"]) == 2


def test_issue14_a_console_run_that_cannot_run_keeps_the_reason(today):
    from lastmile.whatif.models import WhatIfRun
    from lastmile.whatif.services import whatif_execute

    run = WhatIfRun.objects.create(requested_by="m", requested_at=clock.now(), policy="utopia-2099",
                                   network="utopia", start=dt.date(2026, 12, 1), months=1)
    done = whatif_execute(run_id=run.pk)
    assert done.status == "failed" and "there is no policy named 'utopia-2099'" in done.error
    assert whatif_execute(run_id=run.pk).status == "failed"  # a second worker finds it taken
