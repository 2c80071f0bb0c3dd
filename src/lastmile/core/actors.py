"""Who does a thing (AUD-1) and what they may do (roles of architecture.md).

Permissions are checked in services, so the API, the console, the CLI and the
simulator all obey the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .choices import Role
from .errors import PermissionRefused

# capability -> roles that hold it
CAPABILITIES: dict[str, frozenset[str]] = {
    "account.change": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "payment.post": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "plan.change": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "cancellation.request": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "arrangement.approve": frozenset({Role.MANAGER}),
    "arrangement.propose": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "account.create": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "correction.post": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),  # BIL-7, small ones
    "correction.approve": frozenset({Role.MANAGER}),  # BIL-7: above correction_manager_above
    "fee.waive": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "fee.override": frozenset({Role.MANAGER}),
    "premium.review": frozenset({Role.ADMIN}),
    "utopia.admin": frozenset({Role.ADMIN}),
    "contract.lookup": frozenset({Role.ADMIN, Role.BILLING, Role.MANAGER}),
    "ticket.work": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN, Role.NOC}),
    "noc.confirm": frozenset({Role.NOC, Role.ADMIN}),
    "calltask.record": frozenset({Role.AGENT, Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "day.run": frozenset({Role.ADMIN}),
    "report.view": frozenset({Role.MANAGER, Role.ADMIN}),  # issue 10: /console/reports/
    "webhook.manage": frozenset({Role.ADMIN}),  # outbound webhooks (issue 11)
}


@dataclass(frozen=True)
class Actor:
    """A user with roles, or the automation (with the policy step it acts for)."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    automation: bool = False

    def can(self, capability: str) -> bool:
        if self.automation:
            return True
        allowed = CAPABILITIES.get(capability)
        if allowed is None:
            raise KeyError(f"unknown capability {capability!r}")
        return bool(self.roles & allowed)

    def require(self, capability: str, what: str | None = None) -> None:
        if not self.can(capability):
            holders = ", ".join(sorted(CAPABILITIES[capability]))
            raise PermissionRefused(
                f"{what or capability} needs the role {holders}; {self.name} has "
                f"{', '.join(sorted(self.roles)) or 'no role'}"
            )

    def __str__(self) -> str:
        return self.name


ALL_ROLES = frozenset(r.value for r in Role)


def automation(step: str = "day run") -> Actor:
    """The automation acting for a named job or policy step."""
    return Actor(name=f"automation: {step}", roles=ALL_ROLES, automation=True)


def superuser(name: str = "admin") -> Actor:
    """A user with every permission (the simulator's default agent)."""
    return Actor(name=name, roles=ALL_ROLES)


def with_role(role: str, name: str | None = None) -> Actor:
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(sorted(ALL_ROLES))}")
    return Actor(name=name or role, roles=frozenset({role}))


def from_user(user) -> Actor:
    """The actor for a Django user: superusers hold every role, others their groups."""
    if user.is_superuser:
        roles = ALL_ROLES
    else:
        roles = frozenset(g.name for g in user.groups.all()) & ALL_ROLES
    return Actor(name=user.get_username(), roles=roles, user_id=user.pk)
