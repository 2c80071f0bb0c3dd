"""Fixtures of the notices' tests: a Twilio speaking on loopback, and an account with
a mobile number."""
from __future__ import annotations

import pytest

from tests.comms.twilio_loopback import TwilioLoopback

FROM = "+13855550100"


@pytest.fixture
def twilio(settings):
    with TwilioLoopback() as server:
        settings.LASTMILE_SMS = "twilio"
        settings.LASTMILE_TWILIO_ACCOUNT_SID = server.account_sid
        settings.LASTMILE_TWILIO_AUTH_TOKEN = server.auth_token
        settings.LASTMILE_TWILIO_FROM = FROM
        settings.LASTMILE_TWILIO_BASE_URL = server.base_url
        settings.LASTMILE_TWILIO_TIMEOUT = 0.5
        yield server


def mobile_account(*, phones=("801-555-0101",), mobile=("801-555-0101",), opening_balance="65.00", **extra):
    """An account that owes (so its notices go out) and whose `mobile` numbers take
    texts (phone_mobile_set, as staff mark them)."""
    from decimal import Decimal

    from lastmile.comms.services import phone_mobile_set
    from lastmile.core.actors import superuser
    from tests.mixins import make_account

    account = make_account(phones=phones, opening_balance=Decimal(opening_balance), **extra)
    for number in mobile:
        phone_mobile_set(account=account, number=number, mobile=True, actor=superuser("test"))
    return account
