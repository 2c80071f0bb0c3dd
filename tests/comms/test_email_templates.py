"""Every customer email (the templates scenarios.md names, and the PKG-4 decline) has
a text part and an HTML part on the shared layout, each with the ISP's name and phone
and the account's figures."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest

from lastmile.comms.services import base_context, render_parts
from lastmile.core import ispconfig

pytestmark = pytest.mark.django_db

ISP = {"isp_name": "Canyon Fiber & Air", "isp_phone": "385-555-0199"}

# template -> (context, the figures both parts must show)
CASES = {
    "delinquency_notice": ({"balance": "1,065.00", "balance_on": "September 16",
                            "shutoff_on": "Friday, September 18, 2026"},
                           ["$1,065.00", "September 16", "Friday, September 18, 2026"]),
    "shutoff_notice": ({"balance": "100.00", "balance_on": "September 18", "cancel_on": "Monday, September 30, 2026"},
                       ["$100.00", "September 18", "Monday, September 30, 2026"]),
    "final_notice": ({"balance": "100.00", "balance_on": "September 25", "cancel_on": "Wednesday, September 30, 2026"},
                     ["$100.00", "Wednesday, September 30, 2026"]),
    "plan_change_summary": ({"plan_name": "Premium", "monthly": "85.00", "prorated": "10.00",
                             "prorated_is_credit": False, "next_bill_date": "October 1, 2026",
                             "next_bill_amount": "95.00"},
                            ["Premium", "$85.00", "$10.00", "October 1, 2026", "$95.00"]),
    "plan_change_declined": ({"plan_name": "Premium"}, ["Premium"]),
    "cancellation_confirmation": ({"last_day": dt.date(2026, 10, 15), "uninstall_on": dt.date(2026, 10, 16),
                                   "pickup_on": dt.date(2026, 10, 16), "moved_out": True,
                                   "equipment_fee": "25.00", "under_contract": True, "etf": "150.00",
                                   "prorated": True, "utopia": False},
                                  ["Oct. 15, 2026", "Oct. 16, 2026", "$25.00", "$150.00"]),
    "service_agreement": ({"contract_end": dt.date(2027, 3, 1), "etf": "130.00", "months_remaining": 4,
                           "contract_kind": "residential", "monthly": "65.00"},
                          ["March 1, 2027", "$130.00", "$65.00", "4"]),
    "utopia_options": ({"penalty_free_on": dt.date(2027, 7, 1), "months_left": 4, "etf": "300.00",
                        "recommend": "finish_lease", "last_day": dt.date(2027, 2, 28), "has_lease": True,
                        "finish_lease_max_months": 4},
                       ["July 1, 2027", "$300.00", "Feb. 28, 2027", "4 month(s)"]),
}


def _visible(html: str) -> str:
    """The HTML part as a reader sees it: no tags, no styles, entities decoded."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_not1_scenarios_md_templates_are_all_covered():
    names = {"delinquency_notice", "shutoff_notice", "final_notice", "plan_change_summary",
             "cancellation_confirmation", "service_agreement", "utopia_options"}  # scenarios.md's list
    assert names <= set(CASES)


@pytest.mark.parametrize("template", sorted(CASES))
def test_each_email_has_text_and_html_parts_with_isp_and_figures(template, today, catalog):
    from tests.mixins import make_account

    account = make_account(name="Ana O'Neil")
    context, figures = CASES[template]
    with ispconfig.override(**ISP):
        ctx = base_context(account)
        ctx.update(context)
        subject, text, html = render_parts(template, ctx)
    assert subject and html.lstrip().startswith("<!DOCTYPE html>")
    shown = _visible(html)
    for part, name in ((text, "text"), (shown, "html")):
        flat = " ".join(part.split())  # the text part is text: "&" is "&", not "&amp;"
        assert "Canyon Fiber & Air" in flat, f"{template} {name} part lacks the ISP's name"
        assert "385-555-0199" in flat, f"{template} {name} part lacks the ISP's phone"
        assert "Ana O'Neil" in flat, f"{template} {name} part lacks the customer's name"
        for figure in figures:
            assert figure in flat, f"{template} {name} part lacks {figure!r}:\n{flat}"
    assert account.number in shown  # the layout's figures table and footer name the account
    assert 'href="tel:3855550199"' in html


def test_the_html_part_escapes_what_people_typed(today, catalog):
    from tests.mixins import make_account

    account = make_account(name="<script>x</script> Lee")
    ctx = base_context(account)
    ctx.update(CASES["plan_change_declined"][0])
    _, _, html = render_parts("plan_change_declined", ctx)
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_noc_requests_stay_plain_text(today, catalog):
    from tests.mixins import make_account

    account = make_account()
    ctx = base_context(account)
    ctx["request"] = {"address_id": "UT-10042", "address": "12 Elm St"}
    subject, text, html = render_parts("noc_suspend", ctx)
    assert "Shut off for non payment" in text and html == ""
