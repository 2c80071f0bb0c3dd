from __future__ import annotations

import re

from django.db import connection

from lastmile.core.errors import NotFound
from lastmile.core.money import ZERO

from .models import Account, Email, PaymentCard, Phone, ServiceAddress


def account_get(*, number: str) -> Account:
    try:
        return Account.objects.select_related("package", "address").get(number=number)
    except Account.DoesNotExist:
        raise NotFound(f"there is no account {number}", field="account") from None


_PHONE_CHARS = re.compile(r"^[0-9+()\-. ]+$")
_WORDS = re.compile(r"[^\s,]+")


def _prefix(field: str, value: str) -> dict:
    """`field` starts with `value`, as a range an ordinary B-tree index answers on
    SQLite and PostgreSQL alike (LIKE 'x%' needs a NOCASE or text_pattern_ops index).
    The range is exact in code-point order (SQLite, PostgreSQL's C and C.UTF-8
    collations). No LIKE on top: PostgreSQL would estimate the pair as a handful of
    rows and sort a whole last name's accounts (10 ms for "Nielsen" instead of 0.6)."""
    upper = value[:-1] + chr(ord(value[-1]) + 1)
    return {f"{field}__gte": value, f"{field}__lt": upper}


def phone_key(query: str) -> tuple[str, str] | None:
    """How a typed phone is looked up: ("last10", ten digits) or ("last7", seven).

    (801) 555-0134, 801.555.0134 and +18015550134 are all 8015550134; 5550134 is a
    number without its area code."""
    if not _PHONE_CHARS.match(query):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) >= 10:
        return "last10", digits[-10:]
    if len(digits) >= 7:
        return "last7", digits[-7:]
    return None


def _indexed(query: str):
    """(exact, ids): the account ids each kind of query finds by an equality or a
    prefix on an indexed search key (a millisecond each at 100,000 accounts), best
    kind first; `exact` for the kinds that name one customer (an account number, a
    phone, an email, an address ID)."""
    key = query.lower()
    has_letter = any(c.isalpha() for c in key)
    has_digit = any(c.isdigit() for c in key)
    one_word = " " not in key
    yield True, Account.objects.filter(number=query).values_list("pk", flat=True)
    phone = phone_key(query)
    if phone is not None:
        yield True, Phone.objects.filter(**{phone[0]: phone[1]}).order_by("account_id").values_list(
            "account_id", flat=True)
    if one_word and has_letter:
        emails = Email.objects.values_list("account_id", flat=True)
        yield True, emails.filter(address_key=key)
        yield False, emails.filter(**_prefix("address_key", key)).order_by("address_key")
    if has_digit and one_word:
        yield True, ServiceAddress.objects.filter(address_id_key=key).values_list("account_id", flat=True)
    if has_letter and not has_digit and "@" not in key:  # a name has no digits
        names = Account.objects.values_list("pk", flat=True)
        if "," in key:  # "Taylor, Kalani": the last name first
            last, _, first = key.partition(",")
            last, first = last.strip(), " ".join(_WORDS.findall(first))
            if last and first:
                yield False, names.filter(**_prefix("name_key", f"{first} {last}")).order_by("name_key")
            yield False, names.filter(**_prefix("name_last_first", " ".join(_WORDS.findall(key)))).order_by(
                "name_last_first")
        else:
            yield False, names.filter(**_prefix("name_key", key)).order_by("name_key")
            yield False, names.filter(**_prefix("name_last_first", key)).order_by("name_last_first")
    yield False, ServiceAddress.objects.filter(**_prefix("line1_key", key)).order_by("line1_key").values_list(
        "account_id", flat=True)


def _scanned(query: str, *, found_any: bool):
    """The substring searches: a part of an address ID ("20066"), a word inside a
    name or a street ("Cedar Ln"). Each scans one short column's index, not the
    table, and stops at the limit. They run only when no account number, phone,
    email or whole address ID matched; words inside names and streets only when
    nothing at all starts with what was typed."""
    key = query.lower()
    has_letter = any(c.isalpha() for c in key)
    has_digit = any(c.isdigit() for c in key)
    # PostgreSQL: LIKE on the lowered keys, which carry trigram indexes (migration
    # 0006); SQLite: LIKE (case-blind) on the columns, whose indexes cover the query.
    # No ORDER BY: a scan stops at the limit instead of walking an index in order
    pg = connection.vendor == "postgresql"
    address_id, line1, name = ("address_id_key", "line1_key", "name_key") if pg else ("address_id", "line1", "name")
    op = "contains" if pg else "icontains"
    if has_digit and " " not in key:
        yield ServiceAddress.objects.exclude(address_id="").filter(**{f"{address_id}__{op}": key}).order_by().values_list(
            "account_id", flat=True)
    if found_any or not has_letter or "@" in key:
        return
    # a street first: a street name matches many, and then the names need no scan
    yield ServiceAddress.objects.filter(**{f"{line1}__{op}": key}).order_by().values_list(
        "account_id", flat=True)
    if not has_digit:
        within = Account.objects.order_by().values_list("pk", flat=True)
        for word in _WORDS.findall(key):
            within = within.filter(**{f"{name}__{op}": word})
        yield within


def account_search(*, query: str, limit: int = 50) -> list[Account]:
    """By name ("Kalani Taylor", "Taylor, Kalani", "taylor"), phone in any format,
    email, account number, a full or partial UTOPIA address ID ("20066") or the
    street address: the console's and the API's search. Best matches first (the
    account number, then the phone, email, address ID, name and street, then the
    substring matches), each account once. At 100,000 accounts every search answers
    in well under 100 ms (`lastmile bench`, figure `search`)."""
    query = " ".join((query or "").split())
    if not query:
        return []
    found: dict[int, None] = {}
    named = False  # an account number, phone, email or whole address ID matched
    for exact, ids in _indexed(query):
        before = len(found)
        for pk in ids[:limit]:
            found.setdefault(pk)
        named = named or (exact and len(found) > before)
        if len(found) >= limit:
            break
    if len(found) < limit and not named:
        for ids in _scanned(query, found_any=bool(found)):
            for pk in ids[:limit]:
                found.setdefault(pk)
            if len(found) >= limit:
                break
    order = list(found)[:limit]
    accounts = Account.objects.select_related("package", "address").in_bulk(order)
    return [accounts[pk] for pk in order if pk in accounts]


def account_search_results(*, query: str, limit: int = 50) -> list[Account]:
    """The search's rows as the console shows them: each account with its balance
    (`balance`, the ledger's sum, BIL-4) read for all of them in one query."""
    from lastmile.billing.selectors import balances

    accounts = account_search(query=query, limit=limit)
    owed = balances(account_ids=[a.pk for a in accounts]) if accounts else {}
    for account in accounts:
        account.balance = (owed.get(account.pk) or ZERO).quantize(ZERO)
    return accounts


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
