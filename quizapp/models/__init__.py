"""The models of the ``quizapp`` app, one module per domain, re-exported here so that Django
finds them and code imports them as ``from quizapp.models import Quiz``.

Tables and the app label stay ``quizapp`` whichever module a model lives in.
"""

from quizapp.models.accommodations import Accommodation
from quizapp.models.api import ApiKey, IdempotencyRecord, WebhookDelivery, WebhookEndpoint
from quizapp.models.attempts import Attempt, AttemptItem, Response, item_seed
from quizapp.models.courses import Course, CourseQuiz, Enrollment
from quizapp.models.flashcards import (
    FlashcardReview,
    FlashcardState,
    FsrsFit,
    MistakeNote,
    StudyDeck,
    StudyProfile,
)
from quizapp.models.gradebook import ManualGrade, RegradeRun, ResponseRegrade, ScoreOverride
from quizapp.models.lti import LtiCourseLink, LtiQuizLink, LtiScorePassback
from quizapp.models.practice import PracticeAnswer, QuestionDifficulty
from quizapp.models.quizzes import Quiz, QuizItem

__all__ = [
    "Accommodation",
    "ApiKey",
    "Attempt",
    "AttemptItem",
    "Course",
    "CourseQuiz",
    "Enrollment",
    "FlashcardReview",
    "FlashcardState",
    "IdempotencyRecord",
    "LtiCourseLink",
    "LtiQuizLink",
    "LtiScorePassback",
    "PracticeAnswer",
    "QuestionDifficulty",
    "Quiz",
    "QuizItem",
    "RegradeRun",
    "Response",
    "ResponseRegrade",
    "ScoreOverride",
    "ManualGrade",
    "StudyDeck",
    "StudyProfile",
    "FsrsFit",
    "MistakeNote",
    "WebhookDelivery",
    "WebhookEndpoint",
    "item_seed",
]
