"""What each report is: its selector, its date parameters and their defaults, the
columns of its table (and CSV, in the same order) and which columns the chart
draws. The console renders every report from this, so the table, the chart and
the CSV cannot disagree: they are the same rows."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from . import periods, selectors


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # int | money | percent | number | text | dates


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    summary: str
    selector: Callable[..., list[dict]]
    columns: tuple[Column, ...]
    chart_type: str  # bar | line
    label_key: str  # the x axis: the first column of the table
    series: tuple[str, ...]  # columns the chart draws
    stacked: bool = False
    as_of: bool = False  # one day (as of) instead of a range
    y_title: str = ""

    def defaults(self, today: dt.date) -> dict:
        if self.as_of:
            return {"as_of": today}
        start, end = periods.default_range(today)
        return {"start": start, "end": end}

    def rows(self, **params) -> list[dict]:
        return self.selector(**params)

    def chart(self, rows: list[dict]) -> dict:
        """The chart's data, taken from the table's rows (plain JSON)."""
        labels = {c.key: c.label for c in self.columns}
        return {
            "type": self.chart_type, "stacked": self.stacked, "y_title": self.y_title,
            "labels": [str(r[self.label_key]) for r in rows],
            "series": [{"label": labels[k], "data": [_number(r[k]) for r in rows]} for k in self.series],
        }


def _number(value):
    return None if value is None else float(value)


MONTH = Column("month_label", "Month", "text")

REPORTS: dict[str, Report] = {r.slug: r for r in (
    Report(
        "ar-aging", "Accounts receivable aging",
        "What customers owe as of a day, by how long it is past due, for each network. A charge is due "
        "4 days after it is posted, as a statement is; payments settle the oldest charges first.",
        selectors.ar_aging,
        (Column("network_label", "Network", "text"), Column("accounts", "Accounts owing"),
         Column("current", "Current", "money"), Column("days_1_30", "1–30 days", "money"),
         Column("days_31_60", "31–60 days", "money"), Column("days_61_90", "61–90 days", "money"),
         Column("over_90", "Over 90 days", "money"), Column("total", "Total owed", "money")),
        "bar", "network_label", ("current", "days_1_30", "days_31_60", "days_61_90", "over_90"),
        stacked=True, as_of=True, y_title="Dollars owed"),
    Report(
        "delinquency-funnel", "Delinquency funnel",
        "Delinquency cases opened each month and how far they went: the customer reached, an arrangement "
        "approved, service shut off, service reinstated, the account cancelled; and the median days from "
        "the delinquency day (D) to payment in full.",
        selectors.delinquency_funnel,
        (MONTH, Column("opened", "Cases opened"), Column("contacted", "Contacted"),
         Column("arranged", "Arranged"), Column("suspended", "Shut off"), Column("reinstated", "Reinstated"),
         Column("cancelled", "Cancelled"), Column("paid", "Paid in full"),
         Column("median_days_to_payment", "Median days from D to payment", "number")),
        "bar", "month_label", ("opened", "contacted", "arranged", "suspended", "reinstated", "cancelled"),
        y_title="Cases"),
    Report(
        "collections", "Collections",
        "Of the amount due on each month's statements, the share paid by the due date, by the delinquency "
        "day (D) and by the shut-off day of the network's policy.",
        selectors.collections,
        (MONTH, Column("statements", "Statements"), Column("billed", "Amount due", "money"),
         Column("share_by_due", "Paid by the due date", "percent"),
         Column("share_by_d", "Paid by D", "percent"),
         Column("share_by_shutoff", "Paid by the shut-off day", "percent"),
         Column("d_days", "D", "dates"), Column("shutoff_days", "Shut-off day", "dates")),
        "line", "month_label", ("share_by_due", "share_by_d", "share_by_shutoff"), y_title="Percent paid"),
    Report(
        "mrr-churn", "MRR and churn",
        "Monthly recurring revenue (the monthly charges of the month's statements), new accounts, "
        "cancellations, the net change, and churn: cancellations over the accounts billed that month.",
        selectors.mrr_churn,
        (MONTH, Column("mrr", "MRR", "money"), Column("billed_accounts", "Accounts billed"),
         Column("new_accounts", "New accounts"), Column("cancellations", "Cancellations"),
         Column("net_change", "Net change"), Column("churn_percent", "Churn", "percent")),
        "bar", "month_label", ("new_accounts", "cancellations", "net_change"), y_title="Accounts"),
    Report(
        "noc-latency", "NOC request latency",
        "Requests to the network operator sent in the range, by channel, and the minutes from sent to "
        "confirmed: the median and the 95th percentile.",
        selectors.noc_latency,
        (Column("channel_label", "Channel", "text"), Column("sent", "Sent"), Column("confirmed", "Confirmed"),
         Column("failed", "Failed"), Column("median_minutes", "Median minutes to confirm", "number"),
         Column("p95_minutes", "95th percentile, minutes", "number")),
        "bar", "channel_label", ("median_minutes", "p95_minutes"), y_title="Minutes"),
    Report(
        "fees", "Fees charged, waived and voided",
        "Fees posted in the range by kind, with the reactivation fees waived by the basis of the waiver "
        "(autopay, the account's first fee, a manager's override) and the fees voided otherwise.",
        selectors.fees,
        (Column("label", "Fee", "text"), Column("charged_count", "Charged"), Column("charged", "Charged $", "money"),
         Column("waived_count", "Waived"), Column("waived_autopay", "Waived: autopay $", "money"),
         Column("waived_first", "Waived: first fee $", "money"),
         Column("waived_override", "Waived: manager override $", "money"),
         Column("waived", "Waived $", "money"), Column("voided_count", "Voided"),
         Column("voided", "Voided $", "money"), Column("net", "Net $", "money")),
        "bar", "label", ("charged", "waived", "voided"), y_title="Dollars"),
)}
