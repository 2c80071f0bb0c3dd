from django.db import models


class EntryType(models.TextChoices):
    CHARGE = "charge", "Charge"
    CREDIT = "credit", "Credit"
    PAYMENT = "payment", "Payment"
    VOID = "void", "Void"
    REVERSAL = "reversal", "Payment reversal"  # BIL-7: returned check, NSF, chargeback
    REFUND = "refund", "Refund"  # BIL-7: a credit balance paid back


class ChargeKind(models.TextChoices):
    """The `kind` of `charge.posted` in scenarios.md, plus the ledger's own."""

    RECURRING = "recurring", "Monthly service"
    PRORATION = "proration", "Proration"
    REACTIVATION_FEE = "reactivation_fee", "Reactivation fee"
    ETF = "etf", "Early termination fee"
    EQUIPMENT_FEE = "equipment_fee", "Equipment replacement fee"
    OPENING_BALANCE = "opening_balance", "Opening balance"
    ADJUSTMENT = "adjustment", "Adjustment"
    PAYMENT = "payment", "Payment"
    REVERSAL = "reversal", "Payment reversal"
    REFUND = "refund", "Refund"


class ReversalReason(models.TextChoices):
    """BIL-7: why a payment came back."""

    RETURNED_CHECK = "returned_check", "Returned check"
    NSF = "nsf", "Insufficient funds (NSF)"
    CHARGEBACK = "chargeback", "Chargeback"


class RefundMethod(models.TextChoices):
    """BIL-7: how a credit balance goes back to the customer."""

    CHECK = "check", "Check (mailed)"
    CARD = "card", "Back to the card"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    PHONE = "phone", "Phone"
    CHECK = "check", "Check"
    BILL_PAY = "bill_pay", "Bill pay"
    CASH = "cash", "Cash"
