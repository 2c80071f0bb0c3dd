from __future__ import annotations

from django.db.models import Q

from lastmile.core.errors import NotFound

from .models import Account, PaymentCard


def account_get(*, number: str) -> Account:
    try:
        return Account.objects.select_related("package", "address").get(number=number)
    except Account.DoesNotExist:
        raise NotFound(f"there is no account {number}", field="account") from None


def account_search(*, query: str, limit: int = 50):
    """By name, address or UTOPIA address ID (the console's search)."""
    query = (query or "").strip()
    qs = Account.objects.select_related("package", "address")
    if not query:
        return qs.none()
    return qs.filter(
        Q(name__icontains=query) | Q(number=query) | Q(address__line1__icontains=query)
        | Q(address__address_id__iexact=query)
    )[:limit]


def default_card(*, account: Account) -> PaymentCard | None:
    """BIL-6: the newest card is the default."""
    return PaymentCard.objects.filter(account=account).order_by("-added_at", "-id").first()


def email_addresses(*, account: Account) -> list[str]:
    return list(account.emails.order_by("position", "id").values_list("address", flat=True))


def phone_numbers(*, account: Account) -> list[str]:
    return list(account.phones.order_by("position", "id").values_list("number", flat=True))
