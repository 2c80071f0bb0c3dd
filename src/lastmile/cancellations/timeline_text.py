"""How contracts and cancellations read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, day, describes, label, money, plain

from .choices import ContractKind, ContractStatus


def _choice(choices, code) -> str:
    try:
        return plain(choices(code).label)
    except ValueError:
        return label(code)


@describes("contract.status_set")
def _status(f: Facts):
    return f"Contract status: {_choice(ContractStatus, f['status']).lower() or 'unknown'}"


@describes("contract.recorded")
def _recorded(f: Facts):
    kind = _choice(ContractKind, f["kind"]) or "Contract"
    term = f" of {f['months']} months" if f["months"] else ""
    start = f" from {day(f['start'])}" if f["start"] else ""
    ends = f" to {day(f['ends'])}" if f["ends"] else ""
    extra = f"; {money(f['monthly'])}/mo" if f["monthly"] else ""
    etf = f"; early termination fee set at {money(f['etf_override'])}" if f["etf_override"] else ""
    return f"{kind} contract{term} recorded{start}{ends}{extra}{etf}"


@describes("cancellation.requested")
def _requested(f: Facts):
    why = f["reason"] or f.reason
    return (f"Cancellation requested: last day of service {day(f['last_day'])}", why)


@describes("cancellation.quoted")
def _quoted(f: Facts):
    bill = f["final_bill"] if isinstance(f["final_bill"], dict) else {}
    parts = [f"Cancellation quoted for last day {day(f['last_day'])}"]
    if f["under_contract"]:
        parts.append(f"under contract until {day(f['contract_end'])}, {f['months_remaining']} month(s) left, "
                     f"early termination fee {money(f['etf'])}")
    else:
        parts.append("no contract, no early termination fee")
    if bill.get("final_balance") is not None:
        parts.append(f"final balance {money(bill['final_balance'])}")
    return "; ".join(parts), ""


@describes("utopia.options")
def _options(f: Facts):
    if f["penalty_free_on"]:
        lease = (f"UTOPIA lease: {f['months_left']} month(s) left, penalty-free from {day(f['penalty_free_on'])}, "
                 f"UTOPIA's fee {money(f['etf'])}")
    else:
        lease = "UTOPIA lease options given: no lease fee"
    return f"{lease}; recommended: {label(f['recommend']) or 'cancel'}", ""


@describes("cancellation.confirmed")
def _confirmed(f: Facts):
    text = f"Cancellation confirmed: last day {day(f['last_day'])}"
    if f["uninstall_on"]:
        text += f", uninstall {day(f['uninstall_on'])}"
    if f["pickup_on"]:
        text += f", equipment pickup {day(f['pickup_on'])}"
    if f["short_notice"]:
        text += " (short notice)"
    return text, ""


@describes("cancellation.declined")
def _declined(f: Facts):
    return f"Cancellation with last day {day(f['last_day'])} declined by the UTOPIA admin"


@describes("equipment.returned")
def _returned(f: Facts):
    return f"Equipment returned on {day(f['on'])}" if f["on"] else "Equipment returned"


@describes("equipment.pickup_failed")
def _pickup_failed(f: Facts):
    return "Equipment pickup failed; the replacement fee is charged"
