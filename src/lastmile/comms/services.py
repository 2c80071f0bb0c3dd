"""Emails and texts to customers and to the NOC, through the outbox.

An email has a text part and, when its template has one (`comms/<name>.html`, on
the shared layout), an HTML part: both are rendered when the message is queued, in
the same transaction as the change that causes it, and sent as
multipart/alternative. A text (SMS) is an outbox row of its own, one per mobile
number, delivered by the same worker through the SMS adapter (`sms.py`).
"""
from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from lastmile.core import clock, ispconfig, timeline
from lastmile.core.actors import Actor, automation

from . import quiet_hours
from .models import Channel, OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 6
# NOT-1: the delinquency notices; each is checked against the balance when it is sent
NOTICE_TEMPLATES = frozenset({"delinquency_notice", "shutoff_notice", "final_notice"})


# ------------------------------------------------------------------ rendering
def _plain(name: str, context: dict) -> str:
    """A text template rendered as text: "&" and "'" stay themselves (HTML escaping
    is for the HTML part only)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def _render(template: str, context: dict) -> tuple[str, str]:
    try:
        text = _plain(f"comms/{template}.txt", context)
    except TemplateDoesNotExist:
        raise LookupError(f"there is no email template {template!r}") from None
    subject, _, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip() + "\n"


def render_parts(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text part and HTML part ("" when the template has no HTML part, as
    the NOC's plain requests do)."""
    subject, body = _render(template, context)
    try:
        html = render_to_string(f"comms/{template}.html", {**context, "subject": subject})
    except TemplateDoesNotExist:
        html = ""
    return subject, body, html


def render_sms(template: str, context: dict) -> str:
    try:
        text = _plain(f"comms/sms/{template}.txt", context)
    except TemplateDoesNotExist:
        raise LookupError(f"there is no text-message template {template!r}") from None
    return " ".join(text.split())


@functools.cache
def sms_template_exists(template: str) -> bool:
    """Only notices with a text version (`comms/sms/<name>.txt`) are texted."""
    try:
        get_template(f"comms/sms/{template}.txt")
    except TemplateDoesNotExist:
        return False
    return True


def base_context(account=None) -> dict:
    settings = ispconfig.current()
    return {"isp_name": settings.isp_name, "isp_phone": settings.isp_phone, "account": account,
            "today": clock.today()}


# ------------------------------------------------------------------ quiet hours (NOT-1)
def quiet_window(settings=None) -> tuple[dt.time, dt.time, zoneinfo.ZoneInfo]:
    """The allowed window of the ISP's settings and the ISP's zone."""
    from django.conf import settings as django_settings

    settings = settings or ispconfig.current()
    start = quiet_hours.parse_hhmm(settings.quiet_hours_start, field="quiet_hours_start")
    end = quiet_hours.parse_hhmm(settings.quiet_hours_end, field="quiet_hours_end")
    quiet_hours.check_window(start, end)
    return start, end, zoneinfo.ZoneInfo(django_settings.TIME_ZONE)


def allowed_at(at: dt.datetime | None = None) -> dt.datetime:
    """NOT-1: `at` (default now) if a text or a call may happen then, else the next
    moment one may."""
    start, end, tz = quiet_window()
    return quiet_hours.next_allowed(at or clock.now(), start=start, end=end, tz=tz)


# ------------------------------------------------------------------ queueing
@transaction.atomic
def email_send(
    *, template: str, to: list[str], actor: Actor | str, account=None, context: dict | None = None,
    key: str | None = None, cc: list[str] | None = None, reason: str = "", record: bool = True,
) -> OutboxMessage | None:
    """Queue an email and record `email.sent` (to, template).

    With a natural `key` the same email is queued once; without recipients nothing is
    queued and the caller is told by a None.
    """
    to = [t for t in to if t]
    if not to:
        return None
    ctx = base_context(account)
    ctx.update(context or {})
    subject, body, html = render_parts(template, ctx)
    key = key or f"{template}:{account.pk if account else 'none'}:{clock.now().isoformat()}"
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults=dict(account=account, template=template, to=to, cc=cc or [], subject=subject[:300],
                      body=body, html_body=html, created_at=clock.now()),
    )
    if not created:
        return None
    if record:
        timeline.record("email.sent", account=account, actor=actor, why=reason,
                        to=", ".join(to), template=template, subject=subject)
    return message


def sms_numbers(*, account) -> list[str]:
    """The account's numbers that take texts: mobile ones, unless the account opted
    out of texts (E.164, each once)."""
    from .sms import e164

    if getattr(account, "sms_opt_out", False):
        return []
    numbers = []
    for number in account.phones.filter(mobile=True).order_by("position", "id").values_list("number", flat=True):
        if e164(number) not in numbers:
            numbers.append(e164(number))
    return numbers


