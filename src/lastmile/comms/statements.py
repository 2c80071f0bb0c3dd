"""Statement documents (BIL-8): the PDF rendered from an HTML template with
WeasyPrint, or written directly (`LASTMILE_STATEMENT_PDF=direct`, 50 times as fast),
and the email that carries it.

Import direction: comms reads billing (statements, the ledger), billing never reads
comms. The bill run only writes statements; emailing them is a step of its own
(`statement_emails_queue`, a minute job outside the day run) that queues one outbox
message per issued statement, and the PDF itself is rendered when the outbox
delivers the message (`attachment_render`), so the bill run costs what it did.
"""
from __future__ import annotations

import datetime as dt
import functools
import zlib
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


RENDERERS = ("weasyprint", "direct")


def renderer() -> str:
    """`LASTMILE_STATEMENT_PDF`: `weasyprint` (statement.html through WeasyPrint, the
    default) or `direct` (the same page written straight to PDF, about 50 times as
    fast: see the direct writer below)."""
    from django.conf import settings

    name = (getattr(settings, "LASTMILE_STATEMENT_PDF", "") or "weasyprint").strip().lower()
    if name not in RENDERERS:
        raise ValueError(f"LASTMILE_STATEMENT_PDF is {name!r}; expected one of {', '.join(RENDERERS)}")
    return name


def context_to_pdf(ctx: dict) -> bytes:
    if renderer() == "direct":
        return statement_pdf_direct(ctx)
    ctx = dict(ctx, css="")  # the stylesheet is passed parsed, once per process
    return html_to_pdf(render_to_string(TEMPLATE, ctx))


def statement_pdf(statement: Statement) -> bytes:
    """BIL-8: the statement as a PDF document (bytes)."""
    return context_to_pdf(statement_context(statement))


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
    pdf = context_to_pdf(ctx)
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


__all__ = ["attachment_render", "context_to_pdf", "html_to_pdf", "statement_context", "statement_emails_queue",
           "statement_filename", "statement_for_download", "statement_html", "statement_pdf",
           "statement_pdf_direct"]


# --- the direct writer: the same page without an HTML layout engine ---------------------
# WeasyPrint lays out and draws every line box through Pango and subsets the fonts of
# every document: about 50 ms a statement however lean the HTML (a page with one word
# costs 12 ms), so it cannot reach BIL-8's 50 PDFs a second on one core. The direct
# writer draws the same parts, from the same context, at fixed positions in the PDF's
# own Helvetica and Courier (standard fonts: nothing embedded, nothing to subset), in
# well under a millisecond. `LASTMILE_STATEMENT_PDF` picks the renderer.
_HELVETICA = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 "
    "556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 "
    "667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 "
    "556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584")
_HELVETICA_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 "
    "556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 "
    "667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 "
    "611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584")
_EXTRA = {"·": 278, "–": 556, "—": 1000, "…": 1000, "“": 333, "”": 333, "‘": 222, "’": 222, "•": 350}
_WIDTHS = {
    "F1": {chr(32 + i): int(w) for i, w in enumerate(_HELVETICA.split())} | _EXTRA,
    "F2": {chr(32 + i): int(w) for i, w in enumerate(_HELVETICA_BOLD.split())} | _EXTRA,
}
_FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold", "F3": "Courier"}
PAGE_W, PAGE_H, MARGIN = 612.0, 792.0, 45.35  # letter, 16 mm margins (statement.css)
INK, MUTED, ACCENT, LABEL = (0.114, 0.153, 0.2), (0.29, 0.353, 0.416), (0.122, 0.373, 0.545), (0.204, 0.267, 0.31)


def _width(text: str, font: str, size: float) -> float:
    if font == "F3":
        return len(text) * 0.6 * size
    table = _WIDTHS[font]
    return sum(table.get(ch, 556) for ch in text) * size / 1000


