from django.contrib import admin

from question_bank.models import Bank, Question, QuestionVersion, Topic


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "version", "language", "updated_at"]
    search_fields = ["title", "slug"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "bank", "parent"]
    list_filter = ["bank"]
    search_fields = ["title", "slug"]


class VersionInline(admin.TabularInline):
    model = QuestionVersion
    extra = 0
    fields = ["number", "spec_hash", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "kind", "bank", "topic"]
    list_filter = ["kind", "bank"]
    search_fields = ["title", "slug"]
    inlines = [VersionInline]


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    list_display = ["question", "number", "created_at"]
    search_fields = ["question__title", "question__slug"]
    readonly_fields = ["question", "number", "spec", "spec_hash", "created_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # versions are immutable
