"""The Celery application. Settings come from Django settings prefixed with CELERY_."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizapp.settings")

app = Celery("quizapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
# No autodiscovery: the task modules are imported by the apps' ready() (QuizappConfig,
# QuestionBankConfig), which runs in every process that loads Django, a worker included (Celery's
# Django fixup calls django.setup() before it looks up a task). One list, not two to keep in step.

# Celery's Django fixup closes the database connection before and after every task unless told
# to reuse it: a new PostgreSQL connection per task was a fifth of a grading's cost. Reused here,
# and checked before each task like Django checks before each request (CONN_MAX_AGE and
# CONN_HEALTH_CHECKS), so a connection broken by a database restart is replaced, not reused.
app.conf.update({"CELERY_DB_REUSE_MAX": int(os.environ.get("CELERY_DB_REUSE_MAX", "100000"))})


@task_prerun.connect
@task_postrun.connect
def _close_unusable_connections(sender=None, **kwargs):
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # eager (embedded mode): the web request manages its connection
    from django.db import close_old_connections

    close_old_connections()
