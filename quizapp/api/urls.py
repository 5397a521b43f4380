"""URLs of /api/v1/ (namespace ``api``), with the OpenAPI schema and its local viewers."""

from django.conf import settings
from django.urls import path, re_path, register_converter
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from quizapp.api import views
from quizapp.api.fields import MAX_ID

app_name = "api"


class IdConverter:
    """A number of at most as many digits as MAX_ID: anything else matches no route and gets
    the JSON 404 of ``views.not_found``, never the database."""

    regex = f"[0-9]{{1,{len(str(MAX_ID))}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")

# drf-spectacular-sidecar's Redoc 2.5: the hashes of the <style> contents its bundle inserts
# (a new sidecar version may change them; tests/e2e/test_csp_pages.py fails if so).
REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty <style>
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]

urlpatterns = [
    path("banks/", views.BankListView.as_view(), name="bank-list"),
    path("banks/<id:bank_id>/", views.BankDetailView.as_view(), name="bank-detail"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<id:topic_id>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("questions/", views.QuestionListView.as_view(), name="question-list"),
    path(
        "questions/<id:question_id>/",
        views.QuestionDetailView.as_view(),
        name="question-detail",
    ),
    path("quizzes/", views.QuizListView.as_view(), name="quiz-list"),
    path("quizzes/<id:quiz_id>/", views.QuizDetailView.as_view(), name="quiz-detail"),
    path(
        "quizzes/<id:quiz_id>/gradebook/",
        views.QuizGradebookView.as_view(),
        name="quiz-gradebook",
    ),
    path("quizzes/<id:quiz_id>/regrades/", views.QuizRegradeView.as_view(), name="quiz-regrade"),
    path("regrades/<id:run_id>/", views.RegradeDetailView.as_view(), name="regrade-detail"),
    path("attempts/", views.AttemptListView.as_view(), name="attempt-list"),
    path("attempts/<uuid:attempt_uuid>/", views.AttemptDetailView.as_view(), name="attempt-detail"),
    path(
        "attempts/<uuid:attempt_uuid>/items/<id:position>/",
        views.AttemptItemView.as_view(),
        name="attempt-item",
    ),
    path(
        "attempts/<uuid:attempt_uuid>/items/<id:position>/responses/",
        views.ResponseSubmitView.as_view(),
        name="response-submit",
    ),
    path(
        "attempts/<uuid:attempt_uuid>/items/<id:position>/draft/",
        views.DraftView.as_view(),
        name="attempt-draft",
    ),
    path(
        "attempts/<uuid:attempt_uuid>/finish/",
        views.AttemptFinishView.as_view(),
        name="attempt-finish",
    ),
    path(
        "attempts/<uuid:attempt_uuid>/result/",
        views.AttemptResultView.as_view(),
        name="attempt-result",
    ),
    path("responses/<id:response_id>/", views.ResponseDetailView.as_view(), name="response-detail"),
    path(
        "responses/<id:response_id>/grade/",
        views.ResponseGradeView.as_view(),
        name="response-grade",
    ),
    path("courses/", views.CourseListView.as_view(), name="course-list"),
    path("courses/<id:course_id>/", views.CourseDetailView.as_view(), name="course-detail"),
    path(
        "courses/<id:course_id>/enrollments/",
        views.EnrollmentListView.as_view(),
        name="enrollment-list",
    ),
    path(
        "courses/<id:course_id>/enrollments/<id:enrollment_id>/",
        views.EnrollmentDetailView.as_view(),
        name="enrollment-detail",
    ),
    path(
        "courses/<id:course_id>/accommodations/",
        views.AccommodationListView.as_view(),
        name="accommodation-list",
    ),
    path(
        "courses/<id:course_id>/accommodations/<id:accommodation_id>/",
        views.AccommodationDetailView.as_view(),
        name="accommodation-detail",
    ),
    path(
        "courses/<id:course_id>/quizzes/<id:quiz_id>/dates/",
        views.CourseQuizDatesView.as_view(),
        name="course-quiz-dates",
    ),
    path("keys/", views.ApiKeyListView.as_view(), name="key-list"),
    path("keys/<id:key_id>/", views.ApiKeyDetailView.as_view(), name="key-detail"),
    path("webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<id:webhook_id>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<id:webhook_id>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up code as a script of its own (?script):
        # the page has no inline script, as the CSP of every page requires.
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="swagger-ui",
    ),
    path(
        "redoc/",
        # Our template: the stock one loads web fonts from a third-party host and starts Redoc
        # with an inline script. Redoc's bundle writes its CSS into <style> elements as it loads,
        # before any option (a nonce) can reach it: this page alone allows those by their hashes
        # (REDOC_STYLE_HASHES: an empty element that styled-components fills through the CSSOM,
        # and the bundle's one fixed stylesheet), and its search index's worker from a blob:
        # URL the bundle makes itself. Scripts stay 'self' only; tests/e2e check it renders.
        csp_override(
            {
                **settings.SECURE_CSP,
                "style-src": [CSP.SELF, *REDOC_STYLE_HASHES],
                "worker-src": [CSP.SELF, "blob:"],
            }
        )(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")),
        name="redoc",
    ),
    # Last: any other path under /api/v1/ answers a JSON 404 (or 405) in the API's error shape,
    # not Django's HTML page.
    re_path(r"^", views.not_found, name="not-found"),
]
