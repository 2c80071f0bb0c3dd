"""Statement documents (BIL-8): the PDF rendered from an HTML template with
WeasyPrint, and the email that carries it.

Import direction: comms reads billing (statements, the ledger), billing never reads
comms. The bill run only writes statements; emailing them is a step of its own
(`statement_emails_queue`, a minute job outside the day run) that queues one outbox
message per issued statement, and the PDF itself is rendered when the outbox
delivers the message (`attachment_render`), so the bill run costs what it did.
"""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.template.loader import render_to_string

from lastmile.accounts.models import Account, Email, PaymentCard
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.billing.selectors import statement_lines
from lastmile.core import clock, ispconfig
from lastmile.core.money import ZERO
from lastmile.core.periodic import periodic_job

from .models import OutboxMessage, OutboxStatus

TEMPLATE = "comms/statement/statement.html"
CSS_FILE = Path(__file__).parent / "templates" / "comms" / "statement" / "statement.css"
UA_CSS_FILE = CSS_FILE.with_name("statement_ua.css")
ATTACHMENT_KIND = "statement"
RECENT_DAYS = 7  # a statement older than this is not emailed by the queue (a first deploy)
_PAYMENT_TYPES = {"payment", "reversal", "refund"}


def _money(amount: Decimal) -> str:
    amount = Decimal(amount).quantize(Decimal("0.01"))
    return f"-{-amount:,.2f}" if amount < 0 else f"{amount:,.2f}"


def statement_context(statement: Statement) -> dict:
    """Everything BIL-8 puts on the page: the ISP, the account, the service address,
    the period, every line, the earlier balance and payments, amount due, due date."""
    settings = ispconfig.current()
    account = Account.objects.select_related("package", "address").get(pk=statement.account_id)
    earlier = LedgerEntry.objects.filter(
        account_id=account.pk, id__lte=statement.previous_entry_id).aggregate(s=Sum("amount"))["s"] or ZERO
    lines, payments, charges = [], ZERO, ZERO
    for entry in statement_lines(statement=statement):
        is_payment = entry.entry_type in _PAYMENT_TYPES or entry.amount < 0
        if is_payment:
            payments += entry.amount
        else:
            charges += entry.amount
        text = entry.description or entry.get_kind_display()
        if entry.entry_type == "payment":
            text = f"Payment, thank you ({entry.get_method_display().lower() or 'payment'})"
        lines.append({"date": entry.posted_on, "text": text, "amount": _money(entry.amount),
                      "payment": is_payment})
    table = _table(lines, earlier=_money(earlier), payments=_money(payments), charges=_money(charges),
                   balance=_money(statement.balance))
    card = PaymentCard.objects.filter(account_id=account.pk).order_by("-added_at", "-id").first()
    address = getattr(account, "address", None)
    return {
        "statement": statement, "account": account, "isp_name": settings.isp_name,
        "isp_address": settings.isp_address, "isp_phone": settings.isp_phone,
        "service_address": address.one_line() if address is not None else "",
        "plan_name": account.package.name, "lines": lines, "earlier_balance": _money(earlier),
        "payments_total": _money(payments), "charges_total": _money(charges),
        "balance": _money(statement.balance), "amount_due": _money(statement.amount_due),
        "autopay": account.autopay, "card_last4": card.last4 if card else "", "table": table,
    }


WIDTH = 98  # characters of the lines block at its size on a letter page


def _row(date: str, text: str, amount: str) -> str:
    room = WIDTH - 8 - 14
    if len(text) > room:
        text = text[: room - 1] + "…"
    return f"{date:<8}{text:<{room}}{amount:>14}"


def _table(lines: list[dict], *, earlier: str, payments: str, charges: str, balance: str) -> str:
    """Every line of the statement as fixed columns (date, description, amount)."""
    rule = "-" * WIDTH
    rows = [_row("Date", "Description", "Amount"), rule, _row("", "Earlier balance", earlier)]
    rows += [_row(f"{line['date']:%b} {line['date'].day}", line["text"], line["amount"]) for line in lines]
    rows += [rule, _row("", "Payments and credits this period", payments),
             _row("", "New charges this period", charges), _row("", "Balance", balance)]
    return "\n".join(rows)


def statement_html(statement: Statement, *, context: dict | None = None) -> str:
    ctx = dict(context or statement_context(statement))
    ctx["css"] = _css_text()
    return render_to_string(TEMPLATE, ctx)


@functools.cache
def _css_text() -> str:
    return CSS_FILE.read_text()


