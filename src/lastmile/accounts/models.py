"""Accounts: the customer, where service is, how to reach them, how they pay."""
from __future__ import annotations

from django.db import models
from django.db.models.functions import Concat, Lower, Replace, Right, StrIndex, Substr

from lastmile.core.choices import AccountKind, AccountStatus, Network
from lastmile.core.models import InsertOnlyModel

from .choices import PremiumAvailability


def _lowered(field: str, max_length: int) -> models.GeneratedField:
    """A search key the database computes on every write, whatever wrote the row:
    the services, the importer's COPY, the demo, the bench's bulk_create. Nothing
    has to remember to fill it, so search can never miss a row written in bulk."""
    return models.GeneratedField(expression=Lower(field), db_persist=True,
                                 output_field=models.CharField(max_length=max_length))


def _name_last_first() -> models.GeneratedField:
    """The name from its second word on, then its first: "kalani taylor" is kept as
    "taylor kalani", so a last name alone, "Taylor, Kalani" and "Taylor Kalani" are
    prefix lookups on an index like the name as written."""
    padded = Concat(Lower("name"), models.Value(" "))
    space = StrIndex(padded, models.Value(" "))
    return models.GeneratedField(
        expression=Concat(Substr(padded, space + 1), Substr(padded, 1, space - 1)), db_persist=True,
        output_field=models.CharField(max_length=201))


def _phone_digits():
    """The digits of a phone as typed: the services accept only digits, spaces,
    + - ( ) and dots (accounts.services._PHONE)."""
    expr = models.F("number")
    for char in (" ", "-", "(", ")", ".", "+"):
        expr = Replace(expr, models.Value(char), models.Value(""))
    return expr


def _phone_tail(length: int) -> models.GeneratedField:
    """The last `length` digits: "+1 (801) 555-0134" and "801.555.0134" share their
    last ten (8015550134) and their last seven (5550134), which is how people type a
    number they are looking for."""
    return models.GeneratedField(expression=Right(_phone_digits(), length), db_persist=True,
                                 output_field=models.CharField(max_length=length))


class Account(models.Model):
    number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    name_key = _lowered("name", 200)
    name_last_first = _name_last_first()
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    network = models.CharField(max_length=16, choices=Network.choices)
    status = models.CharField(
        max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    package = models.ForeignKey("catalog.Package", on_delete=models.PROTECT, related_name="+")
    bill_cycle_day = models.PositiveSmallIntegerField(default=1)
    portal_access = models.BooleanField(default=True)
    autopay = models.BooleanField(default=False)
    service_start = models.DateField()
    # set by a confirmed cancellation (CAN-1/CAN-4); the bill run reads them
    service_end = models.DateField(null=True, blank=True)
    prorate_final_month = models.BooleanField(default=False)
    # NOT-1: the customer asked for no text messages (or replied STOP to one)
    sms_opt_out = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("number",)
        indexes = [
            models.Index(fields=["status", "bill_cycle_day"]),
            models.Index(fields=["name"]),
            models.Index(fields=["name_key"], name="account_name_key"),
            models.Index(fields=["name_last_first"], name="account_name_last_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bill_cycle_day__gte=1, bill_cycle_day__lte=31),
                name="account_bill_cycle_day_1_31",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ServiceAddress(models.Model):
    """Where service is delivered; UTOPIA addresses carry their address ID (NET-2)."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="address")
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    address_id = models.CharField(max_length=40, blank=True, db_index=True)
    premium_available = models.CharField(
        max_length=8, choices=PremiumAvailability.choices, default=PremiumAvailability.UNKNOWN
    )
    line1_key = _lowered("line1", 200)
    address_id_key = _lowered("address_id", 40)

    class Meta:
        indexes = [
            models.Index(fields=["line1_key"], name="address_line1_key"),
            models.Index(fields=["address_id_key"], name="address_id_key"),
            # the substring searches (a part of an address ID, a street name) scan
            # these instead of the table: on SQLite they cover the query
            models.Index(fields=["address_id", "account"], name="address_id_scan",
                         condition=~models.Q(address_id="")),
            models.Index(fields=["line1", "account"], name="address_line1_scan"),
        ]

    def __str__(self) -> str:
        return self.one_line()

    def one_line(self) -> str:
        parts = [self.line1, self.line2, f"{self.city}, {self.state} {self.postal_code}"]
        return ", ".join(p for p in parts if p)


class Phone(models.Model):
    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="phones", db_index=False)
    number = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    mobile = models.BooleanField(default=False, db_default=False)  # NOT-1: takes text messages
    last10 = _phone_tail(10)
    last7 = _phone_tail(7)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="phone_once_per_account")
        ]
        indexes = [
            models.Index(fields=["last10"], name="phone_last10"),
            models.Index(fields=["last7"], name="phone_last7"),
        ]

    def __str__(self) -> str:
        return self.number


class Email(models.Model):
    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="emails", db_index=False)
    address = models.EmailField()
    position = models.PositiveSmallIntegerField(default=0)
    address_key = _lowered("address", 254)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(fields=["account", "address"], name="email_once_per_account")
        ]
        indexes = [models.Index(fields=["address_key"], name="email_address_key")]

    def __str__(self) -> str:
        return self.address


class Note(InsertOnlyModel):
    """TKT-2: free text, dated, signed, never edited after saving."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="notes")
    body = models.TextField()
    author = models.CharField(max_length=150)
    written_at = models.DateTimeField()

    class Meta:
        ordering = ("written_at", "id")

    def __str__(self) -> str:
        return f"{self.written_at:%Y-%m-%d} {self.author}: {self.body[:40]}"


class PaymentCard(InsertOnlyModel):
    """BIL-6: append-only; a token and the last four digits, never a card number.

    The default card is the newest one: an update adds a card, it edits none.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="cards")
    token = models.CharField(max_length=100)
    last4 = models.CharField(max_length=4)
    brand = models.CharField(max_length=20, blank=True)
    added_at = models.DateTimeField()
    added_by = models.CharField(max_length=150)

    class Meta:
        ordering = ("-added_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last4__regex=r"^[0-9]{4}$"), name="card_last4_four_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand or 'card'} ending {self.last4}"
