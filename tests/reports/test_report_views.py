"""The reports in the console (issue 10): who may see them, the page (chart data,
table), and the CSV export, which carries the same rows as the table."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import Client

from lastmile.reports.registry import REPORTS
from tests.api.conftest import make_user
from tests.reports import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(db):
    def build(*roles: str) -> Client:
        user = make_user("_".join(roles) or "nobody", *roles)
        client = Client()
        client.force_login(user)
        return client

    return build


@pytest.fixture
def owing(today, catalog):
    acc = b.accounts(catalog)
    b.entry(acc["u1"], "65.00", D(2026, 8, 1))
    b.entry(acc["w1"], "40.00", D(2026, 8, 28))
    return acc


@pytest.mark.parametrize("role", ["agent", "noc", "billing"])
def test_reports_are_refused_to_other_roles_with_403(client_as, role):
    client = client_as(role)
    assert client.get("/console/reports/").status_code == 403
    assert client.get("/console/reports/ar-aging/").status_code == 403
    response = client.get("/console/reports/fees/csv/")
    assert response.status_code == 403 and "text/csv" not in response["Content-Type"]
    assert 'id="nav-reports"' not in client.get("/console/tickets/").content.decode()


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_every_report_listed_and_the_nav_link(client_as, role):
    page = client_as(role).get("/console/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="nav-reports"' in html
    for report in REPORTS.values():
        assert f'/console/reports/{report.slug}/' in html


def test_a_report_page_has_the_chart_data_of_its_table_rows(client_as, owing):
    html = client_as("manager").get("/console/reports/ar-aging/?as_of=2026-09-01").content.decode()
    assert re.search(r'<canvas id="report-chart" role="img" aria-label="[^"]+"', html)
    data = json.loads(re.search(r'<script id="report-chart-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["labels"] == ["UTOPIA fiber", "Fixed wireless"]
    series = {s["label"]: s["data"] for s in data["series"]}
    assert series["1–30 days"] == [65.0, 0.0] and series["Current"] == [0.0, 40.0]
    assert '<th scope="row">UTOPIA fiber</th>' in html and "$65.00" in html
    assert '<label for="id_as_of">As of</label>' in html
    sources = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert any(s.endswith("console/vendor/chart.umd.js") for s in sources)
    assert all(s.startswith("/static/") for s in sources)  # served from the package, no CDN
    assert "<caption>Accounts receivable aging, as of Sep 1, 2026</caption>" in html


def test_the_default_range_is_the_last_twelve_months(client_as, today):
    html = client_as("manager").get("/console/reports/mrr-churn/").content.decode()
    assert 'value="2025-10-01"' in html and 'value="2026-09-01"' in html
    assert html.count('<th scope="row">') == 12


def test_the_csv_export_has_the_same_rows_as_the_table(client_as, owing):
    response = client_as("admin").get("/console/reports/ar-aging/csv/?as_of=2026-09-01")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="ar-aging_2026-09-01.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Network", "Accounts owing", "Current", "1–30 days", "31–60 days", "61–90 days",
                       "Over 90 days", "Total owed"]
    assert rows[1:] == [["UTOPIA fiber", "1", "0.00", "65.00", "0.00", "0.00", "0.00", "65.00"],
                        ["Fixed wireless", "1", "40.00", "0.00", "0.00", "0.00", "0.00", "40.00"]]


def test_the_csv_of_a_monthly_report_has_one_row_per_month(client_as, owing):
    response = client_as("manager").get("/console/reports/collections/csv/?start=2026-07-01&end=2026-08-31")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [r[0] for r in rows[1:]] == ["Jul 2026", "Aug 2026"]
    assert rows[0][:3] == ["Month", "Statements", "Amount due"]


def test_a_range_that_ends_before_it_starts_is_refused_on_the_field(client_as, today):
    client = client_as("manager")
    page = client.get("/console/reports/fees/?start=2026-05-01&end=2026-04-01")
    assert page.status_code == 422
    assert "The end of the range is before its start." in page.content.decode()
    response = client.get("/console/reports/fees/csv/?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 422 and "end: The end of the range is before its start." in response.content.decode()
    assert client.get("/console/reports/no-such-report/").status_code == 404
