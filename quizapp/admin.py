from django.contrib import admin

from quizapp.models import (
    Attempt,
    AttemptItem,
    FlashcardReview,
    FlashcardState,
    Quiz,
    QuizItem,
    Response,
    StudyDeck,
    StudyProfile,
)


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0
    autocomplete_fields = ["question"]
    raw_id_fields = ["version"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "time_limit_minutes", "max_attempts"]
    list_filter = ["is_published"]
    search_fields = ["title", "slug"]
    inlines = [QuizItemInline]


class AttemptItemInline(admin.TabularInline):
    model = AttemptItem
    extra = 0
    fields = ["position", "version", "seed", "points"]
    readonly_fields = fields
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "user", "status", "score", "max_score", "started_at", "finished_at"]
    list_filter = ["status", "quiz"]
    search_fields = ["user__username", "quiz__title"]
    readonly_fields = ["uuid", "started_at", "finished_at", "score", "max_score"]
    inlines = [AttemptItemInline]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["item", "status", "score", "created_at", "graded_at"]
    list_filter = ["status"]
    search_fields = ["raw", "item__attempt__user__username"]
    readonly_fields = ["item", "raw", "status", "score", "result", "created_at", "graded_at"]


@admin.register(StudyDeck)
class StudyDeckAdmin(admin.ModelAdmin):
    list_display = ["user", "bank", "topic", "created_at"]
    list_filter = ["bank"]
    search_fields = ["user__username", "bank__title", "topic__title"]
    raw_id_fields = ["user", "bank", "topic"]


@admin.register(StudyProfile)
class StudyProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "new_cards_per_day"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


class FlashcardReviewInline(admin.TabularInline):
    model = FlashcardReview
    extra = 0
    fields = ["reviewed_at", "rating", "score", "seed", "raw"]
    readonly_fields = fields
    can_delete = False


@admin.register(FlashcardState)
class FlashcardStateAdmin(admin.ModelAdmin):
    list_display = ["user", "question", "state", "due", "reps", "suspended", "buried_until"]
    list_filter = ["state", "suspended"]
    search_fields = ["user__username", "question__title", "question__slug"]
    raw_id_fields = ["user", "question"]
    # FSRS owns these; editing them by hand would desynchronise the review log.
    readonly_fields = [
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reps",
        "variants",
        "introduced_at",
        "created_at",
    ]
    inlines = [FlashcardReviewInline]
