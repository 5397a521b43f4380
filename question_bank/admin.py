"""The Django admin of the banks, for admins; instructors use the bank pages."""

from django.contrib import admin

from question_bank.models import Bank, BankUpload, Question, QuestionVersion, Topic


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "owner", "version", "language", "updated_at"]
    list_filter = ["language"]
    list_select_related = ["owner"]
    search_fields = ["title", "slug", "owner__username"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "bank", "parent"]
    list_filter = ["bank"]
    list_select_related = ["bank", "parent"]
    search_fields = ["title", "slug", "bank__title"]
    autocomplete_fields = ["bank", "parent"]


class VersionInline(admin.TabularInline):
    model = QuestionVersion
    extra = 0
    fields = ["number", "spec_hash", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # a new version comes from an import, which computes and checks it


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "kind", "bank", "topic"]
    list_filter = ["kind", "bank"]
    list_select_related = ["bank", "topic"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["bank", "topic"]
    readonly_fields = ["created_at"]
    inlines = [VersionInline]


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    list_display = ["question", "number", "spec_hash", "created_at"]
    list_select_related = ["question"]
    search_fields = ["question__title", "question__slug", "spec_hash"]
    readonly_fields = ["question", "number", "spec", "spec_hash", "created_at"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return obj is None  # versions are immutable


@admin.register(BankUpload)
class BankUploadAdmin(admin.ModelAdmin):
    list_display = ["filename", "owner", "status", "format", "size", "bank", "created_at"]
    list_filter = ["status", "format"]
    list_select_related = ["owner", "bank"]
    search_fields = ["filename", "owner__username", "bank__title"]
    date_hierarchy = "created_at"
    # An upload is the record of what was validated and published; the tasks write it.
    readonly_fields = [
        "owner",
        "target",
        "filename",
        "size",
        "format",
        "status",
        "progress_done",
        "progress_total",
        "report",
        "bank",
        "created_at",
        "validated_at",
        "published_at",
    ]

    def has_add_permission(self, request):
        return False
