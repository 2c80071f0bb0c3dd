"""The customer's own sign-in (POR-1), apart from the staff's: a customer is never a
Django staff user, so no staff page (console, admin, API) ever lets one in, and a
staff login is never a portal login."""
from __future__ import annotations

from django.db import models


class PortalLogin(models.Model):
    """The account's portal password (hashed with Django's hashers), set through an
    emailed one-time link."""

    account = models.OneToOneField("accounts.Account", on_delete=models.PROTECT, related_name="portal_login")
    password = models.CharField(max_length=200, blank=True)  # "" until the customer sets one
    password_set_at = models.DateTimeField(null=True, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"portal login of account {self.account_id}"


class PasswordLink(models.Model):
    """A one-time link to set the password: works once, for 24 hours. Only the hash of
    the token is kept, so the table cannot be used to sign in."""

    login = models.ForeignKey(PortalLogin, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)


class SignInFailure(models.Model):
    """One failed sign-in; the rate limit counts them per account and per address."""

    account_number = models.CharField(max_length=40, db_index=True)
    ip = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
