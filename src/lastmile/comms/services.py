"""Emails to customers and to the NOC, through the outbox."""
from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from lastmile.core import clock, ispconfig, timeline
from lastmile.core.actors import Actor

from .models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 6


def _render(template: str, context: dict) -> tuple[str, str]:
    try:
        text = render_to_string(f"comms/{template}.txt", context)
    except TemplateDoesNotExist:
        raise LookupError(f"there is no email template {template!r}") from None
    subject, _, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip() + "\n"


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
    settings = ispconfig.current()
    ctx = {"isp_name": settings.isp_name, "isp_phone": settings.isp_phone, "account": account,
           "today": clock.today()}
    ctx.update(context or {})
    subject, body = _render(template, ctx)
    key = key or f"{template}:{account.pk if account else 'none'}:{clock.now().isoformat()}"
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults=dict(account=account, template=template, to=to, cc=cc or [], subject=subject[:300],
                      body=body, created_at=clock.now()),
    )
    if not created:
        return None
    if record:
        timeline.record("email.sent", account=account, actor=actor, why=reason,
                        to=", ".join(to), template=template, subject=subject)
    return message


def outbox_deliver(*, limit: int = 500, connection=None) -> dict[str, int]:
    """Send what is due; a failure is retried with backoff and given up after 6 tries."""
    now = clock.now()
    sent = failed = 0
    settings = ispconfig.current()
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ).order_by("id")[:limit]
    connection = connection or get_connection()
    for msg in due:
        claimed = OutboxMessage.objects.filter(pk=msg.pk, status=OutboxStatus.PENDING, attempts=msg.attempts).update(
            attempts=msg.attempts + 1
        )
        if not claimed:
            continue
        try:
            body, attachments = msg.body, []
            if msg.attachment_kind:  # BIL-8: the statement PDF is rendered here, at delivery
                from .statements import attachment_render

                body, attachments = attachment_render(msg)
            EmailMessage(msg.subject, body, settings.from_email, msg.to, cc=msg.cc,
                         connection=connection, attachments=attachments).send()
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried
            attempts = msg.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=msg.pk).update(
                last_error=str(exc)[:1000],
                status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                next_attempt_at=now + dt.timedelta(minutes=2 ** attempts),
            )
            failed += 1
        else:
            OutboxMessage.objects.filter(pk=msg.pk).update(status=OutboxStatus.SENT, sent_at=clock.now())
            sent += 1
    return {"sent": sent, "failed": failed}
