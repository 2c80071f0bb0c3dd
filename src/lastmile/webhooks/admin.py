"""The Django admin's view of the webhooks: endpoints (editable), the delivery log
and its attempts (read-only: they are what happened)."""
from django.contrib import admin

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "description", "event_types", "active", "created_at", "created_by")
    list_filter = ("active",)
    readonly_fields = ("secret", "start_after_entry_id", "created_at", "created_by", "disabled_at")


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "at", "response_status", "error", "duration_ms")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_type", "event_id", "endpoint", "status", "attempts", "response_status",
                    "next_attempt_at", "delivered_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "endpoint__url")
    inlines = [AttemptInline]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
