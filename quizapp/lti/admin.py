"""Admin for the LTI links and the score log; platforms, deployments and keys are django-lti's.

Imported by ``quizapp/admin.py`` (this package is not an app, so autodiscovery does not see it).
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from quizapp.lti.services import lti_passback_retry
from quizapp.models.lti import LtiCourseLink, LtiQuizLink, LtiScorePassback


@admin.register(LtiQuizLink)
class LtiQuizLinkAdmin(admin.ModelAdmin):
    list_display = ["resource_link", "quiz", "line_item", "created_at"]
    list_select_related = ["resource_link", "quiz", "line_item"]
    raw_id_fields = ["resource_link", "quiz", "line_item"]
    readonly_fields = ["created_at"]
    search_fields = ["quiz__title", "resource_link__title"]


@admin.register(LtiCourseLink)
class LtiCourseLinkAdmin(admin.ModelAdmin):
    list_display = ["context", "course", "roster_synced_at", "created_at"]
    list_select_related = ["context", "course"]
    raw_id_fields = ["context", "course"]
    readonly_fields = ["roster_synced_at", "created_at"]
    search_fields = ["course__title", "context__title"]


@admin.register(LtiScorePassback)
class LtiScorePassbackAdmin(admin.ModelAdmin):
    list_display = [
        "attempt",
        "lti_user",
        "score_given",
        "score_maximum",
        "status",
        "tries",
        "last_status_code",
        "last_tried_at",
    ]
    list_filter = ["status"]
    search_fields = ["lti_user__sub", "attempt__user__username", "attempt__quiz__title"]
    list_select_related = ["attempt__quiz", "attempt__user", "lti_user"]
    readonly_fields = [f.name for f in LtiScorePassback._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("Отправить ещё раз"))
    def retry(self, request, queryset):
        for passback in queryset.filter(status=LtiScorePassback.Status.FAILED):
            lti_passback_retry(passback=passback)
        messages.success(request, _("Неудавшиеся отправки поставлены в очередь."))
