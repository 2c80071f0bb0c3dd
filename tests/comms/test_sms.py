"""NOT-1: texts through Twilio's REST API, tested against a loopback server speaking it:
a text is queued in the outbox and sent by the outbox worker; an invalid number fails
at once, a 5xx or a timeout is retried; quiet hours hold texts back."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.comms.models import Channel, OutboxMessage, OutboxStatus
from lastmile.comms.services import outbox_deliver, sms_opt_out_set, sms_send
from lastmile.comms.sms import SmsRejected, TwilioSms, e164
from lastmile.core.actors import superuser
from lastmile.core.timeline import TimelineEntry
from tests.comms.conftest import FROM, mobile_account
from tests.comms.twilio_loopback import FLAKY, INVALID, SLOW, STOPPED

pytestmark = pytest.mark.django_db
ACTOR = superuser("test")


def _queue(account, number=None, key="t1"):
    return sms_send(template="delinquency_notice", account=account, actor=ACTOR, key=key,
                    context={"balance": "65.00", "shutoff_on": "Friday, September 18, 2026"},
                    numbers=[number] if number else None)


def test_e164_numbers():
    assert e164("801-555-0101") == "+18015550101"
    assert e164("(801) 555.0101") == "+18015550101"
    assert e164("1 801 555 0101") == "+18015550101"
    assert e164("+44 20 7946 0958") == "+442079460958"


def test_twilio_adapter_posts_the_documented_request(twilio):
    sender = TwilioSms(account_sid=twilio.account_sid, auth_token=twilio.auth_token, from_=FROM,
                       base_url=twilio.base_url)
    result = sender.send(to="+18015550101", body="Hello")
    assert result.sid.startswith("SM") and result.status == "queued"
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert request["form"] == {"To": "+18015550101", "From": FROM, "Body": "Hello"}
    assert request["auth"].startswith("Basic ")
    wrong = TwilioSms(account_sid=twilio.account_sid, auth_token="nope", from_=FROM, base_url=twilio.base_url)
    with pytest.raises(SmsRejected, match="Twilio 401, error 20003: Authenticate"):
        wrong.send(to="+18015550101", body="Hello")


def test_twilio_needs_its_settings(settings):
    from lastmile.comms.sms import get_sender

    settings.LASTMILE_SMS = "twilio"
    settings.LASTMILE_TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ValueError, match="LASTMILE_TWILIO_ACCOUNT_SID"):
        get_sender()
    settings.LASTMILE_SMS = "carrier-pigeon"
    with pytest.raises(ValueError, match="none or twilio"):
        get_sender()


def test_not1_a_text_is_queued_once_and_sent_by_the_outbox_worker(twilio, today, catalog):
    account = mobile_account(phones=("801-555-0101", "801-555-0102"), mobile=("801-555-0102",))
    [message] = _queue(account)
    assert _queue(account) == []  # natural key: queued once
    assert (message.channel, message.to, message.next_attempt_at) == (Channel.SMS, ["+18015550102"], None)
    assert "$65.00 owed" in message.body and "801-555-0100" in message.body and "STOP" in message.body
    assert outbox_deliver() == {"sent": 1, "failed": 0}
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.provider_ref.startswith("SM")
    assert twilio.accepted == [{"To": "+18015550102", "From": FROM, "Body": message.body}]
    entry = TimelineEntry.objects.get(type="sms.sent")
    assert entry.data["to"] == "+18015550102" and entry.data["template"] == "delinquency_notice"


def test_not1_an_invalid_number_fails_at_once_and_is_not_retried(twilio, today, catalog):
    account = mobile_account()
    [message] = _queue(account, INVALID)
    assert outbox_deliver() == {"sent": 0, "failed": 1}
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 1
    assert "21211" in message.last_error and "not a valid phone number" in message.last_error
    today.advance(days=2)
    assert outbox_deliver() == {"sent": 0, "failed": 0}
    assert len(twilio.requests) == 1


def test_not1_a_twilio_5xx_is_retried_with_backoff_until_it_goes_through(twilio, today, catalog):
    account = mobile_account()
    [message] = _queue(account, FLAKY)
    assert outbox_deliver() == {"sent": 0, "failed": 1}
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and "Twilio 500" in message.last_error
    assert message.next_attempt_at == today.now() + dt.timedelta(minutes=2)
    assert outbox_deliver() == {"sent": 0, "failed": 0}  # not due yet
    today.advance(minutes=2)
    assert outbox_deliver() == {"sent": 0, "failed": 1}  # the second 500
    today.advance(minutes=4)
    assert outbox_deliver() == {"sent": 1, "failed": 0}
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 3
    assert len(twilio.requests) == 3


def test_not1_a_timeout_is_retried(twilio, today, catalog):
    account = mobile_account()
    [message] = _queue(account, SLOW)
    assert outbox_deliver() == {"sent": 0, "failed": 1}
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and "could not be reached" in message.last_error
    twilio.slow_seconds = 0
    today.advance(minutes=2)
    assert outbox_deliver() == {"sent": 1, "failed": 0}


def test_not1_a_stop_reply_opts_the_account_out(twilio, today, catalog):
    account = mobile_account()
    [message] = _queue(account, STOPPED)
    assert outbox_deliver() == {"sent": 0, "failed": 1}
    account.refresh_from_db()
    assert account.sms_opt_out is True
    assert TimelineEntry.objects.filter(type="sms.opt_out", account=account).exists()
    assert _queue(account, key="t2") == []  # no more texts to this account


def test_not1_no_text_without_a_mobile_number_after_opt_out_or_with_texts_off(twilio, today, catalog, settings):
    assert _queue(mobile_account(mobile=()), key="a") == []  # the number is not known to be a mobile
    opted = mobile_account(name="Bo Opted")
    assert sms_opt_out_set(account=opted, opted_out=True, actor=ACTOR)
    assert _queue(opted, key="b") == []
    settings.LASTMILE_SMS = "none"
    assert _queue(mobile_account(name="Cy Off"), key="c") == []
    assert not OutboxMessage.objects.filter(channel=Channel.SMS).exists()


def test_not1_opting_out_skips_texts_already_queued(twilio, today, catalog):
    account = mobile_account()
    [message] = _queue(account)
    sms_opt_out_set(account=account, opted_out=True, actor=ACTOR)
    assert outbox_deliver() == {"sent": 0, "failed": 0}
    message.refresh_from_db()
    assert message.status == OutboxStatus.SKIPPED and "opted out" in message.skip_reason
    assert twilio.requests == []


def test_not1_a_text_queued_in_quiet_hours_waits_for_8am(twilio, today, catalog):
    account = mobile_account()
    today.set_day(dt.date(2026, 9, 16), hour=6)  # the early-morning day run
    [message] = _queue(account)
    assert message.next_attempt_at == dt.datetime(2026, 9, 16, 8, 0, tzinfo=today.tz)
    assert TimelineEntry.objects.get(type="sms.sent").data["send_at"] == "2026-09-16T08:00-06:00"
    assert outbox_deliver() == {"sent": 0, "failed": 0}
    today.advance(hours=2)
    assert outbox_deliver() == {"sent": 1, "failed": 0}


def test_not1_a_retry_that_falls_in_quiet_hours_waits_for_the_next_morning(twilio, today, catalog):
    account = mobile_account()
    today.set_day(dt.date(2026, 9, 16), hour=20)
    today.advance(minutes=59)
    [message] = _queue(account, FLAKY)
    assert outbox_deliver() == {"sent": 0, "failed": 1}  # 20:59: a 500, retry at 21:01
    today.advance(minutes=2)
    assert outbox_deliver() == {"sent": 0, "failed": 0, "deferred": 1}
    message.refresh_from_db()
    assert message.next_attempt_at == dt.datetime(2026, 9, 17, 8, 0, tzinfo=today.tz)
    assert len(twilio.requests) == 1  # nothing was sent at 21:01


def test_not1_quiet_hours_are_configurable(twilio, today, catalog):
    from lastmile.core import ispconfig

    account = mobile_account()
    today.set_day(dt.date(2026, 9, 16), hour=9)
    with ispconfig.override(quiet_hours_start="10:00", quiet_hours_end="18:00"):
        [message] = _queue(account)
    assert message.next_attempt_at == dt.datetime(2026, 9, 16, 10, 0, tzinfo=today.tz)
