"""The manager's "what if we change the policy?" under /console/reports/whatif/
(issue 14): the form asks for a what-if, which runs in its own process
(whatif.services); its page shows the two runs side by side, with a chart of the
counts, once the run is done."""
from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lastmile.core import clock
from lastmile.core.errors import LastmileError
from lastmile.delinquency.policy import all_policies
from lastmile.whatif.command import ROWS, rows
from lastmile.whatif.selectors import run_get, runs_recent
from lastmile.whatif.services import CAPABILITY, whatif_request

from .views import actor, console_view

COUNTS = ("cases_opened", "call_tasks", "shut_offs", "reinstatements", "cancellations", "noc_requests")


class WhatIfForm(forms.Form):
    policy = forms.ChoiceField(label="Proposed policy")
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    months = forms.IntegerField(label="Months", min_value=1, max_value=24, initial=2)
    minutes_per_call = forms.IntegerField(label="Minutes per call", min_value=1, max_value=120, initial=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted({(p.name, p.network) for p in all_policies()})
        self.fields["policy"].choices = [(name, f"{name} ({network})") for name, network in names]


def _denied(request):
    return render(request, "console/error.html", {
        "message": "A what-if is for managers and admins; ask a manager to run one."}, status=403)


@console_view
@require_http_methods(["GET", "POST"])
def whatif_page(request):
    who = actor(request)
    if not who.can(CAPABILITY):
        return _denied(request)
    form = WhatIfForm(request.POST or None, initial={"start": clock.today()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = whatif_request(actor=who, **form.cleaned_data)
            except LastmileError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("console:whatif_run", run_id=run.pk)
        status = 422
    return render(request, "console/whatif.html", {"form": form, "runs": runs_recent()}, status=status)


@console_view
@require_http_methods(["GET"])
def whatif_run(request, run_id: int):
    if not actor(request).can(CAPABILITY):
        return _denied(request)
    run = run_get(run_id=run_id)
    if run is None:
        raise Http404("there is no such what-if")
    context = {"run": run, "partial": request.htmx and request.GET.get("poll")}
    if run.status == "done" and run.result:
        labels = dict(ROWS)
        context.update(
            table=rows(run.result, minutes_per_call=run.minutes_per_call),
            chart={"type": "bar", "stacked": False, "y_title": "Count", "labels": [labels[k] for k in COUNTS],
                   "series": [{"label": f"Today ({run.result['policies']['current']})",
                               "data": [run.result["current"][k] for k in COUNTS]},
                              {"label": f"Proposed ({run.result['policies']['proposed']})",
                               "data": [run.result["proposed"][k] for k in COUNTS]}]},
        )
    template = "console/_whatif_result.html" if context["partial"] else "console/whatif_run.html"
    return render(request, template, context)
