"""REST API views, one module per resource family; ``urls.py`` names them from here.

Each operation checks access through one helper, validates, calls one service (or selector) and
responds. ``permissions`` on every view says who may call each method."""

from quizapp.api.views.attempts import (
    AttemptDetailView,
    AttemptFinishView,
    AttemptItemView,
    AttemptListView,
    AttemptResultView,
    DraftView,
    ResponseDetailView,
    ResponseGradeView,
    ResponseSubmitView,
)
from quizapp.api.views.banks import (
    BankDetailView,
    BankListView,
    QuestionDetailView,
    QuestionListView,
    TopicDetailView,
    TopicListView,
)
from quizapp.api.views.courses import (
    AccommodationDetailView,
    AccommodationListView,
    CourseDetailView,
    CourseListView,
    CourseQuizDatesView,
    EnrollmentDetailView,
    EnrollmentListView,
)
from quizapp.api.views.fallback import not_found
from quizapp.api.views.integrations import (
    ApiKeyDetailView,
    ApiKeyListView,
    WebhookDeliveryListView,
    WebhookDetailView,
    WebhookListView,
)
from quizapp.api.views.quizzes import (
    QuizDetailView,
    QuizGradebookView,
    QuizListView,
    QuizRegradeView,
    RegradeDetailView,
)

__all__ = [
    "AccommodationDetailView",
    "AccommodationListView",
    "CourseQuizDatesView",
    "ApiKeyDetailView",
    "ApiKeyListView",
    "AttemptDetailView",
    "AttemptFinishView",
    "AttemptItemView",
    "AttemptListView",
    "AttemptResultView",
    "BankDetailView",
    "BankListView",
    "CourseDetailView",
    "CourseListView",
    "DraftView",
    "EnrollmentDetailView",
    "EnrollmentListView",
    "QuestionDetailView",
    "QuestionListView",
    "QuizDetailView",
    "QuizGradebookView",
    "QuizListView",
    "QuizRegradeView",
    "RegradeDetailView",
    "ResponseDetailView",
    "ResponseGradeView",
    "ResponseSubmitView",
    "TopicDetailView",
    "TopicListView",
    "WebhookDeliveryListView",
    "WebhookDetailView",
    "WebhookListView",
    "not_found",
]
