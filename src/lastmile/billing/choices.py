from django.db import models


class EntryType(models.TextChoices):
    CHARGE = "charge", "Charge"
    CREDIT = "credit", "Credit"
    PAYMENT = "payment", "Payment"
    VOID = "void", "Void"


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


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    PHONE = "phone", "Phone"
    CHECK = "check", "Check"
    BILL_PAY = "bill_pay", "Bill pay"
    CASH = "cash", "Cash"
