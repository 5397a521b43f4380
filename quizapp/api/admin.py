"""Admin of the API's models. Keys are created by ``manage.py api_key create`` or the API
(the secret must be shown once, which the admin's add form cannot do); here they are revoked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from quizapp.api.keys import api_key_revoke
from quizapp.models.api import ApiKey, IdempotencyRecord, WebhookDelivery, WebhookEndpoint


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "prefix", "owner__username"]
    filter_horizontal = ["courses"]
    fields = ["owner", "name", "prefix", "scopes", "rate_per_minute", "courses"] + [
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["owner", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Отозвать выбранные ключи"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key=key)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["principal", "key", "status_code", "created_at"]
    search_fields = ["principal", "key"]
    readonly_fields = ["principal", "key", "fingerprint", "status_code", "body", "created_at"]

    def has_add_permission(self, request):
        return False


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    fields = ["event_key", "status", "tries", "last_status_code", "last_error", "delivered_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    fields = ["owner", "url", "events", "is_active", "created_at"]
    readonly_fields = ["owner", "created_at"]
    inlines = [WebhookDeliveryInline]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_key", "endpoint", "status", "tries", "last_status_code", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["event_key", "endpoint__url"]
    readonly_fields = [
        "endpoint",
        "event",
        "event_key",
        "payload",
        "status",
        "tries",
        "last_status_code",
        "last_error",
        "created_at",
        "last_tried_at",
        "delivered_at",
    ]
