"""`resolve_ticket` in a scenario for every kind that waits on a person (TKT-1).

premium_availability (pkg_premium_review), utopia_admin for a plan change
(pkg_utopia_and_future) and for a cancellation (can_utopia_cancel), contract_lookup
(con_contract_unknown_lookup) are covered by tests/scenarios; noc_followup (DLQ-7)
is here, with the refusal of a role that may not answer it, and each of the others
once more in one short scenario that reads the outcome."""
from __future__ import annotations

import pytest

from tests.mixins import of_type, run_scenario_text

pytestmark = pytest.mark.django_db

ACCOUNT = """
  - ref: ana
    name: Ana Lopez
    kind: residential
    network: utopia
    plan: classic
    address: {line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057", address_id: "UT-10042"}
    phones: ["801-555-0101"]
    emails: ["ana@example.test"]
    service_start: 2025-06-05
"""


def test_dlq7_resolve_ticket_noc_followup_reinstates():
    result = run_scenario_text(f"""
        start: 2026-09-01
        end: 2026-09-21
        settings:
          noc_auto_confirm: false
          policies: {{utopia: utopia-2022-04}}
        accounts:{ACCOUNT}
        events:
          - {{on: 2026-09-18, account: ana, do: noc_confirm, operation: suspend}}
          - {{on: 2026-09-18, account: ana, do: payment, amount: "100.00", method: phone}}
          - {{on: 2026-09-21, account: ana, do: resolve_ticket, ticket: noc_followup, as: agent}}
          - {{on: 2026-09-21, account: ana, do: resolve_ticket, ticket: noc_followup, as: noc}}
        """.replace("\n        ", "\n"))
    refused = of_type(result, "action.refused", "ana")
    assert len(refused) == 1 and refused[0]["verb"] == "resolve_ticket"  # an agent may not answer for the NOC
    assert result["accounts"]["ana"]["status"] == "active"
    closed = [e for e in of_type(result, "ticket.closed", "ana") if e.get("kind") == "noc_followup"]
    assert [str(e["date"]) for e in closed] == ["2026-09-21"]


def test_pkg4_pkg10_can8_con8_resolve_ticket_for_each_kind():
    result = run_scenario_text(f"""
        start: 2026-09-01
        end: 2026-09-05
        accounts:{ACCOUNT}
          - ref: wes
            name: Wes Hall
            kind: residential
            network: wireless
            plan: classic
            address: {{line1: "9 Pine St", city: Orem, state: UT, postal_code: "84057"}}
            emails: ["wes@example.test"]
            service_start: 2025-06-05
          - ref: tia
            name: Tia Grant
            kind: residential
            network: wireless
            plan: basic
            address: {{line1: "30 Willow Rd", city: Orem, state: UT, postal_code: "84057"}}
            emails: ["tia@example.test"]
            service_start: 2018-01-10
            contract: unknown
        events:
          - {{on: 2026-09-02, account: wes, do: change_plan, to: premium, reason: gaming, consent: written}}
          - {{on: 2026-09-02, account: ana, do: request_cancellation, last_day: 2026-10-31, reason: Moving}}
          - {{on: 2026-09-02, account: tia, do: request_cancellation, last_day: 2026-10-31, reason: Moving}}
          - {{on: 2026-09-03, account: wes, do: resolve_ticket, ticket: premium_availability, premium_available: true}}
          - {{on: 2026-09-03, account: ana, do: resolve_ticket, ticket: utopia_admin, approved: true}}
          - {{on: 2026-09-03, account: tia, do: resolve_ticket, ticket: contract_lookup, contract: none}}
        """.replace("\n        ", "\n"))
    assert not of_type(result, "action.refused"), of_type(result, "action.refused")
    changed = of_type(result, "plan.changed", "wes")
    assert changed and changed[-1]["to"] == "premium"
    kinds = {e["kind"] for e in of_type(result, "ticket.closed")}
    assert {"premium_availability", "utopia_admin", "contract_lookup"} <= kinds
