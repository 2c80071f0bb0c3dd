"""Issue 14 in the console: a manager asks for a what-if; it runs in its own process
and its page shows both runs side by side with a chart. Agents are refused."""
from __future__ import annotations

import json

import pytest

from lastmile.whatif.models import WhatIfRun

pytestmark = pytest.mark.django_db

RESULT = {
    "network": "utopia", "from": "2026-09-01", "months": 1,
    "policies": {"current": "utopia-2022-04", "proposed": "utopia-billing"},
    **{arm: {"cases_opened": 4, "call_tasks": calls, "agent_hours": hours, "shut_offs": shut, "reinstatements": 1,
             "cancellations": 0, "fees_charged": fees, "median_days_d_to_payment": "3.0", "noc_requests": shut + 1,
             "collected_by": {"2026-09-30": "650.00"}, "payments_planned": 10, "payments_refused": 0}
       for arm, calls, hours, shut, fees in (("current", 4, "0.4", 3, "105.00"), ("proposed", 8, "0.8", 2, "70.00"))},
}


def test_issue14_manager_asks_and_the_run_is_recorded_not_run_in_the_request(console_as, today, catalog):
    manager = console_as("manager")
    page = manager.get("/console/reports/whatif/")
    assert page.status_code == 200 and b"What if we change the policy?" in page.content
    answer = manager.post("/console/reports/whatif/", {"policy": "utopia-billing", "start": "2026-09-01",
                                                       "months": "2", "minutes_per_call": "6"})
    run = WhatIfRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/console/reports/whatif/{run.pk}/"
    assert (run.policy, run.network, run.months, run.status) == ("utopia-billing", "utopia", 2, "queued")
    waiting = manager.get(f"/console/reports/whatif/{run.pk}/")
    assert b"The comparison is running" in waiting.content and b'hx-trigger="every 3s"' in waiting.content


def test_issue14_the_finished_run_shows_the_table_and_the_chart_from_the_same_figures(console_as, today):
    manager = console_as("manager")
    run = WhatIfRun.objects.create(requested_by="m", requested_at=today.now(), policy="utopia-billing",
                                   network="utopia", start="2026-09-01", months=1, status="done", result=RESULT)
    page = manager.get(f"/console/reports/whatif/{run.pk}/").content.decode()
    assert "<th scope=\"row\">Shut-offs</th><td>3</td><td>2</td><td>-1</td>" in page
    assert "<td>$105.00</td><td>$70.00</td><td>-$35.00</td>" in page
    chart = json.loads(page.split('id="report-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"][2] == "Shut-offs" and [s["data"][2] for s in chart["series"]] == [3, 2]
    poll = manager.get(f"/console/reports/whatif/{run.pk}/?poll=1", HTTP_HX_REQUEST="true").content.decode()
    assert "The comparison is ready" in poll and "hx-trigger" not in poll


def test_issue14_bad_input_is_refused_with_the_field(console_as, today, catalog):
    manager = console_as("manager")
    answer = manager.post("/console/reports/whatif/", {"policy": "utopia-billing", "start": "2026-09-01",
                                                       "months": "30", "minutes_per_call": "6"})
    assert answer.status_code == 422 and b"Ensure this value is less than or equal to 24" in answer.content
    assert not WhatIfRun.objects.exists()


def test_issue14_an_agent_may_not_run_a_whatif(console_as, today):
    agent = console_as("agent")
    assert agent.get("/console/reports/whatif/").status_code == 403
    assert agent.post("/console/reports/whatif/", {"policy": "utopia-billing"}).status_code == 403
    assert not WhatIfRun.objects.exists()
