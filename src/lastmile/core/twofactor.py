"""The staff's TOTP second factor (issue 15, docs/security.md), with django-otp.

A staff user enrols at /accounts/2fa/enrol/: the page shows the otpauth URI and
its QR code, drawn on the server as SVG (segno), so the secret never leaves for a
QR service. Once a device is confirmed, the password alone signs in only halfway:
`SecondFactorMiddleware` sends every page to /accounts/2fa/ until the code is given.
"""
from __future__ import annotations

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import security

ENROL_NAME = "authenticator app"


class CodeForm(forms.Form):
    code = forms.CharField(label="The 6-digit code from your authenticator app", max_length=8,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "autofocus": True}))

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("the code is the 6 digits the app shows now")
        return code


def _next(request, default: str = "/console/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return default
    return target


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code after the password, for a user with a confirmed device."""
    if not security.needs_code(request):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["code"])
            if device is not None and device.confirmed:
                otp_login(request, device)
                return redirect(_next(request))
            form.add_error("code", "that code is not right (or was already used); try the next one")
        status = 422
    return render(request, "core/otp_verify.html", {"form": form, "next": _next(request)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """A new TOTP device, confirmed by its first code; the user is then fully signed in."""
    if security.needs_code(request):  # a second device only after the first one's code
        return redirect(f"/accounts/2fa/?next={request.path}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=ENROL_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect("/console/")
        if form.is_valid():
            form.add_error("code", "that code is not right; check the phone's clock and try the next one")
        status = 422
    uri = device.config_url
    context = {
        "form": form,
        "uri": uri,
        "qr": segno.make(uri, error="m").svg_inline(scale=4, title="Scan with your authenticator app"),
        "required": security.must_enrol(request.user),
        "devices": TOTPDevice.objects.filter(user=request.user, confirmed=True).count(),
    }
    return render(request, "core/otp_enrol.html", context, status=status)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked username or address: a sentence and 429."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/locked_out.html", {"minutes": minutes}, status=429)
