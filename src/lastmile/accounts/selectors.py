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


def contracts_on_file(*, account) -> list[dict]:
    """CON-1..3 and CAN-8 as a person reads them: every contract row with the day its
    term ends, the lease's penalty-free day, and which one counts (CON-2: the latest)."""
    from lastmile.cancellations import selectors as can_selectors
    from lastmile.cancellations.choices import ContractKind
    from lastmile.cancellations.utopia_lease import penalty_free_on

    counts = can_selectors.current_contract(account=account)
    lease = can_selectors.current_lease(account=account)
    rows = []
    for c in can_selectors.contracts(account=account):
        is_lease = c.kind == ContractKind.UTOPIA_LEASE
        rows.append({
            "id": c.pk, "kind": c.kind, "kind_label": c.get_kind_display(), "source": c.source,
            "start": c.start, "months": c.months, "monthly": c.monthly, "signed": c.signed,
            "etf_override": c.etf_override, "ends": can_selectors.contract_end(c),
            "penalty_free_on": penalty_free_on(c.start, c.months) if is_lease else None,
            "current": c.pk == (lease.pk if is_lease and lease else counts.pk if counts else None),
            "recorded_by": c.recorded_by,
        })
    return rows
