"""Reads of imported history (IMP-2): shown and reported, never billed."""
from __future__ import annotations

from django.db.models import Count, Sum

from .models import FirstBill, HistoryPayment, HistoryStatement, ImportRun, SourceRecord


def history_for(*, account) -> dict:
    return {
        "statements": list(HistoryStatement.objects.filter(account=account).order_by("-issued_on", "-id")),
        "payments": list(HistoryPayment.objects.filter(account=account).order_by("-paid_on", "-id")),
        "source": SourceRecord.objects.filter(account=account, kind="account").first(),
        "first_bill": FirstBill.objects.filter(account=account).first(),
    }


def history_totals(*, source: str | None = None) -> dict:
    """For the reports: what the old system billed and took, by month."""
    st = HistoryStatement.objects.all()
    pay = HistoryPayment.objects.all()
    if source:
        st, pay = st.filter(source=source), pay.filter(source=source)
    return {
        "statements": st.aggregate(n=Count("id"), total=Sum("amount")),
        "payments": pay.aggregate(n=Count("id"), total=Sum("amount")),
    }


def recent_runs(limit: int = 20):
    return list(ImportRun.objects.filter(dry_run=False).order_by("-started_at", "-id")[:limit])
