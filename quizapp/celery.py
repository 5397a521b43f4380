"""The Celery application. Settings come from Django settings prefixed with CELERY_."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizapp.settings")

app = Celery("quizapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
# No autodiscovery: the task modules are imported by the apps' ready() (QuizappConfig,
# QuestionBankConfig), which runs in every process that loads Django, a worker included (Celery's
# Django fixup calls django.setup() before it looks up a task). One list, not two to keep in step.
