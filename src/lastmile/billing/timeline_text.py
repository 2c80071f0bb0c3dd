"""How the ledger's timeline entries read (core.timeline_text finds this module)."""
from decimal import Decimal, InvalidOperation

from lastmile.core.timeline_text import Facts, day, describes, label, money

from .choices import ChargeKind, PaymentMethod


def _kind(code) -> str:
    try:
        return ChargeKind(code).label
    except ValueError:
        return label(code).capitalize() or "Charge"


def _method(code) -> str:
    try:
        return PaymentMethod(code).label.lower()
    except ValueError:
        return label(code)


def _negative(value) -> bool:
    try:
        return Decimal(str(value)) < 0
    except (InvalidOperation, ValueError, TypeError):
        return False


@describes("charge.posted")
def _charge(f: Facts):
    kind, amount = _kind(f["kind"]), f["amount"]
    if _negative(amount):
        return f"{kind} credit of {money(str(amount).lstrip('-'))}"
    return f"{kind} of {money(amount)} charged"


@describes("charge.voided")
def _voided(f: Facts):
    return f"{_kind(f['kind'])} of {money(str(f['amount'] or '0').lstrip('-'))} voided"


@describes("payment.posted")
def _payment(f: Facts):
    how = _method(f["method"])
    return f"Payment of {money(f['amount'])} received" + (f" by {how}" if how else "")


@describes("payment.declined")
def _declined(f: Facts):
    card = f" (card ending {f['last4']})" if f["last4"] else ""
    text = f"Card payment of {money(f['amount'])} declined{card}"
    return (text, f["reason"]) if f["reason"] else text


@describes("payment.reversed")
def _reversed(f: Facts):
    paid = f" of {day(f['paid_on'])}" if f["paid_on"] else ""
    why = label(f["reason_code"])
    return f"Payment{paid} of {money(str(f['amount'] or '0').lstrip('-'))} reversed" + (f" ({why})" if why else "")


@describes("credit.refunded")
def _refunded(f: Facts):
    how = _method(f["method"])
    return f"Credit of {money(str(f['amount'] or '0').lstrip('-'))} refunded" + (f" by {how}" if how else "")


@describes("statement.issued")
def _statement(f: Facts):
    period = f" for {day(f['period_start'])} – {day(f['period_end'])}" if f["period_start"] else ""
    due = f", due {day(f['due'])}" if f["due"] else ""
    return f"Statement{period} issued: {money(f['amount'])}{due}"
