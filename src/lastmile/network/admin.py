"""NET-3: NAS devices, subscribers' RADIUS identities and packages' RADIUS replies
are kept by an admin."""
from django.contrib import admin

from .models import NasDevice, PackageRadiusProfile, Subscriber


@admin.register(NasDevice)
class NasDeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "kind", "coa_port", "api_port", "active")
    list_filter = ("kind", "active")
    fieldsets = (
        (None, {"fields": ("name", "address", "kind", "active")}),
        ("RADIUS change of authorization", {"fields": ("secret", "coa_port")}),
        ("RouterOS API (address lists, for routers without RADIUS)",
         {"fields": ("api_port", "api_username", "api_password", "api_tls")}),
    )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("radius_username", "account", "nas", "session_id", "session_ip", "session_at")
    search_fields = ("radius_username", "account__number", "account__name")
    raw_id_fields = ("account",)


@admin.register(PackageRadiusProfile)
class PackageRadiusProfileAdmin(admin.ModelAdmin):
    list_display = ("package_code", "rate_limit_attribute", "rate_limit", "framed_pool")
