"""How the delinquency cases read in the timeline (core.timeline_text finds this module)."""
import re

from lastmile.core.timeline_text import Facts, actor_phrase, day, describes, label, money

# the automation acts as "delinquency <policy> <step>" (services.common._actor)
_ACTOR = re.compile(r"^delinquency\s+(\S+)\s+(\S+)$")
_STEP_REASON = re.compile(r"^(\S+) (?:step (\S+)|v(\d+))(?::\s*(.*))?$")


@actor_phrase
def _policy_step(what: str):
    m = _ACTOR.match(what)
    if m and m.group(1) not in ("arrangement",):
        return f"policy {m.group(1)}, step {m.group(2)}"
    if what.startswith("delinquency "):
        return f"collections, {what.removeprefix('delinquency ')}"
    return None


def policy_reason(reason: str) -> str:
    """"DLQ-1 utopia-2022-04 step open: no contact" -> "policy utopia-2022-04, step open: no contact"."""
    from lastmile.core.timeline_text import plain

    text = plain(reason)
    m = _STEP_REASON.match(text)
    if not m:
        return text
    said = f"policy {m.group(1)}" + (f", step {m.group(2)}" if m.group(2) else f", version {m.group(3)}")
    return said + (f": {m.group(4)}" if m.group(4) else "")


_OUTCOMES = {"paid": "the balance was paid", "arrangement": "the arrangement was kept",
             "claim": "the customer says a payment was sent", "cancelled": "the account was cancelled"}


@describes("delinquency.opened")
def _opened(f: Facts):
    owed = f" for {money(f['owed'])} past due" if f["owed"] else ""
    policy = f" (policy {f['policy']})" if f["policy"] else ""
    d = f"; delinquency day {day(f['d'])}" if f["d"] else ""
    return f"Delinquency case opened{owed}{policy}{d}", ""


@describes("delinquency.step")
def _step(f: Facts):
    step = label(f["step"]) or "a step"
    if f["outcome"] == "skipped" or f["skipped_because"]:
        return (f"Collection step {step} skipped", label(f["skipped_because"]))
    return f"Collection step {step} done", ""


@describes("delinquency.closed")
def _closed(f: Facts):
    how = _OUTCOMES.get(f["outcome"], label(f["outcome"]))
    return (f"Delinquency case closed: {how}" if how else "Delinquency case closed"), ""


def _installments(items) -> str:
    if not isinstance(items, list):
        return ""
    return ", ".join(f"{money(i.get('amount'))} by {day(i.get('on'))}" for i in items if isinstance(i, dict))


@describes("arrangement.proposed")
def _proposed(f: Facts):
    plan = _installments(f["installments"])
    return (f"Payment arrangement of {money(f['total'])} proposed" + (f" ({plan})" if plan else "")
            + "; waiting for a manager's approval"), ""


@describes("arrangement.created")
def _created(f: Facts):
    plan = _installments(f["installments"])
    by = f", proposed by {f['proposed_by']}" if f["proposed_by"] else ""
    return (f"Payment arrangement of {money(f['total'])} approved" + (f" ({plan})" if plan else "")
            + f"{by}; the case is paused while it is kept"), ""


@describes("arrangement.declined")
def _declined(f: Facts):
    return "Proposed payment arrangement declined", f["reason"] or f.reason


@describes("arrangement.kept")
def _kept(f: Facts):
    return f"Payment arrangement kept: {money(f['paid'])} paid", ""


@describes("arrangement.broken")
def _broken(f: Facts):
    return f"Payment arrangement broken: the installment of {day(f['on'])} was not paid in full", ""


@describes("fee.waived")
def _waived(f: Facts):
    basis = label(f["basis"])
    return (f"Reactivation fee of {money(f['amount'])} waived" + (f" ({basis})" if basis else "")), ""
