"""How the accounts' timeline entries read (core.timeline_text finds this module)."""
from lastmile.core.choices import AccountStatus, Network
from lastmile.core.timeline_text import Facts, describes, label


def _status(code) -> str:
    try:
        return AccountStatus(code).label.lower()
    except ValueError:
        return label(code)


@describes("account.created")
def _created(f: Facts):
    try:
        network = Network(f["network"]).label
    except ValueError:
        network = label(f["network"])
    plan = label(f["plan"]).capitalize()
    return (f"Account {f['number'] or ''} opened on {plan or 'a plan'}"
            + (f", {network}" if network else "") + (f"; status {_status(f['status'])}" if f["status"] else ""))


# what a change of status means to the person reading the feed
_MEANS = {
    AccountStatus.DELINQUENT: "Account past due",
    AccountStatus.SUSPENDED: "Service suspended",
    AccountStatus.NOT_ACTIVE: "Service deactivated",
    AccountStatus.UNINSTALL: "Service ended; status uninstall",
    AccountStatus.CANCELLED: "Account cancelled",
}


@describes("account.status_changed")
def _status_changed(f: Facts):
    to, was = f["to"], f["from"]
    if to == AccountStatus.ACTIVE:
        text = "Service reinstated" if was in (AccountStatus.SUSPENDED, AccountStatus.NOT_ACTIVE) else "Account active again"
    else:
        text = _MEANS.get(to, f"Status set to {_status(to)}")
    why = f.reason
    unpaid = "non payment" in why or "non-payment" in why or (f.automatic and "delinquency" in f.actor)
    if to in (AccountStatus.SUSPENDED, AccountStatus.NOT_ACTIVE) and unpaid:
        text += " for non-payment"
        why = "" if "non payment" in why or "non-payment" in why else why
    return f"{text} (was {_status(was)})", why


@describes("account.changed")
def _changed(f: Facts):
    return f"{label(f['field']).capitalize() or 'Contact details'} changed from {f['old'] or 'none'} to {f['new'] or 'none'}"


@describes("portal.changed")
def _portal(f: Facts):
    return "Customer portal turned on" if f["enabled"] else "Customer portal turned off"


@describes("card.added")
def _card(f: Facts):
    return f"Card ending {f['last4'] or '····'} added; it is now the default card"


@describes("autopay.enabled")
def _autopay_on(f: Facts):
    return "Autopay turned on"


@describes("customer.contacted")
def _contacted(f: Facts):
    return f"Customer reached ({f['how']})" if f["how"] else "Customer reached"