@transaction.atomic
def sms_send(*, template: str, account, actor: Actor | str, context: dict | None = None, key: str,
             reason: str = "", numbers: list[str] | None = None) -> list[OutboxMessage]:
    """Queue one text per mobile number of the account (none when texts are off, the
    account opted out or has no mobile number) and record `sms.sent` (to, template).

    Natural key `<key>:sms:<number>`. NOT-1: a text queued in quiet hours waits in
    the outbox for the window to open (`next_attempt_at`)."""
    from .sms import sms_enabled

    if not sms_enabled() or not sms_template_exists(template):
        return []
    numbers = sms_numbers(account=account) if numbers is None else numbers
    if not numbers:
        return []
    ctx = base_context(account)
    ctx.update(context or {})
    body = render_sms(template, ctx)
    now = clock.now()
    send_at = allowed_at(now)
    queued = []
    for number in numbers:
        message, created = OutboxMessage.objects.get_or_create(
            key=f"{key}:sms:{number}"[:250],
            defaults=dict(account=account, template=template, channel=Channel.SMS, to=[number], subject="",
                          body=body, created_at=now, next_attempt_at=send_at if send_at > now else None),
        )
        if created:
            queued.append(message)
            timeline.record("sms.sent", account=account, actor=actor, why=reason, to=number, template=template,
                            **({"send_at": send_at.isoformat(timespec="minutes")} if send_at > now else {}))
    return queued


def notice_send(*, template: str, account, to: list[str], actor: Actor | str, context: dict, key: str,
                reason: str = "") -> OutboxMessage | None:
    """A delinquency notice: the email to the account's addresses and, NOT-1, a text
    to each mobile number that has not opted out."""
    message = email_send(template=template, to=to, account=account, actor=actor, context=context, key=key,
                         reason=reason)
    sms_send(template=template, account=account, actor=actor, context=context, key=key, reason=reason)
    return message


# ------------------------------------------------------------------ preferences
def _require(actor: Actor | str, what: str) -> None:
    if isinstance(actor, Actor):
        actor.require("account.change", what)


@transaction.atomic
def sms_opt_out_set(*, account, opted_out: bool, actor: Actor | str, reason: str = "") -> bool:
    """The customer asked for no texts (or for texts again); queued texts that have
    not gone out are skipped. Returns whether anything changed."""
    from lastmile.accounts.models import Account

    _require(actor, "changing whether the customer takes texts")
    changed = Account.objects.filter(pk=account.pk).exclude(sms_opt_out=opted_out).update(sms_opt_out=opted_out)
    account.sms_opt_out = opted_out
    if not changed:
        return False
    if opted_out:
        OutboxMessage.objects.filter(account_id=account.pk, channel=Channel.SMS, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SKIPPED, skip_reason="the customer opted out of texts")
    timeline.record("sms.opt_out" if opted_out else "sms.opt_in", account=account, actor=actor,
                    why=reason or ("no texts, as the customer asked" if opted_out else "texts again"))
    return True


@transaction.atomic
def phone_mobile_set(*, account, number: str, mobile: bool, actor: Actor | str) -> None:
    """Mark one of the account's numbers as a mobile number (it can take texts)."""
    from lastmile.accounts.models import Phone
    from lastmile.core.errors import NotFound

    _require(actor, "marking a mobile number")
    if not Phone.objects.filter(account_id=account.pk, number=number).update(mobile=mobile):
        raise NotFound(f"account {account.number} has no phone number {number}", field="phone")
    timeline.record("phone.changed", account=account, actor=actor, why="which numbers take texts",
                    phone=number, mobile=mobile)


@transaction.atomic
def texts_set(*, account, actor: Actor | str, mobile: list[str] | None = None,
              opted_out: bool | None = None) -> None:
    """The API's one change: which of the account's numbers take texts (the others do
    not), and whether the customer opted out. A number not on the account is refused
    before anything changes."""
    from lastmile.accounts.models import Phone
    from lastmile.core.errors import InvalidInput

    _require(actor, "changing who takes texts")
    if mobile is not None:
        numbers = dict(Phone.objects.filter(account_id=account.pk).values_list("number", "mobile"))
        unknown = [n for n in mobile if n not in numbers]
        if unknown:
            raise InvalidInput(f"{', '.join(unknown)} is not a phone number of account {account.number}; "
                               f"its numbers are {', '.join(numbers) or 'none'}", field="mobile")
        for number, was in numbers.items():
            if (number in mobile) != was:
                phone_mobile_set(account=account, number=number, mobile=number in mobile, actor=actor)
    if opted_out is not None:
        sms_opt_out_set(account=account, opted_out=opted_out, actor=actor)


# ------------------------------------------------------------------ delivery
def _paid_up(account_id: int) -> str:
    """NOT-1: why a delinquency notice must not go out now ("" when it must)."""
    from lastmile.billing.selectors import balance

    owed = balance(account=account_id)
    if owed <= 0:
        return f"the balance is ${owed:,.2f} now: nothing is owed, so the notice was not sent"
    return ""


def _skip(msg: OutboxMessage, reason: str) -> bool:
    done = OutboxMessage.objects.filter(pk=msg.pk, status=OutboxStatus.PENDING, attempts=msg.attempts).update(
        status=OutboxStatus.SKIPPED, skip_reason=reason[:300], sent_at=None)
    if done and msg.account_id:
        timeline.record("notice.skipped", account=msg.account, actor=automation("outbox"), why="NOT-1",
                        template=msg.template, channel=msg.channel, to=", ".join(msg.to), reason=reason)
    return bool(done)