def _pdf_text(text: str) -> bytes:
    data = text.encode("cp1252", "replace")  # WinAnsiEncoding, the standard fonts' own
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(runs: list[tuple[str, str]], size: float, width: float) -> list[list[tuple[str, str]]]:
    """Runs of (font, text) broken into lines no wider than `width`, at spaces."""
    lines, line, used = [], [], 0.0
    for font, text in runs:
        for word in text.replace("\n", " ").split(" "):
            piece = (" " if line else "") + word
            wide = _width(piece, font, size)
            if line and used + wide > width:
                lines.append(line)
                line, piece, used = [], word, 0.0
                wide = _width(word, font, size)
            if line and line[-1][0] == font:
                line[-1] = (font, line[-1][1] + piece)
            else:
                line.append((font, piece))
            used += wide
    if line:
        lines.append(line)
    return lines


class _Page:
    """A content stream filled from the top; a new page when the next line does not fit."""

    def __init__(self):
        self.pages: list[list[bytes]] = [[]]
        self.y = PAGE_H - MARGIN

    @property
    def ops(self) -> list[bytes]:
        return self.pages[-1]

    def room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.pages.append([])
            self.y = PAGE_H - MARGIN

    def color(self, rgb, stroke=False) -> None:
        self.ops.append(b"%.3f %.3f %.3f %s" % (*rgb, b"RG" if stroke else b"rg"))

    def text_line(self, runs, size: float, *, x: float = MARGIN, leading: float | None = None, rgb=INK,
                  right: bool = False) -> None:
        leading = leading or size * 1.45
        self.room(leading)
        self.y -= leading
        if right:
            x = PAGE_W - MARGIN - sum(_width(t, f, size) for f, t in runs)
        self.color(rgb)
        parts = [b"BT %.2f %.2f Td" % (x, self.y + (leading - size) / 2 + size * 0.2)]
        for font, text in runs:
            parts.append(b"/%s %.2f Tf %s Tj" % (font.encode(), size, _pdf_text(text)))
        parts.append(b"ET")
        self.ops.append(b" ".join(parts))

    def paragraph(self, runs, size: float, *, x: float = MARGIN, width: float | None = None, **kw) -> None:
        for line in _wrap(runs, size, width or PAGE_W - MARGIN - x):
            self.text_line(line, size, x=x, **kw)

    def rule(self, width: float, rgb, x: float = MARGIN, length: float | None = None) -> None:
        self.color(rgb, stroke=True)
        self.ops.append(b"%.2f w %.2f %.2f m %.2f %.2f l S" % (
            width, x, self.y, x + (length or PAGE_W - 2 * MARGIN), self.y))

    def box(self, top: float, *, fill=None, stroke=None, bar=None) -> None:
        """A frame from `top` down to the current line, drawn under its text."""
        height = top - self.y
        ops = []
        if fill:
            ops.append(b"%.3f %.3f %.3f rg %.2f %.2f %.2f %.2f re f" % (
                *fill, MARGIN, self.y, PAGE_W - 2 * MARGIN, height))
        if bar:
            ops.append(b"%.3f %.3f %.3f rg %.2f %.2f 2.25 %.2f re f" % (*bar, MARGIN, self.y, height))
        if stroke:
            ops.append(b"%.3f %.3f %.3f RG 0.5 w %.2f %.2f %.2f %.2f re S" % (
                *stroke, MARGIN, self.y, PAGE_W - 2 * MARGIN, height))
        self.ops.insert(self._box_start, b" ".join(ops))

    def mark(self) -> float:
        self._box_start = len(self.ops)
        return self.y


