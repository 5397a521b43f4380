"""The Celery application. Settings come from Django settings prefixed with CELERY_."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizapp.settings")

app = Celery("quizapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every task module is also imported by the apps' ready(), for the eager embedded mode.
app.autodiscover_tasks(
    [
        "question_bank",
        "quizapp.attempts",
        "quizapp.practice",
        "quizapp.gradebook",
        "quizapp.api",
        "quizapp.lti",
    ]
)
