"""Errors an agent can act on.

Every refusal carries a sentence a person can act on, and the field it is about when
there is one; the simulator turns them into `action.refused`, the API into 4xx.
"""
from __future__ import annotations


class LastmileError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(LastmileError):
    """The request itself is malformed: a field is missing or of the wrong kind."""


class RuleRefusal(LastmileError):
    """A rule of rules.md forbids the action."""


class PermissionRefused(LastmileError):
    """The actor's role does not allow the action (permissions live in services)."""


class NotFound(LastmileError):
    pass