def _long(day) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _short(day) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def statement_pdf_direct(ctx: dict) -> bytes:
    """BIL-8's parts, in statement.html's order and look, written straight to PDF."""
    s, account = ctx["statement"], ctx["account"]
    page = _Page()
    page.text_line([("F2", f"Statement · issued {_long(s.issued_on)}")], 9.5, rgb=MUTED, right=True)
    page.text_line([("F2", ctx["isp_name"])], 16, rgb=ACCENT, leading=20)
    page.paragraph([("F1", f"{ctx['isp_address']} · {ctx['isp_phone']}")], 9.5, rgb=MUTED)
    page.y -= 5
    page.rule(2, ACCENT)
    page.y -= 8
    page.paragraph([("F2", "Account "), ("F1", f"{account.number} · {account.name}")], 9.5)
    page.paragraph([("F2", "Service address "), ("F1", ctx["service_address"])], 9.5)
    page.paragraph([("F2", "Service period "),
                    ("F1", f"{_short(s.period_start)} – {_short(s.period_end)} · "),
                    ("F2", "Plan "), ("F1", ctx["plan_name"])], 9.5)
    page.y -= 10
    page.room(40)
    top = page.mark()
    page.y -= 4
    page.text_line([("F2", f"Amount due ${ctx['amount_due']}")], 13, x=MARGIN + 8, leading=17)
    page.text_line([("F1", f"Due by {s.due_on:%A}, {_long(s.due_on)}")], 9.5, x=MARGIN + 8)
    page.y -= 4
    page.box(top, fill=(0.933, 0.957, 0.973), bar=ACCENT)
    page.y -= 12
    page.rule(1, INK)
    page.y -= 3
    for line in ctx["table"].split("\n"):
        page.text_line([("F3", line)], 8.6, leading=12.9)
        if page.y > PAGE_H - MARGIN - 13:  # a new page: the rule again on its top
            page.rule(1, INK)
    page.y -= 3
    page.rule(1, INK)
    page.y -= 12
    page.room(60)
    top = page.mark()
    page.y -= 4
    inner = dict(x=MARGIN + 8, width=PAGE_W - 2 * MARGIN - 16)
    page.text_line([("F2", "How to pay")], 9.5, x=MARGIN + 8, rgb=LABEL)
    if ctx["autopay"]:
        card = f"the card ending {ctx['card_last4']}" if ctx["card_last4"] else "your card on file"
        page.paragraph([("F1", f"Autopay is on: {card} is charged ${ctx['amount_due']} on the due date. "
                               "Nothing else to do.")], 9.5, **inner)
    page.paragraph([("F1", "Online: sign in to your customer portal and choose “Pay”.")], 9.5, **inner)
    page.paragraph([("F1", f"By phone: call {ctx['isp_phone']}.")], 9.5, **inner)
    page.paragraph([("F1", f"By mail: a check to {ctx['isp_name']}, {ctx['isp_address']}, with your account "
                           f"number {account.number}.")], 9.5, **inner)
    page.y -= 4
    page.box(top, stroke=(0.725, 0.776, 0.827))
    return _pdf_file(page.pages, title=f"Statement {account.number} {s.period_start}")


def _pdf_file(pages: list[list[bytes]], *, title: str) -> bytes:
    """Objects: catalog, page tree, the three fonts, then a page and its content per page."""
    fonts = b" ".join(b"/%s %d 0 R" % (key.encode(), 3 + i) for i, key in enumerate(_FONTS))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None]
    objects += [b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode()
                for name in _FONTS.values()]
    kids = []
    for ops in pages:
        content = zlib.compress(b"\n".join(ops), 6)
        kids.append(len(objects) + 1)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << %s >> >> "
                       b"/Contents %d 0 R >>" % (PAGE_W, PAGE_H, fonts, len(objects) + 2))
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    objects.append(b"<< /Title %s /Producer (lastmile) >>" % _pdf_text(title))
    out, offsets = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"], []
    size = len(out[0])
    for number, body in enumerate(objects, start=1):
        offsets.append(size)
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        out.append(chunk)
        size += len(chunk)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)]
    xref += [b"%010d 00000 n \n" % o for o in offsets]
    out += xref
    out.append(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), size))
    return b"".join(out)