@functools.cache
def _weasy():
    """WeasyPrint's font configuration and the parsed stylesheet, made once per
    process: building them is most of the cost of a small document."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    user_agent = weasyprint.CSS(string=UA_CSS_FILE.read_text(), font_config=fonts)

    class StatementHTML(weasyprint.HTML):
        """The statement with a user-agent stylesheet of its own few elements: the
        full HTML5 one is matched against every element of every PDF (bench:
        statement_pdf, about 20% of a render)."""

        def _ua_stylesheets(self, forms=False):
            return [user_agent]

    return StatementHTML, fonts, weasyprint.CSS(string=_css_text(), font_config=fonts)


def html_to_pdf(html: str) -> bytes:
    document, fonts, css = _weasy()
    return document(string=html).write_pdf(stylesheets=[css], font_config=fonts)


def statement_pdf(statement: Statement) -> bytes:
    """BIL-8: the statement as a PDF document (bytes)."""
    ctx = statement_context(statement)
    ctx["css"] = ""  # the stylesheet is passed parsed, once per process
    return html_to_pdf(render_to_string(TEMPLATE, ctx))


def statement_filename(statement: Statement, number: str | None = None) -> str:
    number = number or Account.objects.filter(pk=statement.account_id).values_list("number", flat=True)[0]
    return f"statement-{number}-{statement.period_start.isoformat()}.pdf"


# --- emailing: the queue step and the delivery step --------------------------------------
def _mark() -> int:
    """The newest statement already queued: the queue picks up after it."""
    return OutboxMessage.objects.filter(attachment_kind=ATTACHMENT_KIND).aggregate(
        m=Max("attachment_ref"))["m"] or 0


@periodic_job("statement_emails", in_simulation=False)
def statement_emails_queue(*, limit: int = 5000) -> int:
    """BIL-8: one outbox message per issued statement to the account's addresses.

    Natural key `statement:<id>` (unique): a repeated or concurrent run queues each
    once. The subject is written now; the body and the PDF are rendered when the
    message is delivered. Runs every minute, so statements go out soon after the
    bill run, never inside it.
    """
    since = clock.today() - dt.timedelta(days=RECENT_DAYS)
    rows = list(
        Statement.objects.filter(pk__gt=_mark(), issued_on__gte=since).order_by("pk")
        .values_list("pk", "account_id", "amount_due", "due_on")[:limit]
    )
    if not rows:
        return 0
    emails: dict[int, list[str]] = {}
    for account_id, address in Email.objects.filter(
            account_id__in={r[1] for r in rows}).order_by("position", "id").values_list("account_id", "address"):
        emails.setdefault(account_id, []).append(address)
    settings = ispconfig.current()
    now = clock.now()
    messages = [
        OutboxMessage(
            account_id=account_id, template="statement", to=emails[account_id],
            subject=f"Your {settings.isp_name} statement: ${_money(amount_due)} due {due_on:%B} {due_on.day}"[:300],
            body="", key=f"statement:{pk}", created_at=now, attachment_kind=ATTACHMENT_KIND, attachment_ref=pk,
        )
        for pk, account_id, amount_due, due_on in rows if emails.get(account_id)
    ]
    try:
        with transaction.atomic():
            OutboxMessage.objects.bulk_create(messages, batch_size=1000)
    except IntegrityError:  # another worker queued some of them: queue the rest one by one
        for message in messages:
            OutboxMessage.objects.get_or_create(key=message.key, defaults={
                f.attname: getattr(message, f.attname) for f in OutboxMessage._meta.concrete_fields
                if f.attname not in ("id", "key")})
    return len(messages)


def attachment_render(message: OutboxMessage) -> tuple[str, list[tuple[str, bytes, str]]]:
    """The delivery step: the message's body and its attachments, rendered now."""
    if message.attachment_kind != ATTACHMENT_KIND:
        return message.body, []
    statement = Statement.objects.get(pk=message.attachment_ref)
    ctx = statement_context(statement)
    body = message.body or render_to_string("comms/statement.txt", ctx).strip().partition("\n")[2].strip() + "\n"
    ctx["css"] = ""
    pdf = html_to_pdf(render_to_string(TEMPLATE, ctx))
    return body, [(statement_filename(statement, ctx["account"].number), pdf, "application/pdf")]


def pending_statement_messages() -> int:
    return OutboxMessage.objects.filter(attachment_kind=ATTACHMENT_KIND, status=OutboxStatus.PENDING).count()


def statement_for_download(*, statement_id: int, account=None) -> Statement:
    from lastmile.core.errors import NotFound

    qs = Statement.objects.filter(pk=statement_id)
    if account is not None:
        qs = qs.filter(account=account)
    statement = qs.first()
    if statement is None:
        raise NotFound(f"there is no statement #{statement_id}" + (f" on account {account.number}" if account else ""),
                       field="statement")
    return statement


__all__ = ["attachment_render", "html_to_pdf", "statement_context", "statement_emails_queue",
           "statement_filename", "statement_for_download", "statement_html", "statement_pdf"]