def message_id(msg: OutboxMessage, from_email: str = "") -> str:
    """Issue 15: one Message-ID per outbox row, the same on every attempt. Delivery is
    at least once (a send whose answer was lost, or a worker killed between the send
    and the mark, is sent again), and this id lets the receiver drop the repeat."""
    import hashlib

    domain = from_email.rpartition("@")[2].strip("> ") or "lastmile.invalid"
    return f"<outbox.{msg.pk}.{hashlib.sha256(msg.key.encode()).hexdigest()[:12]}@{domain}>"


def _attachment_html(msg: OutboxMessage) -> str:
    """The HTML part of an email rendered at delivery (the statement's: BIL-8 renders
    its PDF then too), on the same layout as every other email."""
    from lastmile.billing.models import Statement

    from .statements import ATTACHMENT_KIND, statement_context

    if msg.attachment_kind != ATTACHMENT_KIND or msg.attachment_ref is None:
        return ""
    statement = Statement.objects.filter(pk=msg.attachment_ref).first()
    if statement is None:
        return ""
    return render_to_string("comms/statement.html", {**statement_context(statement), "subject": msg.subject})


def _send_email(msg: OutboxMessage, connection, from_email: str) -> None:
    body, attachments, html = msg.body, [], msg.html_body
    if msg.attachment_kind:  # BIL-8: the statement PDF is rendered here, at delivery
        from .statements import attachment_render

        body, attachments = attachment_render(msg)
        html = html or _attachment_html(msg)
    email = EmailMultiAlternatives(msg.subject, body, from_email, msg.to, cc=msg.cc, connection=connection,
                                   attachments=attachments, headers={"Message-ID": message_id(msg, from_email)})
    if html:
        email.attach_alternative(html, "text/html")
    email.send()


def _opted_out_by_reply(msg: OutboxMessage) -> None:
    """Twilio 21610: the number replied STOP; the account takes no more texts."""
    if msg.account_id:
        sms_opt_out_set(account=msg.account, opted_out=True, actor=automation("outbox"),
                        reason=f"{msg.to[0]} replied STOP to a text (Twilio 21610)")


def outbox_deliver(*, limit: int = 500, connection=None, sender=None) -> dict[str, int]:
    """Send what is due; a failure is retried with backoff and given up after 6 tries.

    NOT-1 is checked here, when the message would go out, not only when it was
    queued: a delinquency notice to an account that owes nothing any more is skipped
    (with its reason), and a text outside the allowed hours waits for the window.
    A text the provider refuses for good (an invalid number) fails at once.
    """
    from .sms import UNSUBSCRIBED, SmsRejected, get_sender

    now = clock.now()
    sent = failed = skipped = deferred = 0
    settings = ispconfig.current()
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ).select_related("account").order_by("id")[:limit]
    connection = connection or get_connection()
    window = None
    for msg in due:
        if msg.template in NOTICE_TEMPLATES and msg.account_id:
            reason = _paid_up(msg.account_id)
            if reason:
                skipped += _skip(msg, reason)
                continue
        if msg.channel == Channel.SMS:
            if msg.account is not None and msg.account.sms_opt_out:
                skipped += _skip(msg, "the customer opted out of texts")
                continue
            window = window or quiet_window(settings)
            start, end, tz = window
            if not quiet_hours.in_window(now, start=start, end=end, tz=tz):
                OutboxMessage.objects.filter(pk=msg.pk, status=OutboxStatus.PENDING).update(
                    next_attempt_at=quiet_hours.next_allowed(now, start=start, end=end, tz=tz))
                deferred += 1
                continue
        claimed = OutboxMessage.objects.filter(pk=msg.pk, status=OutboxStatus.PENDING, attempts=msg.attempts).update(
            attempts=msg.attempts + 1
        )
        if not claimed:
            continue
        attempts = msg.attempts + 1
        provider_ref = ""
        try:
            if msg.channel == Channel.SMS:
                sender = sender or get_sender()
                result = sender.send(to=msg.to[0], body=msg.body)
                provider_ref = result.sid
            else:
                _send_email(msg, connection, settings.from_email)
        except SmsRejected as exc:  # for good: retrying the same message cannot help
            OutboxMessage.objects.filter(pk=msg.pk).update(
                last_error=str(exc)[:1000], status=OutboxStatus.FAILED, next_attempt_at=None)
            failed += 1
            if exc.code == UNSUBSCRIBED:
                _opted_out_by_reply(msg)
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried
            gave_up = attempts >= MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=msg.pk).update(
                last_error=str(exc)[:1000],
                status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                next_attempt_at=now + dt.timedelta(minutes=2 ** attempts),
            )
            failed += 1
        else:
            OutboxMessage.objects.filter(pk=msg.pk).update(status=OutboxStatus.SENT, sent_at=clock.now(),
                                                           provider_ref=provider_ref[:64])
            sent += 1
    result = {"sent": sent, "failed": failed}
    if skipped:
        result["skipped"] = skipped
    if deferred:
        result["deferred"] = deferred
    return result
