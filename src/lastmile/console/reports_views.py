"""Reports under /console/reports/ (issue 10), for managers and admins.

Each page runs its report's selector once: the table, the chart (its data in a
json_script tag, drawn by console/reports.js) and the CSV export are the same rows,
formatted three ways by the columns of lastmile.reports.registry.
"""
from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from lastmile.core import clock
from lastmile.reports.registry import REPORTS, Report

from .views import actor, console_view

MAX_DAYS = 3 * 366  # a range is at most three years: each report's work stays bounded


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class RangeForm(forms.Form):
    start = forms.DateField(label="From", widget=_DateInput())
    end = forms.DateField(label="To", widget=_DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end of the range is before its start.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("start", "A report covers at most three years; choose a later start.")
        return data


class AsOfForm(forms.Form):
    as_of = forms.DateField(label="As of", widget=_DateInput())


def _denied(request):
    return render(request, "console/error.html", {
        "message": "Reports are for managers and admins; ask a manager for the figures you need."}, status=403)


def _report(slug: str) -> Report:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404(f"there is no report {slug!r}")
    return report


def _params(request, report: Report) -> tuple[forms.Form, dict | None]:
    """The form, bound to the query string or to the defaults, and its dates when valid."""
    defaults = report.defaults(clock.today())
    form_class = AsOfForm if report.as_of else RangeForm
    given = {k: request.GET[k] for k in defaults if request.GET.get(k)}
    form = form_class({k: given.get(k, v.isoformat()) for k, v in defaults.items()})
    if not form.is_valid():
        return form, None
    return form, {k: form.cleaned_data[k] for k in defaults}


def _cell(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return f"${value:,.2f}" if value >= 0 else f"−${-value:,.2f}"
    if kind == "percent":
        return f"{value}%"
    if kind == "number":
        return f"{value:g}"
    if kind == "int":
        return f"{value:,}"
    if kind == "dates":
        return ", ".join(f"{d:%b} {d.day}" for d in value) or "—"
    return str(value)


def _raw(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "dates":
        return " ".join(d.isoformat() for d in value)
    if isinstance(value, Decimal | float | int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@console_view
@require_GET
def reports_index(request):
    if not actor(request).can("report.view"):
        return _denied(request)
    return render(request, "console/reports/index.html", {"reports": list(REPORTS.values())})


@console_view
@require_GET
def report_page(request, slug: str):
    report = _report(slug)
    if not actor(request).can("report.view"):
        return _denied(request)
    form, params = _params(request, report)
    context = {"report": report, "form": form, "reports": list(REPORTS.values())}
    if params is None:
        return render(request, "console/reports/report.html", context, status=422)
    rows = report.rows(**params)
    query = "&".join(f"{k}={v.isoformat()}" for k, v in params.items())
    context.update(
        params=params, query=query, chart=report.chart(rows),
        header=[c.label for c in report.columns],
        table=[[_cell(r[c.key], c.kind) for c in report.columns] for r in rows],
        csv_url=f"{reverse('console:report_csv', args=[report.slug])}?{query}",
    )
    return render(request, "console/reports/report.html", context)


@console_view
@require_GET
def report_csv(request, slug: str):
    """The table's rows, unformatted: money as 1234.50, percent as 12.5, dates ISO."""
    report = _report(slug)
    if not actor(request).can("report.view"):
        return _denied(request)
    form, params = _params(request, report)
    if params is None:
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponse(errors, status=422, content_type="text/plain; charset=utf-8")
    rows = report.rows(**params)
    suffix = "_".join(v.isoformat() for v in params.values())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.slug}_{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow([c.label for c in report.columns])
    for r in rows:
        writer.writerow([_raw(r[c.key], c.kind) for c in report.columns])
    return response
